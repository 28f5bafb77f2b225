//! Reading an article page: its title, canonical URL, schema.org `dateModified`, `lastReviewed`
//! and `reviewedBy` (from JSON-LD, else meta tags), and its main text.

use std::sync::LazyLock;

use scraper::{ElementRef, Html, Node, Selector};
use serde_json::Value;
use url::Url;

/// What a page says about itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageFacts {
    pub title: Option<String>,
    pub canonical_url: Option<String>,
    pub date_modified: Option<String>,
    pub last_reviewed: Option<String>,
    pub reviewed_by: Option<String>,
    /// The text of `<main>` (else `<article>`, else `<body>`), without scripts, navigation,
    /// headers, footers and asides, whitespace collapsed.
    pub main_text: String,
}

/// The longest main text kept, in characters: the passage check needs the article, not a book.
const MAX_TEXT_CHARS: usize = 200_000;
const MAX_FIELD_CHARS: usize = 300;

/// Elements whose text is not the article's.
const SKIP: [&str; 11] = [
    "script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form",
    "button", "svg",
];

fn selector(css: &str) -> Selector {
    // The selectors below are constants: a typo is caught by this module's tests.
    Selector::parse(css).unwrap_or_else(|e| panic!("selector {css:?}: {e}"))
}

static TITLE: LazyLock<Selector> = LazyLock::new(|| selector("title"));
static CANONICAL: LazyLock<Selector> = LazyLock::new(|| selector("link[rel~=canonical][href]"));
static JSON_LD: LazyLock<Selector> =
    LazyLock::new(|| selector(r#"script[type="application/ld+json"]"#));
static META: LazyLock<Selector> = LazyLock::new(|| selector("meta[content]"));
static MAIN: LazyLock<[Selector; 4]> = LazyLock::new(|| {
    [
        selector("main"),
        selector("[role=main]"),
        selector("article"),
        selector("body"),
    ]
});

fn one_line(text: &str) -> Option<String> {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!line.is_empty()).then(|| line.chars().take(MAX_FIELD_CHARS).collect())
}

pub fn read(html: &str, page_url: &Url) -> PageFacts {
    let doc = Html::parse_document(html);
    let mut facts = PageFacts::default();
    for script in doc.select(&JSON_LD) {
        let text: String = script.text().collect();
        if let Ok(value) = serde_json::from_str::<Value>(&text) {
            json_ld(&value, &mut facts);
        }
    }
    for meta in doc.select(&META) {
        let el = meta.value();
        let key = el
            .attr("property")
            .or_else(|| el.attr("name"))
            .or_else(|| el.attr("itemprop"))
            .unwrap_or("")
            .to_ascii_lowercase();
        let content = el.attr("content").and_then(one_line);
        let slot = match key.as_str() {
            "article:modified_time" | "datemodified" | "og:updated_time" => {
                &mut facts.date_modified
            }
            "lastreviewed" | "last-reviewed" => &mut facts.last_reviewed,
            "reviewedby" => &mut facts.reviewed_by,
            "og:title" => &mut facts.title,
            _ => continue,
        };
        if slot.is_none() {
            *slot = content;
        }
    }
    if facts.title.is_none() {
        facts.title = doc
            .select(&TITLE)
            .next()
            .and_then(|t| one_line(&t.text().collect::<String>()));
    }
    facts.canonical_url = doc
        .select(&CANONICAL)
        .next()
        .and_then(|l| l.value().attr("href"))
        .and_then(|href| page_url.join(href.trim()).ok())
        .map(|u| u.to_string());
    if let Some(root) = MAIN.iter().find_map(|s| doc.select(s).next()) {
        let mut text = String::new();
        collect_text(root, &mut text);
        facts.main_text = text
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .chars()
            .take(MAX_TEXT_CHARS)
            .collect();
    }
    facts
}

fn collect_text(element: ElementRef, out: &mut String) {
    for child in element.children() {
        match child.value() {
            Node::Text(t) => out.push_str(t),
            Node::Element(e) if SKIP.contains(&e.name()) => {}
            Node::Element(_) => {
                if let Some(el) = ElementRef::wrap(child) {
                    // Block boundaries are word boundaries.
                    out.push(' ');
                    collect_text(el, out);
                    out.push(' ');
                }
            }
            _ => {}
        }
    }
}

/// Takes what the page's JSON-LD says, the first value of each found (a `@graph` or an array of
/// objects is searched in order).
fn json_ld(value: &Value, facts: &mut PageFacts) {
    match value {
        Value::Array(items) => items.iter().for_each(|v| json_ld(v, facts)),
        Value::Object(map) => {
            let text = |v: Option<&Value>| v.and_then(Value::as_str).and_then(one_line);
            if facts.title.is_none() {
                // `headline` only: `name` is as often the site's or the publisher's.
                facts.title = text(map.get("headline"));
            }
            if facts.date_modified.is_none() {
                facts.date_modified = text(map.get("dateModified"));
            }
            if facts.last_reviewed.is_none() {
                facts.last_reviewed = text(map.get("lastReviewed"));
            }
            if facts.reviewed_by.is_none() {
                facts.reviewed_by = map.get("reviewedBy").and_then(person);
            }
            if let Some(graph) = map.get("@graph") {
                json_ld(graph, facts);
            }
            if let Some(main) = map.get("mainEntity") {
                json_ld(main, facts);
            }
        }
        _ => {}
    }
}

/// A reviewer as schema.org gives one: a name, a Person or Organization, or a list of them.
fn person(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => one_line(s),
        Value::Object(m) => m.get("name").and_then(Value::as_str).and_then(one_line),
        Value::Array(items) => {
            let names: Vec<String> = items.iter().filter_map(person).collect();
            one_line(&names.join(", "))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_ld_meta_and_main_text() {
        let url: Url = "https://health.example.org/medicines/ibuprofen?x=1"
            .parse()
            .unwrap();
        let html = r#"<!doctype html><html><head>
            <title>Ibuprofen - Health site</title>
            <link rel="canonical" href="/medicines/ibuprofen">
            <script type="application/ld+json">{"@context":"https://schema.org","@graph":[
              {"@type":"WebSite","name":"Health site"},
              {"@type":"MedicalWebPage","headline":"Ibuprofen for adults",
               "dateModified":"2026-10-01","lastReviewed":"2026-09-14",
               "reviewedBy":[{"@type":"Person","name":"Dr A. Example"},"Pharmacy team"]}]}</script>
            <meta property="article:modified_time" content="2020-01-01">
            </head><body><nav>Home Medicines</nav><header>Menu</header>
            <main><h1>Ibuprofen</h1><p>Adults: take 200 to 400 mg<br>every 4 to 6 hours.</p>
            <script>var x = "not text";</script><aside>Related</aside></main>
            <footer>Contact</footer></body></html>"#;
        let f = read(html, &url);
        assert_eq!(f.title.as_deref(), Some("Ibuprofen for adults"));
        assert_eq!(
            f.canonical_url.as_deref(),
            Some("https://health.example.org/medicines/ibuprofen")
        );
        assert_eq!(
            f.date_modified.as_deref(),
            Some("2026-10-01"),
            "JSON-LD before meta"
        );
        assert_eq!(f.last_reviewed.as_deref(), Some("2026-09-14"));
        assert_eq!(
            f.reviewed_by.as_deref(),
            Some("Dr A. Example, Pharmacy team")
        );
        assert_eq!(
            f.main_text,
            "Ibuprofen Adults: take 200 to 400 mg every 4 to 6 hours."
        );

        let f = read(
            r#"<html><head><title> Plain  page </title>
               <meta itemprop="lastReviewed" content="2025-01-02"></head>
               <body><p>Only a body.</p></body></html>"#,
            &url,
        );
        assert_eq!(f.title.as_deref(), Some("Plain page"));
        assert_eq!(f.last_reviewed.as_deref(), Some("2025-01-02"));
        assert_eq!(f.date_modified, None);
        assert_eq!(f.main_text, "Only a body.");
        assert_eq!(read("", &url).main_text, "");
        let _ = (&*TITLE, &*CANONICAL, &*JSON_LD, &*META, &*MAIN);
    }
}
