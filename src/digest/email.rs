//! The weekly digest e-mail, plain text and HTML. Sections with nothing in them are one line, and a
//! quiet week says so in one line instead of a row of empty tables. Report passages and details
//! are reader text: marked as such, quoted, and escaped in the HTML by maud.

use chrono::{NaiveDateTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use maud::{html, Markup};

use super::compose::{ArticleRef, Digest, ReviewDueItem, Votes};
use crate::mail::templates::{
    html_document, percent, quote_lines, shorten, text_footer, Email, NOTE_STYLE, QUOTE_STYLE,
};
use crate::problems::summary;

/// How much of a reader's text the digest quotes; the dashboard has the rest.
const READER_TEXT_CHARS: usize = 300;
const TITLE_CHARS: usize = 100;
const STOP: &str = "Stop the weekly digest";

pub struct DigestContext<'a> {
    pub digest: &'a Digest,
    pub editor_name: &'a str,
    /// Dates and times are shown in the digest's time zone.
    pub tz: Tz,
    pub public_url: &'a str,
    pub unsubscribe_url: &'a str,
}

impl DigestContext<'_> {
    fn article_link(&self, a: &ArticleRef) -> String {
        format!("{}/dashboard/articles/{}", self.public_url, a.id)
    }

    fn dashboard(&self) -> String {
        format!("{}/dashboard", self.public_url)
    }

    fn local(&self, at: NaiveDateTime) -> String {
        Utc.from_utc_datetime(&at)
            .with_timezone(&self.tz)
            .format("%Y-%m-%d %H:%M %Z")
            .to_string()
    }
}

pub fn render(ctx: &DigestContext) -> Email {
    Email {
        subject: subject(ctx.digest),
        text: text(ctx),
        html: html(ctx).into_string(),
    }
}

fn subject(d: &Digest) -> String {
    if d.is_quiet() {
        return format!("Weekly digest for {}: a quiet week", d.week);
    }
    let mut s = format!(
        "Weekly digest for {}: {}, {}",
        d.week,
        count(d.votes.total(), "vote", "votes"),
        count(d.new_reports_total(), "new report", "new reports")
    );
    if let Some((_, n)) = d
        .new_reports
        .iter()
        .find(|(c, _)| *c == crate::domain::Category::Harmful)
    {
        s.push_str(&format!(" ({n} could cause harm)"));
    }
    s
}

fn count(n: impl Into<i64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

fn week_label(d: &Digest) -> String {
    format!(
        "week {} of {} (Monday {} to Sunday {})",
        d.week.week(),
        d.week.year(),
        d.week.monday().format("%-d %B"),
        d.week.sunday().format("%-d %B %Y")
    )
}

fn scope_label(d: &Digest) -> String {
    if d.scopes.is_empty() {
        "all articles".into()
    } else {
        let scopes: Vec<String> = d.scopes.iter().map(|s| s.to_string()).collect();
        format!("articles under {}", scopes.join(", "))
    }
}

fn votes_phrase(v: Votes) -> String {
    match v.helpful_share() {
        Some(share) => format!("{} ({} helpful, {})", v.total(), v.helpful, percent(share)),
        None => "none".into(),
    }
}

fn votes_line(d: &Digest) -> String {
    format!(
        "Votes: {}; the week before: {}.",
        votes_phrase(d.votes),
        votes_phrase(d.votes_before)
    )
}

fn reports_line(d: &Digest) -> String {
    let queue = if d.new_reports.is_empty() {
        "New reports: none.".to_string()
    } else {
        let parts: Vec<String> = d
            .new_reports
            .iter()
            .map(|(c, n)| format!("{n} {}", c.label().to_lowercase()))
            .collect();
        format!(
            "New reports: {} ({}).",
            d.new_reports_total(),
            parts.join(", ")
        )
    };
    if d.elsewhere.is_empty() {
        return queue;
    }
    let total: i64 = d.elsewhere.iter().map(|(_, n)| n).sum();
    let parts: Vec<String> = d
        .elsewhere
        .iter()
        .map(|(lane, n)| format!("{n} {}", lane.label().to_lowercase()))
        .collect();
    format!(
        "{queue} Sorted into other lanes: {total} ({}).",
        parts.join(", ")
    )
}

fn resolved_line(d: &Digest) -> String {
    match d.median_time_to_resolve {
        Some(median) => format!(
            "Resolved: {}, median time to resolve {}.",
            count(d.resolved as i64, "report", "reports"),
            duration(median)
        ),
        None => "Resolved: none.".into(),
    }
}

fn alerts_line(d: &Digest) -> String {
    match d.alerts_total {
        0 => "Alerts: none.".into(),
        1 => "Alerts: 1 sent.".into(),
        n => format!("Alerts: {n} sent."),
    }
}

/// "under a minute", "40 min", "5 h 12 min", "3 days 4 h".
pub fn duration(d: TimeDelta) -> String {
    let minutes = d.num_minutes();
    let (days, hours, mins) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    match (days, hours, mins) {
        (0, 0, 0) => "under a minute".into(),
        (0, 0, m) => format!("{m} min"),
        (0, h, m) => format!("{h} h {m} min"),
        (1, h, _) => format!("1 day {h} h"),
        (d, h, _) => format!("{d} days {h} h"),
    }
}

fn quiet_line(d: &Digest) -> &'static str {
    if d.open_total == 0 {
        "A quiet week: no new votes, reports or alerts on these articles, and no report is waiting."
    } else {
        "A quiet week: no new votes, reports or alerts on these articles."
    }
}

