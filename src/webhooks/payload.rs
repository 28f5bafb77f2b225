//! What a delivery's body says, in each format. The JSON format is flagpole's own, versioned
//! (`"version": 1`; fields are only ever added within a version) with ids and dashboard links;
//! Slack gets an incoming-webhook message with blocks, Teams an incoming-webhook message with an
//! Adaptive Card. Both chat formats carry the same short message: a title, a sentence or two,
//! a few facts and a button into the dashboard, and never reader text.

use chrono::NaiveDateTime;
use serde_json::{json, Value};

use super::{ArticleRef, Event};
use crate::domain::scrub::redact_email_addresses;
use crate::domain::WebhookFormat;
use crate::mail::templates::shorten;

/// The version of the JSON format.
pub const VERSION: u32 = 1;

/// The body of one delivery.
pub fn render(
    event: &Event,
    format: WebhookFormat,
    include_text: bool,
    public_url: &str,
    at: NaiveDateTime,
) -> serde_json::Result<String> {
    let links = Links(public_url);
    let value = match format {
        WebhookFormat::Json => generic(event, include_text, &links, at),
        WebhookFormat::Slack => slack(&message(event, &links)),
        WebhookFormat::Teams => teams(&message(event, &links)),
    };
    serde_json::to_string(&value)
}

/// Dashboard links.
struct Links<'a>(&'a str);

impl Links<'_> {
    fn dashboard(&self) -> String {
        format!("{}/dashboard", self.0)
    }
    fn article(&self, id: i64) -> String {
        format!("{}/dashboard/articles/{id}", self.0)
    }
    fn report(&self, article_id: i64, report_id: i64) -> String {
        format!(
            "{}/dashboard/articles/{article_id}#report-{report_id}",
            self.0
        )
    }
    fn webhooks(&self) -> String {
        format!("{}/dashboard/webhooks", self.0)
    }
}

fn article_json(a: &ArticleRef, links: &Links) -> Value {
    json!({
        "id": a.id,
        "url": a.url,
        "title": a.title,
        "dashboard_url": links.article(a.id),
    })
}

/// Reader text as the JSON format carries it: with e-mail addresses redacted.
fn reader_text(text: &Option<String>) -> Value {
    text.as_deref()
        .map_or(Value::Null, |t| Value::String(redact_email_addresses(t)))
}

fn generic(event: &Event, include_text: bool, links: &Links, at: NaiveDateTime) -> Value {
    let mut body = json!({
        "version": VERSION,
        "event": event.kind().as_str(),
        "occurred_at": at.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "summary": message(event, links).title,
    });
    let extra = match event {
        Event::AlertFired { article, alerts } => json!({
            "article": article_json(article, links),
            "alerts": alerts.iter().map(|a| json!({
                "id": a.id,
                "rule": a.rule,
                "reason": a.reason,
                "figures": a.figures,
            })).collect::<Vec<_>>(),
        }),
        Event::ReportCreated {
            article,
            report_id,
            problem_id,
            category,
            quote,
            details,
        } => {
            let mut report = json!({
                "id": report_id,
                "problem_id": problem_id,
                "category": category.as_str(),
                "category_label": category.label(),
                "dashboard_url": links.report(article.id, *report_id),
            });
            if include_text {
                report["quote"] = reader_text(quote);
                report["details"] = reader_text(details);
            }
            json!({ "article": article_json(article, links), "report": report })
        }
        Event::ProblemResolved {
            article,
            problem_id,
            report_ids,
            note,
        } => json!({
            "article": article_json(article, links),
            "problem": {
                "id": problem_id,
                "report_ids": report_ids,
                "note": note,
            },
        }),
        Event::DigestReady {
            week,
            from,
            to,
            recipients,
        } => json!({
            "digest": {
                "week": week,
                "from": from.to_string(),
                "to": to.to_string(),
                "recipients": recipients,
                "dashboard_url": links.dashboard(),
            },
        }),
        Event::Test => json!({ "dashboard_url": links.webhooks() }),
    };
    if let (Some(body), Value::Object(extra)) = (body.as_object_mut(), extra) {
        body.extend(extra);
    }
    body
}

