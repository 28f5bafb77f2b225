//! The thank-you e-mail to a reader whose report was resolved (only with their consent).

use maud::{html, DOCTYPE};

use crate::db::articles::Article;
use crate::db::reports::Report;
use crate::mail::templates::{short_title, Email};

/// The short "thank you / we fixed it" to a reader who consented to be contacted. Nothing the
/// reader wrote is repeated back except their passage, and no editor's address is disclosed.
pub fn render(article: &Article, report: &Report, note: Option<&str>) -> Email {
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
