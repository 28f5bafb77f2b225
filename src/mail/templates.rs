//! The alert e-mail, and what every e-mail editors receive shares (the digest's own template is
//! in `digest.rs`), as plain text and HTML. Everything a reader wrote is marked as
//! reader text; the HTML is escaped by maud.

use maud::{html, Markup, DOCTYPE};

use crate::alerts::{Figures, Fired};
use crate::db::articles::Article;
use crate::db::reports::Report;
use crate::domain::Category;

pub struct Email {
    pub subject: String,
    pub text: String,
    pub html: String,
}

pub struct AlertContext<'a> {
    pub article: &'a Article,
    /// Most urgent first.
    pub fired: &'a [Fired<'a>],
    /// The newest open reports.
    pub latest: &'a [Report],
    pub public_url: &'a str,
    pub unsubscribe_url: &'a str,
}

/// The article's title, or its address when readers never sent one; shortened for subjects.
fn short_title(article: &Article) -> String {
    shorten(article.title.as_deref().unwrap_or(&article.url), 80)
}

/// At most `max` characters, with an ellipsis when cut.
pub(super) fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() > max {
        format!("{}…", text.chars().take(max - 1).collect::<String>())
    } else {
        text.to_string()
    }
}

pub(super) fn percent(share: f64) -> String {
    format!("{:.0} %", share * 100.0)
}

/// How reader text is set off in HTML e-mails.
pub(super) const QUOTE_STYLE: &str = "margin:4px 0 8px;padding:6px 10px;border-left:4px solid #8a8a8a;background:#f4f4f4;white-space:pre-wrap";
pub(super) const NOTE_STYLE: &str = "color:#555;font-size:.85em";

/// Reader text in a plain-text e-mail: each line quoted with "> ", indented.
pub(super) fn quote_lines(out: &mut String, indent: &str, text: &str) {
    for line in text.lines() {
        out.push_str(&format!("{indent}> {line}\n"));
    }
}

/// The plain-text signature, with the way out of this kind of e-mail.
pub(super) fn text_footer(out: &mut String, stop: &str, unsubscribe_url: &str) {
    out.push_str(&format!(
        "\n-- \nYou receive this because you are a flagpole editor.\n{stop}: {unsubscribe_url}\n"
    ));
}

/// The HTML frame every e-mail shares: title, body and the footer with the way out.
pub(super) fn html_document(
    title: &str,
    body: Markup,
    stop: &str,
    unsubscribe_url: &str,
) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head { meta charset="utf-8"; title { (title) } }
            body style="font-family:system-ui,-apple-system,Segoe UI,sans-serif;line-height:1.5;color:#1b1b1b;max-width:40rem" {
                (body)
                hr;
                p style=(NOTE_STYLE) {
                    "You receive this because you are a flagpole editor. "
                    a href=(unsubscribe_url) { (stop) }
                }
            }
        }
    }
}

fn subject(ctx: &AlertContext) -> String {
    let title = short_title(ctx.article);
    match ctx.fired.first().map(|f| &f.figures) {
        Some(Figures::Immediate { category }) => {
            format!("{}: a reader reported '{title}'", category.label())
        }
        Some(Figures::OpenReports { open_reports, .. }) => {
            format!("{open_reports} open reports on '{title}'")
        }
        Some(Figures::NotHelpfulShare { share, votes, .. }) => format!(
            "{} of readers found '{title}' unhelpful ({votes} votes)",
            percent(*share)
        ),
        None => format!("Feedback on '{title}'"),
    }
}

/// One sentence per rule that fired.
fn explain(f: &Fired) -> String {
    match &f.figures {
        Figures::Immediate { category } => format!(
            "A reader reported this article as \"{}\". Rule \"{}\" alerts at once for this category.",
            category.label(),
            f.rule
        ),
        Figures::OpenReports {
            open_reports,
            min_reports,
            window_days,
        } => format!(
            "{open_reports} open reports in the last {window_days} days (rule \"{}\": {min_reports} or more).",
            f.rule
        ),
        Figures::NotHelpfulShare {
            not_helpful,
            votes,
            share,
            min_share,
            min_votes,
            window_days,
        } => format!(
            "{not_helpful} of {votes} readers ({}) said it was not helpful in the last {window_days} days \
             (rule \"{}\": {} or more of at least {min_votes} votes).",
            percent(*share),
            f.rule,
            percent(*min_share)
        ),
    }
}

fn helpfulness(a: &Article) -> String {
    match a.helpful_share() {
        Some(share) => format!(
            "{} helpful, {} not helpful ({} helpful) in all",
            a.helpful,
            a.not_helpful,
            percent(share)
        ),
        None => "no votes yet".to_string(),
    }
}

fn open_by_category(a: &Article) -> String {
    let parts: Vec<String> = Category::ALL
        .iter()
        .filter(|c| a.open_in(**c) > 0)
        .map(|c| format!("{} {}", a.open_in(*c), c.label().to_lowercase()))
        .collect();
    if parts.is_empty() {
        "none".into()
    } else {
        parts.join(", ")
    }
}

fn category_label(report: &Report) -> &'static str {
    Category::parse(&report.category).map_or("Other", Category::label)
}

fn is_harmful(ctx: &AlertContext) -> bool {
    ctx.fired.iter().any(|f| {
        matches!(
            f.figures,
            Figures::Immediate {
                category: Category::Harmful
            }
        )
    })
}