fn open_summary(n: i64, harmful: i64) -> String {
    let mut s = count(n, "open report", "open reports");
    if harmful > 0 {
        s.push_str(&format!(", {harmful} could cause harm"));
    }
    s
}

fn drop_phrase(before: Votes, after: Votes) -> String {
    format!(
        "{} → {} helpful ({} votes, then {})",
        percent(before.helpful_share().unwrap_or(0.0)),
        percent(after.helpful_share().unwrap_or(0.0)),
        before.total(),
        after.total()
    )
}

const NO_ATTENTION: &str = "No article has open reports.";
const NO_OPEN: &str = "No report is waiting.";
const NO_ALERTS: &str = "No alerts this week.";
const NO_REVIEWS_DUE: &str = "No review is due.";

fn reviews_heading(d: &Digest) -> String {
    format!(
        "Reviews due ({} overdue, {} due soon)",
        d.reviews_overdue_total,
        d.reviews_due_total - d.reviews_overdue_total
    )
}

fn review_due_phrase(ctx: &DigestContext, r: &ReviewDueItem) -> String {
    let date = Utc
        .from_utc_datetime(&r.due_at)
        .with_timezone(&ctx.tz)
        .format("%-d %B %Y");
    if r.overdue {
        format!("overdue since {date} ({})", r.reason.label())
    } else {
        format!("due {date}")
    }
}

fn no_drops(min_votes: i64) -> String {
    format!("No article with at least {min_votes} votes in each week became less helpful.")
}

fn drops_heading(min_votes: i64) -> String {
    format!("Biggest drops in helpfulness (at least {min_votes} votes in each week)")
}

fn oldest_heading(d: &Digest) -> String {
    match (d.open_problems, d.open_total) {
        (1, 1) => "Oldest unresolved problems (1 open report)".to_string(),
        (p, r) if p == r => format!("Oldest unresolved problems ({r} open reports)"),
        (p, r) => format!("Oldest unresolved problems ({p} problems, {r} open reports)"),
    }
}

