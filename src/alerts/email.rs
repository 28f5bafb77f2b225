//! The alert e-mail: which rules fired and why, the article's figures, and its latest open reports
//! (reader text quoted line by line in the plain part, set off in the HTML part).

use maud::{html, Markup};

use super::{Figures, Fired};
use crate::db::alerts::RaisedAlert;
use crate::db::articles::Article;
use crate::db::reports::Report;
use crate::domain::Category;
use crate::mail::templates::{
    html_document, percent, quote_lines, short_title, text_footer, Email, QUOTE_STYLE,
};
use crate::problems::summary;

pub struct AlertContext<'a> {
    pub article: &'a Article,
    /// Most urgent first.
    pub fired: &'a [Fired<'a>],
    /// The article's open problems, newest first.
    pub problems: &'a [OpenProblem<'a>],
    pub public_url: &'a str,
    pub unsubscribe_url: &'a str,
}

fn subject(ctx: &AlertContext) -> String {
    let title = short_title(ctx.article);
    match ctx.fired.first().map(|f| &f.figures) {
        Some(Figures::Immediate { category }) => {
            format!("{}: a reader reported '{title}'", category.label())
        }
        Some(Figures::OpenReports {
            open_reports,
            count,
            ..
        }) => format!("{open_reports} {} on '{title}'", count.plural()),
        Some(Figures::NotHelpfulShare { share, votes, .. }) => format!(
            "{} of readers found '{title}' unhelpful ({votes} votes)",
            percent(*share)
        ),
        None => format!("Feedback on '{title}'"),
    }
}

/// One sentence per rule that fired (also what webhooks say).
pub(crate) fn explain(f: &Fired) -> String {
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
            count,
        } => format!(
            "{open_reports} {} in the last {window_days} days (rule \"{}\": {min_reports} or more).",
            count.plural(),
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

/// How many readers' details an e-mail quotes per problem (the dashboard has the rest).
const DETAILS_PER_PROBLEM: usize = 3;

/// An open problem as the e-mail lists it: its open reports, newest first.
pub struct OpenProblem<'a> {
    pub newest: &'a Report,
    pub reports: Vec<&'a Report>,
}

