//! The two pages editors live in: the articles that need attention first, and one article with
//! its reports, grouped, and the actions to deal with them. The handlers extract, call the triage
//! service and hand the result to a `render_*` function.

use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use maud::{html, Markup};

use super::actions::Done;
use super::layout::{self, ago, category_badge, csrf, percent, DashError};
use super::session::Session;
use super::trend;
use crate::db::articles::Article;
use crate::db::editors::Editor;
use crate::db::reports::{Report, ReportEvent};
use crate::db::reviews::Review;
use crate::domain::{
    ArticleId, ArticleSort, ArticleState, Category, Lane, PassageStatus, ReportStatus, ReviewDue,
    ReviewOutcome, ReviewSource,
};
use crate::http::{FormQuery, Id, Query};
use crate::reviews::Reviews;
use crate::triage::filter::ArticleListParams;
use crate::triage::service::ArticleOverview;
use crate::triage::{Page, Triage};

pub async fn list(
    triage: web::Data<Triage>,
    session: Session,
    params: FormQuery<ArticleListParams, DashError>,
) -> Result<HttpResponse, DashError> {
    let params = params.into_inner();
    let page = triage.articles(&params).await?;
    let ids = page.items.iter().map(|a| a.id).collect();
    let (alerted, editors) = triage.annotations(ids).await?;
    let body = render_list(&session.editor, &params, &page, &alerted, &editors);
    Ok(layout::page("Articles", &session, body))
}

/// The active editors who own an article.
pub(super) fn owners<'a>(editors: &'a [Editor], a: &Article) -> Vec<&'a str> {
    editors
        .iter()
        .filter(|e| e.active && e.owns(&a.host, &a.path))
        .map(|e| e.name.as_str())
        .collect()
}

fn render_list(
    me: &Editor,
    params: &ArticleListParams,
    page: &Page<Article>,
    alerted: &[(i64, String)],
    editors: &[Editor],
) -> Markup {
    let mut alerts: HashMap<i64, Vec<&str>> = HashMap::new();
    for (id, rule) in alerted {
        alerts.entry(*id).or_default().push(rule);
    }
    let now = crate::db::now();
    let qs = params.query_string();
    html! {
        main {
            h1 { "Articles needing attention" }
            form method="get" action="/dashboard" class="filters" aria-label="Filter articles" {
                div { label for="q" { "Search URL or title" } input id="q" name="q" type="search" value=(params.q.clone().unwrap_or_default()); }
                div { label for="host" { "Host" } input id="host" name="host" value=(params.host.clone().unwrap_or_default()); }
                div { label for="path" { "Section (path)" } input id="path" name="path" placeholder="/medicines" value=(params.path.clone().unwrap_or_default()); }
                div { label for="status" { "Reports" }
                    select id="status" name="status" {
                        option value="" { "Any" }
                        option value="open" selected[params.status == Some(ArticleState::Open)] { "Has open reports" }
                        option value="harmful" selected[params.status == Some(ArticleState::Harmful)] { "Has a harmful report" }
                        option value="clear" selected[params.status == Some(ArticleState::Clear)] { "No open reports" }
                    }
                }
                div { label for="category" { "Category" }
                    select id="category" name="category" {
                        option value="" { "Any" }
                        @for c in Category::ALL {
                            option value=(c.as_str()) selected[params.category == Some(c)] { (c.label()) }
                        }
                    }
                }
                div { label for="review" { "Review" }
                    select id="review" name="review" {
                        option value="" { "Any" }
                        option value="overdue" selected[params.review == Some(ReviewDue::Overdue)] { "Overdue" }
                        option value="due_soon" selected[params.review == Some(ReviewDue::DueSoon)] { "Due soon" }
                    }
                }
                div { label for="from" { "Active from" } input id="from" name="from" type="date" value=(params.from.map(|b| b.to_string()).unwrap_or_default()); }
                div { label for="to" { "Active to" } input id="to" name="to" type="date" value=(params.to.map(|b| b.to_string()).unwrap_or_default()); }
                div { label for="sort" { "Order" }
                    select id="sort" name="sort" {
                        option value="attention" { "Needs attention first" }
                        option value="reports" selected[params.sort == Some(ArticleSort::Reports)] { "Most open reports" }
                        option value="helpfulness" selected[params.sort == Some(ArticleSort::Helpfulness)] { "Least helpful" }
                        option value="recent" selected[params.sort == Some(ArticleSort::Recent)] { "Latest feedback" }
                    }
                }
                div class="check" { input id="mine" name="assignee" type="checkbox" value=(me.email) checked[params.assignee.as_deref() == Some(me.email.as_str())]; label for="mine" { "Assigned to me" } }
                div { button type="submit" class="primary" { "Filter" } " " a href="/dashboard" { "Clear" } }
            }
            p class="exports" {
                "Download as CSV: "
                a href={ "/dashboard/export/articles.csv?" (qs) } { "these articles" } " · "
                a href={ "/dashboard/export/reports.csv?" (qs) } { "their reports" }
            }
            @if page.items.is_empty() {
                p class="notice" { "No articles match." }
            } @else {
                table class="articles" {
                    thead { tr {
                        th scope="col" { "Article" } th scope="col" { "Helpful" } th scope="col" { "Open reports" }
                        th scope="col" { "Last feedback" } th scope="col" { "Alert" } th scope="col" { "Owner" }
                    } }
                    tbody {
                        @for a in &page.items {
                            tr class=[(a.open_harmful > 0).then_some("harmful-row")] {
                                td data-label="Article" {
                                    a href={ "/dashboard/articles/" (a.id) } { (a.title.clone().unwrap_or_else(|| a.path.clone())) }
                                    div class="url" { (a.url) }
                                }
                                td data-label="Helpful" { (percent(a.helpful_share())) span class="muted" { " of " (a.helpful + a.not_helpful) } }
                                td data-label="Open reports" {
                                    @for c in Category::ALL {
                                        @if a.open_in(c) > 0 {  (category_badge(c)) " × " (a.open_in(c)) " " }
                                    }
                                    @if a.open_reports == 0 { span class="muted" { "none" } }
                                }
                                td data-label="Last feedback" { (ago(a.last_activity_at, now)) }
                                td data-label="Alert" {
                                    @if let Some(rules) = alerts.get(&a.id) { span class="badge alert" { "Alerted: " (rules.join(", ")) } }
                                    @else { span class="muted" { "–" } }
                                }
                                td data-label="Owner" {
                                    @let names = owners(editors, a);
                                    @if names.is_empty() { span class="muted" { "everyone" } } @else { (names.join(", ")) }
                                }
                            }
                        }
                    }
                }
                @if let Some(cursor) = &page.next_cursor {
                    p { a class="button" href={ "/dashboard?" (qs) "&cursor=" (cursor) } { "Next page" } }
                }
            }
        }
    }
}