fn text(ctx: &DigestContext) -> String {
    let d = ctx.digest;
    let mut out = format!(
        "Weekly digest for {}: {}\nCovering {}.\n\n",
        ctx.editor_name,
        week_label(d),
        scope_label(d)
    );
    let quiet = d.is_quiet();
    if quiet {
        out.push_str(quiet_line(d));
        out.push('\n');
        if d.open_total == 0 && d.reviews_due_total == 0 {
            out.push_str(&format!("\nEverything in flagpole: {}\n", ctx.dashboard()));
            text_footer(&mut out, STOP, ctx.unsubscribe_url);
            return out;
        }
    } else {
        for line in [
            votes_line(d),
            reports_line(d),
            resolved_line(d),
            alerts_line(d),
        ] {
            out.push_str(&line);
            out.push('\n');
        }
    }

    out.push_str("\nMost in need of attention\n");
    if d.attention.is_empty() {
        out.push_str(&format!("{NO_ATTENTION}\n"));
    }
    for (i, item) in d.attention.iter().enumerate() {
        out.push_str(&format!(
            "{:>2}. {} — {}\n    {}\n",
            i + 1,
            shorten(&item.article.title, TITLE_CHARS),
            open_summary(item.open_reports, item.open_harmful),
            ctx.article_link(&item.article)
        ));
    }

    if !quiet {
        out.push_str(&format!("\n{}\n", drops_heading(d.min_votes_for_drop)));
        if d.drops.is_empty() {
            out.push_str(&format!("{}\n", no_drops(d.min_votes_for_drop)));
        }
        for (i, item) in d.drops.iter().enumerate() {
            out.push_str(&format!(
                "{:>2}. {} — {}\n    {}\n",
                i + 1,
                shorten(&item.article.title, TITLE_CHARS),
                drop_phrase(item.before, item.after),
                ctx.article_link(&item.article)
            ));
        }
    }

    out.push_str(&format!("\n{}\n", oldest_heading(d)));
    if d.oldest_open.is_empty() {
        out.push_str(&format!("{NO_OPEN}\n"));
    } else {
        out.push_str("Passages and details are reader text, unverified, quoted with \"> \".\n");
    }
    for (i, r) in d.oldest_open.iter().enumerate() {
        out.push_str(&format!(
            "{:>2}. {} — {} — {} — first reported {}\n",
            i + 1,
            summary::categories(r.categories.iter().copied()),
            shorten(&r.article.title, TITLE_CHARS),
            summary::phrase(r.readers, r.reports),
            ctx.local(r.created_at)
        ));
        for (label, value) in [("Passage", &r.quote), ("Details", &r.details)] {
            if let Some(value) = value {
                out.push_str(&format!("    {label}:\n"));
                quote_lines(&mut out, "    ", &shorten(value, READER_TEXT_CHARS));
            }
        }
        out.push_str(&format!("    {}\n", ctx.article_link(&r.article)));
    }

    if !quiet {
        out.push_str("\nAlerts this week\n");
        if d.alerts.is_empty() {
            out.push_str(&format!("{NO_ALERTS}\n"));
        }
        for a in &d.alerts {
            out.push_str(&format!(
                " * {} — rule \"{}\" — {}\n   {}\n",
                ctx.local(a.at),
                a.rule,
                shorten(&a.article.title, TITLE_CHARS),
                ctx.article_link(&a.article)
            ));
        }
        if d.alerts_total > d.alerts.len() {
            out.push_str(&format!(
                " … and {} more\n",
                d.alerts_total - d.alerts.len()
            ));
        }
    }
    out.push_str(&format!("\n{}\n", reviews_heading(d)));
    if d.reviews_due.is_empty() {
        out.push_str(&format!("{NO_REVIEWS_DUE}\n"));
    }
    for (i, r) in d.reviews_due.iter().enumerate() {
        out.push_str(&format!(
            "{:>2}. {} — {}\n    {}\n",
            i + 1,
            shorten(&r.article.title, TITLE_CHARS),
            review_due_phrase(ctx, r),
            ctx.article_link(&r.article)
        ));
    }
    if d.reviews_due_total > d.reviews_due.len() {
        out.push_str(&format!(
            " … and {} more: {}/reviews\n",
            d.reviews_due_total - d.reviews_due.len(),
            ctx.dashboard()
        ));
    }
    out.push_str(&format!("\nEverything in flagpole: {}\n", ctx.dashboard()));
    text_footer(&mut out, STOP, ctx.unsubscribe_url);
    out
}