pub fn alert(ctx: &AlertContext) -> Email {
    let dashboard = format!("{}/dashboard/articles/{}", ctx.public_url, ctx.article.id);
    Email {
        subject: subject(ctx),
        text: alert_text(ctx, &dashboard),
        html: alert_html(ctx, &dashboard).into_string(),
    }
}

fn alert_text(ctx: &AlertContext, dashboard: &str) -> String {
    let a = ctx.article;
    let mut out = String::new();
    if is_harmful(ctx) {
        out.push_str("POSSIBLE HARM: a reader says this article could cause harm. Please check it first.\n\n");
    }
    for f in ctx.fired {
        out.push_str(&explain(f));
        out.push('\n');
    }
    out.push_str(&format!(
        "\nArticle: {}\n{}\nIn flagpole: {dashboard}\n\nHelpfulness: {}\nOpen reports: {}\n",
        short_title(a),
        a.url,
        helpfulness(a),
        open_by_category(a)
    ));
    if !ctx.latest.is_empty() {
        out.push_str("\nLatest open reports (reader text, unverified, quoted with \"> \"):\n");
        for r in ctx.latest {
            out.push_str(&format!(
                "\n* {} — {} UTC{}\n",
                category_label(r),
                r.created_at.format("%Y-%m-%d %H:%M"),
                r.revision
                    .as_deref()
                    .map(|v| format!(" — revision seen: {v}"))
                    .unwrap_or_default()
            ));
            for (label, value) in [("Passage", &r.quote), ("Details", &r.details)] {
                if let Some(value) = value {
                    out.push_str(&format!("  {label}:\n"));
                    quote_lines(&mut out, "  ", value);
                }
            }
        }
    }
    text_footer(&mut out, "Stop alert e-mails", ctx.unsubscribe_url);
    out
}

fn alert_html(ctx: &AlertContext, dashboard: &str) -> Markup {
    let a = ctx.article;
    let body = html! {
        @if is_harmful(ctx) {
            p style="padding:10px 14px;background:#fde8e8;border:2px solid #b00020;color:#7a0014;font-weight:bold" {
                "Possible harm: a reader says this article could cause harm. Please check it first."
            }
        }
        @for f in ctx.fired { p { (explain(f)) } }
        h2 style="font-size:1.2em;margin-bottom:0" { a href=(a.url) { (short_title(a)) } }
        p style="margin-top:4px" {
            (a.url) br;
            a href=(dashboard) { "Open this article in flagpole" }
        }
        table style="border-collapse:collapse" {
            tr { th style="text-align:left;padding-right:1em" { "Helpfulness" } td { (helpfulness(a)) } }
            tr { th style="text-align:left;padding-right:1em" { "Open reports" } td { (open_by_category(a)) } }
        }
        @if !ctx.latest.is_empty() {
            h3 style="font-size:1.05em" { "Latest open reports" }
            p style="color:#555;font-size:.9em" { "Quoted text was written by readers and is unverified." }
            @for r in ctx.latest {
                div style="margin-bottom:14px" {
                    strong { (category_label(r)) }
                    " · " (r.created_at.format("%Y-%m-%d %H:%M")) " UTC"
                    @if let Some(rev) = &r.revision { " · revision seen: " (rev) }
                    @if let Some(q) = &r.quote {
                        div style="font-size:.85em;color:#555" { "Passage (reader text):" }
                        blockquote style=(QUOTE_STYLE) { (q) }
                    }
                    @if let Some(d) = &r.details {
                        div style="font-size:.85em;color:#555" { "Details (reader text):" }
                        blockquote style=(QUOTE_STYLE) { (d) }
                    }
                }
            }
        }
    };
    html_document(
        &subject(ctx),
        body,
        "Stop alert e-mails",
        ctx.unsubscribe_url,
    )
}

/// The short "thank you / we fixed it" to a reader who consented to be contacted. Nothing the
/// reader wrote is repeated back except their passage, and no editor's address is disclosed.
pub fn reply(article: &Article, report: &Report, note: Option<&str>) -> Email {
    let title = short_title(article);
    let subject = format!("Thank you for your report on '{title}'");
    let passage = report.quote.as_deref().unwrap_or("");
    let mut text = format!(
        "Thank you for telling us about a problem with \"{title}\".\n\n\
         Our editors have looked at your report and dealt with it.\n"
    );
    if !passage.is_empty() {
        text.push_str(&format!("\nThe passage you reported:\n> {passage}\n"));
    }
    if let Some(note) = note {
        text.push_str(&format!("\nWhat we did: {note}\n"));
    }
    text.push_str(&format!(
        "\nThe article: {}\n\nThis is the only e-mail we will send about this report.\n",
        article.url
    ));
    let html = html! {
        (DOCTYPE)
        html lang="en" {
            head { meta charset="utf-8"; title { (subject) } }
            body style="font-family:system-ui,sans-serif;line-height:1.5;max-width:36rem" {
                p { "Thank you for telling us about a problem with " a href=(article.url) { (title) } "." }
                p { "Our editors have looked at your report and dealt with it." }
                @if !passage.is_empty() {
                    p { "The passage you reported:" }
                    blockquote style="border-left:4px solid #8a8a8a;padding-left:10px" { (passage) }
                }
                @if let Some(note) = note { p { "What we did: " (note) } }
                p style="color:#555;font-size:.9em" { "This is the only e-mail we will send about this report." }
            }
        }
    };
    Email {
        subject,
        text,
        html: html.into_string(),
    }
}
