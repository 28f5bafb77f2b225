//! Public corrections: what editors published when resolving reports, per article as JSON (for
//! the publisher's pages and the widget) and site-wide as an Atom feed. Public and cacheable;
//! the JSON is open to the allowed hosts' pages through the app's CORS rules.

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::config::Settings;
use crate::db::corrections::{self, Correction};
use crate::db::Db;
use crate::domain::{ArticleUrl, SiteRules};
use crate::errors::{ApiError, ErrorBody};
use crate::http::Query;
use crate::triage::views::utc;

/// How long browsers and proxies may keep an answer: a correction shows within minutes.
const CACHE: &str = "public, max-age=300";
const FEED_ENTRIES: i64 = 50;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CorrectionsParams {
    /// The article's URL, as its page knows it.
    #[param(
        example = "https://health.example.org/medicines/ibuprofen",
        format = "uri",
        max_length = 2048
    )]
    pub article_url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicCorrection {
    /// Written by the publisher's editors.
    pub text: String,
    pub published_at: DateTime<Utc>,
}

/// An article's published corrections and last review.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicCorrections {
    /// The canonical URL.
    pub article_url: String,
    pub last_reviewed_at: Option<DateTime<Utc>>,
    pub reviewed_by: Option<String>,
    /// Newest first.
    pub corrections: Vec<PublicCorrection>,
}

/// An article's public corrections, newest first, with its last review. An article flagpole
/// does not know has none.
#[utoipa::path(
    get, path = "/api/v1/public/corrections", tag = "public",
    params(CorrectionsParams),
    responses(
        (status = 200, body = PublicCorrections),
        (status = 403, description = "The article's host is not served here", body = ErrorBody),
        (status = 414, description = "The address is too long", body = ErrorBody),
        (status = 422, description = "article_url is missing or not a URL", body = ErrorBody),
    )
)]
pub async fn article_corrections(
    db: web::Data<Db>,
    sites: web::Data<SiteRules>,
    params: Query<CorrectionsParams>,
) -> Result<HttpResponse, ApiError> {
    let article = ArticleUrl::canonicalise(&params.0.article_url, &sites)?;
    let url = article.url.clone();
    let (reviewed, list) = db
        .run(move |c| {
            Ok(match corrections::article_by_url(c, &url)? {
                Some((id, at, by)) => ((at, by), corrections::of_article(c, id)?),
                None => ((None, None), Vec::new()),
            })
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, CACHE))
        .json(PublicCorrections {
            article_url: article.url,
            last_reviewed_at: reviewed.0.map(utc),
            reviewed_by: reviewed.1,
            corrections: list
                .iter()
                .map(|c| PublicCorrection {
                    text: c.body.clone(),
                    published_at: utc(c.published_at),
                })
                .collect(),
        }))
}

/// The newest corrections on every article, as an Atom feed.
pub async fn feed(
    db: web::Data<Db>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, ApiError> {
    let latest = db
        .run(|c| Ok(corrections::latest(c, FEED_ENTRIES)?))
        .await?;
    let base = settings.server.public_url.as_str().trim_end_matches('/');
    Ok(HttpResponse::Ok()
        .content_type("application/atom+xml; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, CACHE))
        .body(atom(base, &latest, crate::db::now())))
}

fn rfc3339(t: NaiveDateTime) -> String {
    utc(t).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Text as XML character data or an attribute value: the five special characters escaped, and
/// characters XML 1.0 does not allow at all (most control characters) left out.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

fn atom(
    base: &str,
    entries: &[(Correction, String, Option<String>)],
    now: NaiveDateTime,
) -> String {
    let updated = entries.first().map_or(now, |(c, _, _)| c.published_at);
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
         <feed xmlns=\"http://www.w3.org/2005/Atom\">\n\
         <id>{id}</id>\n<title>Corrections</title>\n<updated>{updated}</updated>\n\
         <link rel=\"self\" href=\"{id}\"/>\n<author><name>{author}</name></author>\n",
        id = xml(&format!("{base}/corrections.atom")),
        updated = rfc3339(updated),
        author = xml(base),
    );
    for (c, url, title) in entries {
        let title = title.as_deref().unwrap_or(url);
        out.push_str(&format!(
            "<entry>\n<id>{id}</id>\n<title>Correction: {title}</title>\n\
             <link href=\"{url}\"/>\n<published>{at}</published>\n<updated>{at}</updated>\n\
             <content type=\"text\">{text}</content>\n</entry>\n",
            id = xml(&format!("{base}/corrections.atom#correction-{}", c.id)),
            title = xml(title),
            url = xml(url),
            at = rfc3339(c.published_at),
            text = xml(&c.body),
        ));
    }
    out.push_str("</feed>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_feed_escapes_everything_and_parses() {
        let t = chrono::DateTime::from_timestamp(1_800_000_000, 0)
            .unwrap()
            .naive_utc();
        let entry = Correction {
            id: 3,
            article_id: 1,
            report_id: None,
            body: "Dose was <b>\"800 mg\"</b> & is now 400 mg\u{0}.".into(),
            created_by: "ed".into(),
            published_at: t,
        };
        let feed = atom(
            "https://feedback.example.org",
            &[(
                entry,
                "https://health.example.org/a?x=1&y=2".into(),
                Some("Aspirin <i>daily</i>".into()),
            )],
            t,
        );
        let doc = roxmltree::Document::parse(&feed).expect("well-formed XML");
        let content = doc
            .descendants()
            .find(|n| n.has_tag_name("content"))
            .and_then(|n| n.text());
        assert_eq!(content, Some("Dose was <b>\"800 mg\"</b> & is now 400 mg."));
        let link = doc.descendants().find(|n| {
            n.has_tag_name("link") && n.parent().is_some_and(|p| p.has_tag_name("entry"))
        });
        assert_eq!(
            link.and_then(|l| l.attribute("href")),
            Some("https://health.example.org/a?x=1&y=2")
        );
    }
}