fn html(ctx: &DigestContext) -> Markup {
    let d = ctx.digest;
    let quiet = d.is_quiet();
    let th = "text-align:left;padding:2px 1em 2px 0;vertical-align:top";
    let td = "padding:2px 1em 2px 0;vertical-align:top";
    let body = html! {
        h1 style="font-size:1.3em;margin-bottom:0" { "Weekly digest" }
        p style="margin-top:4px" {
            "For " (ctx.editor_name) ": " (week_label(d)) "." br;
            span style=(NOTE_STYLE) { "Covering " (scope_label(d)) "." }
        }
        @if quiet {
            p { strong { (quiet_line(d)) } }
        } @else {
            ul {
                li { (votes_line(d)) }
                li { (reports_line(d)) }
                li { (resolved_line(d)) }
                li { (alerts_line(d)) }
            }
        }
        @if !(quiet && d.open_total == 0) {
            h2 style="font-size:1.1em" { "Most in need of attention" }
            @if d.attention.is_empty() { p { (NO_ATTENTION) } } @else {
                ol {
                    @for item in &d.attention {
                        li {
                            a href=(ctx.article_link(&item.article)) { (shorten(&item.article.title, TITLE_CHARS)) }
                            " — " (open_summary(item.open_reports, item.open_harmful))
                        }
                    }
                }
            }
            @if !quiet {
                h2 style="font-size:1.1em" { (drops_heading(d.min_votes_for_drop)) }
                @if d.drops.is_empty() { p { (no_drops(d.min_votes_for_drop)) } } @else {
                    table style="border-collapse:collapse" {
                        tr { th style=(th) { "Article" } th style=(th) { "Helpful, the week before → this week" } }
                        @for item in &d.drops {
                            tr {
                                td style=(td) { a href=(ctx.article_link(&item.article)) { (shorten(&item.article.title, TITLE_CHARS)) } }
                                td style=(td) { (drop_phrase(item.before, item.after)) }
                            }
                        }
                    }
                }
            }
            h2 style="font-size:1.1em" { (oldest_heading(d)) }
            @if d.oldest_open.is_empty() { p { (NO_OPEN) } } @else {
                p style=(NOTE_STYLE) { "Quoted text was written by readers and is unverified." }
                @for r in &d.oldest_open {
                    div style="margin-bottom:14px" {
                        strong { (summary::categories(r.categories.iter().copied())) }
                        " · " a href=(ctx.article_link(&r.article)) { (shorten(&r.article.title, TITLE_CHARS)) }
                        " · " (summary::phrase(r.readers, r.reports))
                        " · first reported " (ctx.local(r.created_at))
                        @if let Some(q) = &r.quote {
                            div style=(NOTE_STYLE) { "Passage (reader text):" }
                            blockquote style=(QUOTE_STYLE) { (shorten(q, READER_TEXT_CHARS)) }
                        }
                        @if let Some(text) = &r.details {
                            div style=(NOTE_STYLE) { "Details (reader text):" }
                            blockquote style=(QUOTE_STYLE) { (shorten(text, READER_TEXT_CHARS)) }
                        }
                    }
                }
            }
            @if !quiet {
                h2 style="font-size:1.1em" { "Alerts this week" }
                @if d.alerts.is_empty() { p { (NO_ALERTS) } } @else {
                    ul {
                        @for a in &d.alerts {
                            li {
                                (ctx.local(a.at)) " — rule “" (a.rule) "” — "
                                a href=(ctx.article_link(&a.article)) { (shorten(&a.article.title, TITLE_CHARS)) }
                            }
                        }
                        @if d.alerts_total > d.alerts.len() {
                            li { "… and " (d.alerts_total - d.alerts.len()) " more" }
                        }
                    }
                }
            }
        }
        h2 style="font-size:1.1em" { (reviews_heading(d)) }
        @if d.reviews_due.is_empty() { p { (NO_REVIEWS_DUE) } } @else {
            ol {
                @for r in &d.reviews_due {
                    li {
                        a href=(ctx.article_link(&r.article)) { (shorten(&r.article.title, TITLE_CHARS)) }
                        " — " (review_due_phrase(ctx, r))
                    }
                }
                @if d.reviews_due_total > d.reviews_due.len() {
                    li { a href={ (ctx.dashboard()) "/reviews" } { "… and " (d.reviews_due_total - d.reviews_due.len()) " more" } }
                }
            }
        }
        p { a href=(ctx.dashboard()) { "Everything in flagpole" } }
    };
    html_document(&subject(d), body, STOP, ctx.unsubscribe_url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(TimeDelta::seconds(20)), "under a minute");
        assert_eq!(duration(TimeDelta::minutes(40)), "40 min");
        assert_eq!(duration(TimeDelta::minutes(5 * 60 + 12)), "5 h 12 min");
        assert_eq!(duration(TimeDelta::hours(28)), "1 day 4 h");
        assert_eq!(duration(TimeDelta::hours(76)), "3 days 4 h");
    }
}
