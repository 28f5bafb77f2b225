//! What every e-mail shares, as plain text and HTML: the frame with its way out, how reader text
//! is set off, shortening and percentages. Each capability writes its own e-mails with these
//! (alerts, the digest, the thank-you to a reader). Everything a reader wrote is marked as reader
//! text; the HTML is escaped by maud.

use maud::{html, Markup, DOCTYPE};

use crate::db::articles::Article;

pub struct Email {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// The article's title, or its address when readers never sent one; shortened for subjects.
pub fn short_title(article: &Article) -> String {
    // One line whatever was stored before titles were made one line at ingest.
    let title = article.title.as_deref().unwrap_or(&article.url);
    shorten(&title.split_whitespace().collect::<Vec<_>>().join(" "), 80)
}

/// At most `max` characters, with an ellipsis when cut.
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() > max {
        format!("{}…", text.chars().take(max - 1).collect::<String>())
    } else {
        text.to_string()
    }
}

pub fn percent(share: f64) -> String {
    format!("{:.0} %", share * 100.0)
}

/// How reader text is set off in HTML e-mails.
pub const QUOTE_STYLE: &str = "margin:4px 0 8px;padding:6px 10px;border-left:4px solid #8a8a8a;background:#f4f4f4;white-space:pre-wrap";
pub const NOTE_STYLE: &str = "color:#555;font-size:.85em";

/// Reader text in a plain-text e-mail: each line quoted with "> ", indented.
pub fn quote_lines(out: &mut String, indent: &str, text: &str) {
    for line in text.lines() {
        out.push_str(&format!("{indent}> {line}\n"));
    }
}

/// The plain-text signature, with the way out of this kind of e-mail.
pub fn text_footer(out: &mut String, stop: &str, unsubscribe_url: &str) {
    out.push_str(&format!(
        "\n-- \nYou receive this because you are a flagpole editor.\n{stop}: {unsubscribe_url}\n"
    ));
}

/// The HTML frame every e-mail shares: title, body and the footer with the way out.
pub fn html_document(title: &str, body: Markup, stop: &str, unsubscribe_url: &str) -> Markup {
    framed(
        title,
        body,
        html! {
            "You receive this because you are a flagpole editor. "
            a href=(unsubscribe_url) { (stop) }
        },
    )
}

/// The frame of an e-mail someone asked for once (an invitation, a password reset): no way out
/// to offer, only why it came.
pub fn html_one_off(title: &str, body: Markup, why: &str) -> Markup {
    framed(title, body, html! { (why) })
}

fn framed(title: &str, body: Markup, footer: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head { meta charset="utf-8"; title { (title) } }
            body style="font-family:system-ui,-apple-system,Segoe UI,sans-serif;line-height:1.5;color:#1b1b1b;max-width:40rem" {
                (body)
                hr;
                p style=(NOTE_STYLE) { (footer) }
            }
        }
    }
}