/// The short message both chat formats show.
struct Message {
    title: String,
    lines: Vec<String>,
    facts: Vec<(&'static str, String)>,
    link: (&'static str, String),
}

fn title_of(a: &ArticleRef) -> String {
    let title = a.title.as_deref().unwrap_or(&a.url);
    shorten(&title.split_whitespace().collect::<Vec<_>>().join(" "), 80)
}

fn message(event: &Event, links: &Links) -> Message {
    match event {
        Event::AlertFired { article, alerts } => Message {
            title: format!("Alert: '{}' needs attention", title_of(article)),
            lines: alerts.iter().map(|a| a.reason.clone()).collect(),
            facts: vec![("Article", article.url.clone())],
            link: ("Open the article", links.article(article.id)),
        },
        Event::ReportCreated {
            article,
            report_id,
            category,
            ..
        } => Message {
            title: format!(
                "New report: {} on '{}'",
                category.label(),
                title_of(article)
            ),
            lines: vec!["A reader reported a problem with this article.".into()],
            facts: vec![
                ("Category", category.label().to_string()),
                ("Article", article.url.clone()),
            ],
            link: ("Open the report", links.report(article.id, *report_id)),
        },
        Event::ProblemResolved {
            article,
            report_ids,
            note,
            ..
        } => {
            let n = report_ids.len();
            let mut lines = vec![if n == 1 {
                "An editor resolved the report.".to_string()
            } else {
                format!("An editor resolved the problem ({n} reports).")
            }];
            if let Some(note) = note {
                lines.push(format!("Note: {note}"));
            }
            Message {
                title: format!("Resolved: a problem on '{}'", title_of(article)),
                lines,
                facts: vec![("Article", article.url.clone())],
                link: ("Open the article", links.article(article.id)),
            }
        }
        Event::DigestReady {
            week,
            from,
            to,
            recipients,
        } => Message {
            title: format!("The weekly digest for {week} is ready"),
            lines: vec![format!(
                "Sent to {recipients} editor(s): feedback from {} to {}.",
                from.format("%-d %B"),
                to.format("%-d %B %Y")
            )],
            facts: vec![("Week", week.clone())],
            link: ("Open the dashboard", links.dashboard()),
        },
        Event::Test => Message {
            title: "Test from flagpole".into(),
            lines: vec!["This webhook works: flagpole can post here.".into()],
            facts: Vec::new(),
            link: ("Manage webhooks", links.webhooks()),
        },
    }
}

/// Slack's mrkdwn treats these three as markup; everything else is text.
fn slack_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A Slack incoming-webhook message: `text` is the notification's fallback, the blocks what the
/// channel shows.
fn slack(m: &Message) -> Value {
    let mut body = format!("*{}*", slack_escape(&m.title));
    for line in &m.lines {
        body.push('\n');
        body.push_str(&slack_escape(line));
    }
    let mut blocks = vec![json!({
        "type": "section",
        "text": { "type": "mrkdwn", "text": body },
    })];
    if !m.facts.is_empty() {
        blocks.push(json!({
            "type": "section",
            "fields": m.facts.iter().map(|(k, v)| json!({
                "type": "mrkdwn",
                "text": format!("*{k}*\n{}", slack_escape(v)),
            })).collect::<Vec<_>>(),
        }));
    }
    blocks.push(json!({
        "type": "actions",
        "elements": [{
            "type": "button",
            "text": { "type": "plain_text", "text": m.link.0 },
            "url": m.link.1,
        }],
    }));
    json!({ "text": m.title, "blocks": blocks })
}

/// A Teams incoming-webhook message carrying one Adaptive Card (version 1.4, which Teams
/// renders).
fn teams(m: &Message) -> Value {
    let mut body = vec![json!({
        "type": "TextBlock",
        "text": m.title,
        "weight": "Bolder",
        "size": "Medium",
        "wrap": true,
    })];
    for line in &m.lines {
        body.push(json!({ "type": "TextBlock", "text": line, "wrap": true }));
    }
    if !m.facts.is_empty() {
        body.push(json!({
            "type": "FactSet",
            "facts": m.facts.iter().map(|(k, v)| json!({ "title": k, "value": v })).collect::<Vec<_>>(),
        }));
    }
    json!({
        "type": "message",
        "summary": m.title,
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.4",
                "body": body,
                "actions": [{ "type": "Action.OpenUrl", "title": m.link.0, "url": m.link.1 }],
            },
        }],
    })
}