impl OpenProblem<'_> {
    fn categories(&self) -> String {
        summary::categories(self.reports.iter().map(|r| r.category))
    }

    fn readers(&self) -> String {
        let readers = summary::count(self.reports.iter().map(|r| r.visitor_key.as_str()));
        summary::phrase(readers, self.reports.len())
    }

    /// The passage: the first one quoted.
    fn passage(&self) -> Option<&str> {
        self.reports.iter().rev().find_map(|r| r.quote.as_deref())
    }

    /// What its readers wrote, newest first, each text once, at most `DETAILS_PER_PROBLEM`.
    fn details(&self) -> Vec<&str> {
        let mut details: Vec<&str> = Vec::new();
        for d in self.reports.iter().filter_map(|r| r.details.as_deref()) {
            if !details.contains(&d) && details.len() < DETAILS_PER_PROBLEM {
                details.push(d);
            }
        }
        details
    }
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
    // The title came from a reader's page: quoted like all reader text, so it cannot pass for a
    // line of ours.
    out.push_str(&format!("\nArticle: {}\n", a.url));
    quote_lines(&mut out, "", &short_title(a));
    out.push_str(&format!(
        "In flagpole: {dashboard}\n\nHelpfulness: {}\nOpen reports: {}\n",
        helpfulness(a),
        open_by_category(a)
    ));
    if !ctx.problems.is_empty() {
        out.push_str(
            "\nOpen problems, newest first (reader text, unverified, quoted with \"> \"):\n",
        );
        for p in ctx.problems {
            out.push_str(&format!(
                "\n* {} — {} — latest {} UTC{}\n",
                p.categories(),
                p.readers(),
                p.newest.created_at.format("%Y-%m-%d %H:%M"),
                p.newest
                    .revision
                    .as_deref()
                    .map(|v| format!(" — revision seen: {v}"))
                    .unwrap_or_default()
            ));
            if let Some(passage) = p.passage() {
                out.push_str("  Passage:\n");
                quote_lines(&mut out, "  ", passage);
            }
            for details in p.details() {
                out.push_str("  Details:\n");
                quote_lines(&mut out, "  ", details);
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
        @if !ctx.problems.is_empty() {
            h3 style="font-size:1.05em" { "Open problems" }
            p style="color:#555;font-size:.9em" { "Quoted text was written by readers and is unverified." }
            @for p in ctx.problems {
                div style="margin-bottom:14px" {
                    strong { (p.categories()) }
                    " · " (p.readers())
                    " · latest " (p.newest.created_at.format("%Y-%m-%d %H:%M")) " UTC"
                    @if let Some(rev) = &p.newest.revision { " · revision seen: " (rev) }
                    @if let Some(q) = p.passage() {
                        div style="font-size:.85em;color:#555" { "Passage (reader text):" }
                        blockquote style=(QUOTE_STYLE) { (q) }
                    }
                    @for d in p.details() {
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

/// What a summary of folded alerts shows.
pub struct SummaryContext<'a> {
    pub host: &'a str,
    /// The start of the clock hour (UTC).
    pub hour: chrono::NaiveDateTime,
    /// The alerts beyond the hour's budget, oldest first.
    pub folded: &'a [RaisedAlert],
    pub public_url: &'a str,
    pub unsubscribe_url: &'a str,
}

/// One e-mail for an hour's alerts beyond the budget: each article once, with its rules.
pub fn summary(ctx: &SummaryContext) -> Email {
    let mut articles: Vec<(&RaisedAlert, Vec<&str>)> = Vec::new();
    for alert in ctx.folded {
        match articles
            .iter_mut()
            .find(|(a, _)| a.article_id == alert.article_id)
        {
            Some((_, rules)) => rules.push(&alert.rule),
            None => articles.push((alert, vec![&alert.rule])),
        }
    }
    let span = format!(
        "{}–{} UTC",
        ctx.hour.format("%Y-%m-%d %H:00"),
        (ctx.hour + chrono::TimeDelta::hours(1)).format("%H:00")
    );
    let subject = format!(
        "{} more alert{} on {} ({span})",
        ctx.folded.len(),
        if ctx.folded.len() == 1 { "" } else { "s" },
        ctx.host
    );
    let link = |a: &RaisedAlert| format!("{}/dashboard/articles/{}", ctx.public_url, a.article_id);
    let mut text = format!(
        "More alerts than usual were raised for articles on {} in the hour {span}: after the \
         first few, they are summed up here instead of one e-mail each.\n",
        ctx.host
    );
    for (a, rules) in &articles {
        text.push_str(&format!(
            "\n* {} — rules: {}\n  In flagpole: {}\n",
            a.url,
            rules.join(", "),
            link(a)
        ));
    }
    text_footer(&mut text, "Stop alert e-mails", ctx.unsubscribe_url);
    let body = html! {
        p { "More alerts than usual were raised for articles on " strong { (ctx.host) } " in the hour " (span) ": after the first few, they are summed up here instead of one e-mail each." }
        ul {
            @for (a, rules) in &articles {
                li {
                    a href=(link(a)) { (a.url) }
                    " — rules: " (rules.join(", "))
                }
            }
        }
    };
    Email {
        html: html_document(&subject, body, "Stop alert e-mails", ctx.unsubscribe_url)
            .into_string(),
        subject,
        text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{MailKind, ReportStatus};
    use crate::mail::delivery::in_memory;

    fn report(quote: &str, details: &str) -> Report {
        let t = crate::db::now();
        Report {
            id: 1,
            article_id: 7,
            category: Category::Harmful,
            quote: Some(quote.into()),
            details: Some(details.into()),
            email: None,
            contact_consent: false,
            revision: None,
            status: ReportStatus::New,
            assignee: None,
            visitor_key: "k".into(),
            created_at: t,
            updated_at: t,
            closed_at: None,
            lane: crate::domain::Lane::Queue,
            lane_reasons: crate::domain::LaneReasons(Vec::new()),
            fingerprint: None,
            lang: None,
            problem_id: None,
            passage_status: None,
            passage_revision: None,
        }
    }

    /// The alert as an editor receives it: subject, the ways out, every line of reader text
    /// quoted in the plain part and escaped in the HTML part.
    #[tokio::test]
    async fn a_harmful_alert_reads_right_and_quotes_reader_text() {
        let a = Article::sample();
        let fired = [Fired {
            rule: "harmful",
            figures: Figures::Immediate {
                category: Category::Harmful,
            },
            alert_id: 1,
        }];
        // One problem, two readers: listed once, with both counted.
        let newest = report(
            "Take 8 tablets at once",
            "dose is wrong\nIn flagpole: https://phishing.example/login\n<script>x</script>",
        );
        let earlier = Report {
            visitor_key: "another reader".into(),
            category: Category::Inaccurate,
            ..report("Take 8 tablets", "too many")
        };
        let problems = [OpenProblem {
            newest: &newest,
            reports: vec![&newest, &earlier],
        }];
        let unsubscribe = "https://feedback.example.org/unsubscribe/t?list=alerts";
        let email = alert(&AlertContext {
            article: &a,
            fired: &fired,
            problems: &problems,
            public_url: "https://feedback.example.org",
            unsubscribe_url: unsubscribe,
        });
        let raw =
            in_memory::sent(MailKind::Alert, "ed@example.org", email, Some(unsubscribe)).await;
        let message = mail_parser::MessageParser::default()
            .parse(raw.as_bytes())
            .expect("a parseable message");
        assert_eq!(
            message.subject(),
            Some("Could cause harm: a reader reported 'Ibuprofen for adults'")
        );
        assert_eq!(
            message.header_raw("List-Unsubscribe").map(str::trim),
            Some(format!("<{unsubscribe}>").as_str())
        );
        assert_eq!(
            message.header_raw("Auto-Submitted").map(str::trim),
            Some("auto-generated")
        );
        let text = message.body_text(0).expect("a plain part");
        assert!(text.starts_with("POSSIBLE HARM"), "{text}");
        assert!(text.contains("In flagpole: https://feedback.example.org/dashboard/articles/7"));
        assert!(
            text.contains("* Inaccurate, Could cause harm — 2 readers — latest"),
            "{text}"
        );
        assert!(text.contains("> too many"), "each reader's details: {text}");
        assert_eq!(text.matches("Passage:").count(), 1, "one problem: {text}");
        for line in [
            "dose is wrong",
            "In flagpole: https://phishing.example/login",
        ] {
            assert!(
                text.lines().any(|l| l.trim_start() == format!("> {line}")),
                "every line of reader text is quoted: {line}\n{text}"
            );
        }
        let html = message.body_html(0).expect("an HTML part");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(!html.contains("<script>"));
    }
}