pub async fn article(
    triage: web::Data<Triage>,
    reviews: web::Data<Reviews>,
    session: Session,
    id: Id<ArticleId, DashError>,
    done: Query<Done, DashError>,
) -> Result<HttpResponse, DashError> {
    let today = crate::db::now().date();
    let overview = triage
        .article_overview(id.get(), trend::first_day(today))
        .await?;
    let (_, history) = reviews.list(id.get()).await?;
    let a = &overview.article;
    let title = a.title.clone().unwrap_or_else(|| a.path.clone());
    let body = render_article(&session, &overview, &history, done.0.message());
    Ok(layout::page(&title, &session, body))
}

fn render_article(
    session: &Session,
    p: &ArticleOverview,
    history: &[Review],
    done: Option<String>,
) -> Markup {
    let now = crate::db::now();
    let due = p.article.review_due(now);
    let a = &p.article;
    // Only the queue is the editor's work here; the other lanes are folded below it.
    let (queue, elsewhere): (Vec<Report>, Vec<Report>) = p
        .reports
        .iter()
        .cloned()
        .partition(|r| r.lane == Lane::Queue);
    let mut groups = crate::problems::summary::by_problem(&queue, |r| r.problem_id);
    // Most pressing first: an open problem someone says could cause harm, then by readers, then
    // the newest (the order they came in).
    groups.sort_by_key(|g| {
        let harmful = g
            .iter()
            .any(|r| r.category == Category::Harmful && r.status.is_open());
        let open = g.iter().any(|r| r.status.is_open());
        let readers = crate::problems::summary::count(g.iter().map(|r| r.visitor_key.as_str()));
        std::cmp::Reverse((harmful, open, readers))
    });
    let title = a.title.clone().unwrap_or_else(|| a.path.clone());
    let alerted: Vec<&str> = p
        .alerts
        .iter()
        .filter(|s| s.firing)
        .map(|s| s.rule.as_str())
        .collect();
    html! {
        main {
            p { a href="/dashboard" { "← All articles" } }
            @if let Some(done) = done { div class="notice ok" role="status" { (done) } }
            h1 { (title) }
            p class="url" { a href=(a.url) rel="noopener noreferrer" { (a.url) } }
            dl class="figures" {
                div { dt { "Helpful" } dd { (percent(a.helpful_share())) " (" (a.helpful) " yes, " (a.not_helpful) " no)" } }
                div { dt { "Open reports" } dd { (a.open_reports) } }
                div { dt { "Revision" } dd { (a.revision.clone().unwrap_or_else(|| "unknown".into())) } }
                div { dt { "Last feedback" } dd { (ago(a.last_activity_at, now)) } }
                div { dt { "Last reviewed" } dd {
                    @match (a.last_reviewed_at, &a.reviewed_by) {
                        (Some(at), Some(by)) => { (ago(at, now)) " by " (by) }
                        (Some(at), None) => { (ago(at, now)) }
                        _ => { "never" }
                    }
                } }
                div { dt { "Next review" } dd {
                    @match due {
                        Some((at, why)) if at <= now => { strong { "due now" } " (" (why.label()) ")" }
                        Some((at, _)) => { (at.format("%-d %B %Y")) }
                        None => { "unknown" }
                    }
                } }
                div { dt { "Alert" } dd { @if alerted.is_empty() { "none" } @else { "alerted: " (alerted.join(", ")) } } }
            }
            (trend::svg(&p.days, &p.revisions, now.date()))
            @if !p.revisions.is_empty() {
                table class="revisions" {
                    caption { "Helpful share before and after each revision" }
                    thead { tr { th scope="col" { "Revision" } th scope="col" { "First seen" } th scope="col" { "Before → after" } th scope="col" { "Votes before, after" } } }
                    tbody {
                        @for r in &p.revisions {
                            tr {
                                td { (r.revision) }
                                td { (r.first_seen_at.format("%-d %B %Y")) }
                                td { (trend::before_after(r)) }
                                td { (r.before.total()) ", " (r.after.total()) }
                            }
                        }
                    }
                }
            }
            form method="post" action={ "/dashboard/articles/" (a.id) "/reviewed" } class="reviewed" {
                (csrf(session))
                fieldset {
                    legend { "Record a review" }
                    label for="review-outcome" { "Outcome" }
                    select id="review-outcome" name="outcome" {
                        @for o in ReviewOutcome::ALL { option value=(o.as_str()) { (o.label()) } }
                    }
                    label for="review-on" { "Reviewed on (empty: today)" }
                    input id="review-on" name="reviewed_on" type="date" max=(now.format("%Y-%m-%d"));
                    label for="review-note" { "Review note (optional)" }
                    input id="review-note" name="note" maxlength="4000";
                    button type="submit" { "Record review" }
                    span class="hint" { " Re-arms alerts; only feedback after the review counts towards them." }
                }
            }
            @if !history.is_empty() {
                details class="history reviews" {
                    summary { "Reviews (" (history.len()) ")" }
                    ol {
                        @for r in history {
                            li {
                                (r.reviewed_at.format("%-d %B %Y")) ": " (r.outcome.label()) ", " (r.reviewer)
                                @if r.source == ReviewSource::Page { " (from the page)" }
                                @if let Some(n) = &r.note { " — " (n) }
                            }
                        }
                    }
                }
            }
            @if !p.feedback.is_empty() {
                h2 { "What voters said" }
                ul class="feedback" {
                    @for v in &p.feedback {
                        li {
                            strong { @if v.helpful { "Helpful" } @else { "Not helpful" } }
                            @if !v.reasons.is_empty() { " · " (v.reasons.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ")) }
                            " · " (ago(v.updated_at, now))
                            @if let Some(c) = &v.comment { blockquote class="reader" { (c) } }
                        }
                    }
                }
            }
            (possibly_fixed(session, a, &p.reports))
            h2 { "Reports in the queue (" (queue.len()) ")" }
            @if groups.is_empty() { p class="muted" { "No reports in the queue." } }
            @else {
                form id="bulk" method="post" action="/dashboard/reports/bulk" class="bulk" {
                    (csrf(session))
                    input type="hidden" name="article" value=(a.id);
                    fieldset {
                        legend { "With the selected reports" }
                        label for="bulk-action" { "Action" }
                        select id="bulk-action" name="action" {
                            option value="acknowledge" { "Acknowledge" }
                            option value="resolve" { "Resolve" }
                            option value="dismiss" { "Dismiss" }
                            option value="spam" { "Mark as spam" }
                            option value="move" { "Move to the lane below" }
                        }
                        (lane_select("bulk-lane", None))
                        label for="bulk-note" { "Note (optional)" }
                        input id="bulk-note" name="note" maxlength="4000";
                        button type="submit" { "Apply to selected" }
                        button type="button" class="link" data-select-all="bulk" { "Select all" }
                    }
                }
                @for g in &groups {
                    (report_group(session, a, g, &groups, &p.events, &p.editors, now))
                }
            }
            @if !elsewhere.is_empty() {
                details class="elsewhere" {
                    summary { h2 { "Sorted into other lanes (" (elsewhere.len()) ")" } }
                    p class="hint" { "These do not count towards open reports, attention or alerts. Move one to the queue if it is a problem with the article: it counts from then on, and the classifier learns from it." }
                    @for r in &elsewhere {
                        section class="group" {
                            h3 { (lane_badge(r.lane)) " " (category_badge(r.category)) }
                            (report_card(session, a, r, &None, &p.events, &p.editors, now))
                        }
                    }
                }
            }
        }
    }
}

/// A lane as a small label.
pub fn lane_badge(lane: Lane) -> Markup {
    html! { span class={ "badge lane lane-" (lane) } { (lane.label()) } }
}

/// Why a report is in its lane, in the classifier's words.
pub fn lane_reasons(r: &Report) -> Markup {
    html! {
        @if !r.lane_reasons.0.is_empty() {
            details class="reasons" {
                summary { "Why " (r.lane.label().to_lowercase()) }
                ul { @for reason in &r.lane_reasons.0 { li { (reason.text) } } }
            }
        }
    }
}

/// The lanes to move a report to; `name="lane"` on every form that moves reports.
pub fn lane_select(id: &str, current: Option<Lane>) -> Markup {
    html! {
        label for=(id) { "Lane" }
        select id=(id) name="lane" {
            @for lane in Lane::ALL {
                option value=(lane) selected[current == Some(lane)] { (lane.label()) }
            }
        }
    }
}

/// Open reports whose quoted passage is no longer on the page, by the revision it went in, with
/// one action per revision to resolve them all as fixed.
fn possibly_fixed(session: &Session, a: &Article, reports: &[Report]) -> Markup {
    let mut by_revision: Vec<(&str, Vec<&Report>)> = Vec::new();
    for r in reports
        .iter()
        .filter(|r| r.status.is_open() && r.passage_status == Some(PassageStatus::Gone))
    {
        let revision = r.passage_revision.as_deref().unwrap_or("");
        match by_revision.iter_mut().find(|(rev, _)| *rev == revision) {
            Some((_, list)) => list.push(r),
            None => by_revision.push((revision, vec![r])),
        }
    }
    html! {
        @for (i, (revision, list)) in by_revision.iter().enumerate() {
            section class="possibly-fixed" aria-labelledby={ "fixed-" (i) } {
                h2 id={ "fixed-" (i) } { "Possibly fixed in revision " (revision) }
                p { (list.len()) " reported passage(s) are no longer on the page:" }
                ul {
                    @for r in list {
                        li {
                            (category_badge(r.category)) " "
                            blockquote class="reader" { (r.quote.clone().unwrap_or_default()) }
                        }
                    }
                }
                form method="post" action={ "/dashboard/articles/" (a.id) "/fixed" } {
                    (csrf(session))
                    input type="hidden" name="revision" value=(revision);
                    button type="submit" class="primary" { "Resolve all as fixed in revision " (revision) }
                }
            }
        }
    }
}

/// A problem as the merge list names it: its id, categories, size and passage (or details).
fn problem_label(group: &[&Report]) -> Option<(i64, String)> {
    let lead = group.first()?;
    let text = group
        .iter()
        .rev()
        .find_map(|r| r.quote.as_deref())
        .or(lead.details.as_deref())
        .unwrap_or("");
    let text =
        crate::mail::templates::shorten(&text.split_whitespace().collect::<Vec<_>>().join(" "), 60);
    Some((
        lead.problem_id?,
        format!(
            "{} · {} report(s) · {}",
            crate::problems::summary::categories(group.iter().map(|r| r.category)),
            group.len(),
            text
        ),
    ))
}

fn report_group(
    session: &Session,
    a: &Article,
    group: &[&Report],
    all: &[Vec<&Report>],
    events: &[ReportEvent],
    editors: &[Editor],
    now: chrono::NaiveDateTime,
) -> Markup {
    let lead = group[0];
    let mut categories: Vec<Category> = group.iter().map(|r| r.category).collect();
    categories.sort();
    categories.dedup();
    let readers = crate::problems::summary::count(group.iter().map(|r| r.visitor_key.as_str()));
    // The problem's passage: the first one a reader quoted (the newest report may quote none).
    let passage: Option<String> = group.iter().rev().find_map(|r| r.quote.clone());
    let mut languages: Vec<&str> = group
        .iter()
        .filter_map(|r| r.lang.as_deref())
        .map(crate::ingest::validate::primary_language)
        .collect();
    languages.sort_unstable();
    languages.dedup();
    // The other problems of the article this one could be merged into.
    let others: Vec<(i64, String)> = all
        .iter()
        .filter(|g| g[0].problem_id != lead.problem_id)
        .filter_map(|g| problem_label(g))
        .collect();
    let open = group.iter().any(|r| r.status.is_open());
    let consented = group
        .iter()
        .any(|r| r.email.is_some() && r.status.is_open());
    html! {
        section class="group" aria-label={ (group.len()) " report(s): " (lead.category.label()) } {
            h3 {
                @for c in &categories { (category_badge(*c)) " " }
                @if group.len() > 1 {
                    span class="count" { (crate::problems::summary::phrase(readers, group.len())) " reported this" }
                }
                @if languages.len() > 1 {
                    span class="langs" { " · in " (languages.join(", ")) }
                }
            }
            @if let Some(q) = &passage { p class="label" { "Passage (reader text)" } blockquote class="reader" { (q) } }
            @if let (Some(pid), true) = (lead.problem_id, group.len() > 1) {
                // One row of actions for the whole problem: each report gets the change and its
                // own audit-trail entry.
                form method="post" action={ "/dashboard/problems/" (pid) } class="actions problem-actions" {
                    (csrf(session))
                    input type="hidden" name="article" value=(a.id);
                    span class="label" { "All " (group.len()) " reports:" }
                    label for={ "pnote-" (pid) } { "Note" }
                    input id={ "pnote-" (pid) } name="note" maxlength="4000";
                    @if open {
                        button type="submit" name="action" value="acknowledge" { "Acknowledge all" }
                        button type="submit" name="action" value="resolve" class="primary" { "Resolve all" }
                        button type="submit" name="action" value="dismiss" { "Dismiss all" }
                        button type="submit" name="action" value="spam" { "All spam" }
                    } @else {
                        button type="submit" name="action" value="reopen" { "Reopen all" }
                    }
                    @if consented {
                        span class="check" {
                            input type="checkbox" id={ "preply-" (pid) } name="reply" value="1";
                            label for={ "preply-" (pid) } { "On resolve, e-mail a thank-you to every reader who consented" }
                        }
                    }
                    span class="assign" {
                        label for={ "passignee-" (pid) } { "Assign to" }
                        select id={ "passignee-" (pid) } name="assignee" {
                            option value="" { "nobody" }
                            @for e in editors { option value=(e.email) { (e.name) } }
                        }
                        button type="submit" name="action" value="assign" { "Assign all" }
                    }
                }
                details class="readers" {
                    summary { "Each reader's report (" (group.len()) ")" }
                    @for r in group { (report_card(session, a, r, &passage, events, editors, now)) }
                    // Moving reports out: the matcher keeps the two apart from then on.
                    form method="post" action={ "/dashboard/problems/" (pid) } class="actions split" {
                        (csrf(session))
                        input type="hidden" name="article" value=(a.id);
                        fieldset {
                            legend { "Not the same problem? Move reports out into a new problem" }
                            @for r in group {
                                span class="check" {
                                    input type="checkbox" name="ids" value=(r.id) id={ "split-" (pid) "-" (r.id) };
                                    label for={ "split-" (pid) "-" (r.id) } { "Report " (r.id) " (" (r.category.label()) ", " (ago(r.created_at, now)) ")" }
                                }
                            }
                            button type="submit" name="action" value="split" { "Move selected into a new problem" }
                        }
                    }
                }
            } @else {
                @for r in group { (report_card(session, a, r, &passage, events, editors, now)) }
            }
            @if let (Some(pid), false) = (lead.problem_id, others.is_empty()) {
                form method="post" action={ "/dashboard/problems/" (pid) } class="actions merge" {
                    (csrf(session))
                    input type="hidden" name="article" value=(a.id);
                    label for={ "merge-" (pid) } { "Same problem as" }
                    select id={ "merge-" (pid) } name="merge_into" {
                        @for (other, label) in &others { option value=(other) { (label) } }
                    }
                    button type="submit" name="action" value="merge" { "Merge into it" }
                }
            }
        }
    }
}

fn report_card(
    session: &Session,
    a: &Article,
    r: &Report,
    lead_quote: &Option<String>,
    events: &[ReportEvent],
    editors: &[Editor],
    now: chrono::NaiveDateTime,
) -> Markup {
    let changed =
        matches!((&r.revision, &a.revision), (Some(seen), Some(current)) if seen != current);
    let open = r.status.is_open();
    html! {
        article class={ "report status-" (r.status) } id={ "report-" (r.id) } {
            div class="meta" {
                input type="checkbox" name="ids" value=(r.id) form="bulk" id={ "sel-" (r.id) };
                label for={ "sel-" (r.id) } class="visually-hidden" { "Select report " (r.id) }
                span class="status" { (r.status) }
                " · reported " (ago(r.created_at, now))
                @if let Some(rev) = &r.revision { " · saw revision " (rev) }
                @if changed { " · " strong { "article changed since" } }
                @match (r.passage_status, &r.passage_revision) {
                    (Some(PassageStatus::OnPage), Some(rev)) => { " · passage still on the page (revision " (rev) ")" }
                    (Some(PassageStatus::Gone), Some(rev)) => { " · " strong { "passage gone in revision " (rev) } }
                    _ => {}
                }
                @if let Some(who) = &r.assignee { " · assigned to " (who) }
                @if r.email.is_some() { " · reader may be contacted" }
            }
            @if r.quote.is_some() && &r.quote != lead_quote {
                p class="label" { "Passage (reader text)" } blockquote class="reader" { (r.quote.clone().unwrap_or_default()) }
            }
            @if let Some(d) = &r.details { p class="label" { "Details (reader text)" } blockquote class="reader" { (d) } }
            (lane_reasons(r))
            form method="post" action={ "/dashboard/reports/" (r.id) } class="actions" {
                (csrf(session))
                input type="hidden" name="article" value=(a.id);
                label for={ "note-" (r.id) } { "Note" }
                input id={ "note-" (r.id) } name="note" maxlength="4000";
                @if r.status == ReportStatus::New {
                    button type="submit" name="action" value="acknowledge" { "Acknowledge" }
                }
                @if open {
                    button type="submit" name="action" value="resolve" class="primary" { "Resolve" }
                    button type="submit" name="action" value="dismiss" { "Dismiss" }
                    button type="submit" name="action" value="spam" { "Spam" }
                } @else {
                    button type="submit" name="action" value="reopen" { "Reopen" }
                }
                button type="submit" name="action" value="note" { "Add note" }
                @if open {
                    label for={ "correction-" (r.id) } { "Public correction, on resolve (optional, your words)" }
                    input id={ "correction-" (r.id) } name="public_correction" maxlength="4000";
                }
                @if r.email.is_some() && open {
                    span class="check" {
                        input type="checkbox" id={ "reply-" (r.id) } name="reply" value="1";
                        label for={ "reply-" (r.id) } { "On resolve, e-mail the reader a thank-you" }
                    }
                }
                span class="assign" {
                    label for={ "assignee-" (r.id) } { "Assign to" }
                    select id={ "assignee-" (r.id) } name="assignee" {
                        option value="" { "nobody" }
                        @for e in editors {
                            option value=(e.email) selected[r.assignee.as_deref() == Some(e.email.as_str())] { (e.name) }
                        }
                    }
                    button type="submit" name="action" value="assign" { "Assign" }
                }
                span class="move" {
                    (lane_select(&format!("lane-{}", r.id), Some(r.lane)))
                    button type="submit" name="action" value="move" { "Move" }
                }
            }
            @let history: Vec<&ReportEvent> = events.iter().filter(|e| e.report_id == r.id).collect();
            @if !history.is_empty() {
                details class="history" {
                    summary { "History (" (history.len()) ")" }
                    ol {
                        @for e in history {
                            li {
                                (e.actor) ", " (ago(e.created_at, now)) ": "
                                @if e.from_status != e.to_status { (e.from_status.map_or("", ReportStatus::as_str)) " → " (e.to_status.map_or("", ReportStatus::as_str)) }
                                @if let (Some(from), Some(to)) = (e.from_lane, e.to_lane) { " moved from " (from.label()) " to " (to.label()) }
                                @if let Some(who) = &e.assignee { " assigned to " (who) }
                                @if let Some(n) = &e.note { " — " (n) }
                            }
                        }
                    }
                }
            }
        }
    }
}
