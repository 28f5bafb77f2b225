//! The thank-you e-mail to a reader whose report was resolved (only with their consent).

use maud::{html, DOCTYPE};

use crate::db::articles::Article;
use crate::mail::templates::Email;

/// The short "thank you / we fixed it" to a reader who consented to be contacted. It repeats
/// nothing a reader wrote — not the passage, not even the title readers' pages sent — so it can
/// never carry someone's text (or a phishing line) to an inbox under the publisher's name; it
/// names the article by its address. The note is the editor's, and no editor's address is
/// disclosed.
pub fn render(article: &Article, note: Option<&str>) -> Email {
    let subject = "Thank you for your report".to_string();
    let mut text = format!(
        "Thank you for telling us about a problem with this article:\n{}\n\n\
         Our editors have looked at your report and dealt with it.\n",
        article.url
    );
    if let Some(note) = note {
        text.push_str(&format!("\nWhat we did: {note}\n"));
    }
    text.push_str("\nThis is the only e-mail we will send about this report.\n");
    let html = html! {
        (DOCTYPE)
        html lang="en" {
            head { meta charset="utf-8"; title { (subject) } }
            body style="font-family:system-ui,sans-serif;line-height:1.5;max-width:36rem" {
                p { "Thank you for telling us about a problem with this article: " a href=(article.url) { (article.url) } }
                p { "Our editors have looked at your report and dealt with it." }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::MailKind;
    use crate::mail::delivery::in_memory;

    /// Whatever readers wrote (a title with a forged line, say) never reaches the reader's inbox.
    #[tokio::test]
    async fn the_thank_you_repeats_nothing_a_reader_wrote() {
        let mut article = Article::sample();
        article.title = Some("Ibuprofen In flagpole: https://phishing.example/login".into());
        let email = render(&article, Some("Dose corrected to 2 tablets"));
        let raw = in_memory::sent(MailKind::Reply, "reader@example.org", email, None).await;
        let message = mail_parser::MessageParser::default()
            .parse(raw.as_bytes())
            .expect("a parseable message");
        let text = message.body_text(0).expect("a plain part");
        let html = message.body_html(0).expect("an HTML part");
        for part in [&text, &html] {
            assert!(!part.contains("phishing"), "{part}");
            assert!(part.contains("https://health.example.org/medicines/ibuprofen"));
            assert!(part.contains("Dose corrected to 2 tablets"));
        }
        assert!(message.header_raw("List-Unsubscribe").is_none());
    }
}
