//! The two pages editors live in: the articles that need attention first, and one article with
//! its reports, grouped, and the actions to deal with them. Every change goes through the same
//! functions as the JSON API.

use std::collections::HashMap;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{NaiveDate, NaiveTime};
use maud::{html, Markup};
use serde::Deserialize;

use super::auth::{self, Session};
use super::layout::{self, ago, category_badge, csrf, percent, DashError};
use super::trend;
use crate::db::articles::{self, Article, ArticleQuery, ArticleSort, ArticleState};
use crate::db::editors::{self, Editor};
use crate::db::outbox::{self, NewEmail};
use crate::db::reports::{self, Report, ReportEvent, ReportQuery};
use crate::db::{self, alerts as alert_store, votes, DbConn};
use crate::domain::{Category, ReportStatus};
use crate::mail::templates;
use crate::state::AppState;
use crate::triage::{self, grouping, ReportPatch};

const PAGE: i64 = 50;

/// The list's filters, as they appear in the query string (and in the CSV export's).
#[derive(Debug, Default, Deserialize)]
pub struct Filters {
    pub sort: Option<String>,
    pub host: Option<String>,
    pub section: Option<String>,
    pub status: Option<String>,
    pub category: Option<String>,
    pub q: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub mine: Option<String>,
    pub cursor: Option<String>,
}

fn some(v: &Option<String>) -> Option<String> {
    v.as_ref()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

fn day(v: &Option<String>, field: &str) -> Result<Option<chrono::NaiveDateTime>, DashError> {
    match some(v) {
        None => Ok(None),
        Some(s) => NaiveDate::parse_from_str(&s, "%Y-%m-%d")
            .map(|d| Some(d.and_time(NaiveTime::MIN)))
            .map_err(|_| DashError::BadRequest(format!("{field} must be a date like 2026-11-25"))),
    }
}

impl Filters {
    pub fn sort(&self) -> ArticleSort {
        match self.sort.as_deref() {
            Some("reports") => ArticleSort::Reports,
            Some("helpfulness") => ArticleSort::Helpfulness,
            Some("recent") => ArticleSort::Recent,
            _ => ArticleSort::Attention,
        }
    }

    /// The same query the API's `GET /api/v1/articles` builds.
    pub fn query(&self, me: &Editor, limit: i64) -> Result<ArticleQuery, DashError> {
        let sort = self.sort();
        let to = day(&self.to, "to")?.map(|t| t + chrono::TimeDelta::days(1));
        Ok(ArticleQuery {
            host: some(&self.host).map(|h| h.to_ascii_lowercase()),
            path_prefix: some(&self.section),
            state: match self.status.as_deref() {
                Some("open") => Some(ArticleState::Open),
                Some("harmful") => Some(ArticleState::Harmful),
                Some("clear") => Some(ArticleState::Clear),
                _ => None,
            },
            category: some(&self.category).and_then(|c| Category::parse(&c)),
            search: some(&self.q),
            active_from: day(&self.from, "from")?,
            active_to: to,
            assignee: self.mine.is_some().then(|| me.email.clone()),
            after: match some(&self.cursor) {
                Some(c) => Some(triage::parse_article_cursor(&c, sort)?),
                None => None,
            },
            ..ArticleQuery::new(sort, limit)
        })
    }

    /// This filter as a query string, without the cursor.
    fn query_string(&self) -> String {
        let pairs = [
            ("sort", &self.sort),
            ("host", &self.host),
            ("section", &self.section),
            ("status", &self.status),
            ("category", &self.category),
            ("q", &self.q),
            ("from", &self.from),
            ("to", &self.to),
            ("mine", &self.mine),
        ];
        let mut out = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs {
            if let Some(v) = some(v) {
                out.append_pair(k, &v);
            }
        }
        out.finish()
    }
}

fn owners<'a>(editors: &'a [Editor], a: &Article) -> Vec<&'a str> {
    editors
        .iter()
        .filter(|e| {
            e.active
                && e.scope_list()
                    .any(|s| crate::editors::scope_covers(s, &a.host, &a.path))
        })
        .map(|e| e.name.as_str())
        .collect()
}

pub async fn list(
    state: web::Data<AppState>,
    session: Session,
    req: HttpRequest,
) -> Result<HttpResponse, DashError> {
    let filters: Filters = web::Query::<Filters>::from_query(req.query_string())
        .map(|q| q.into_inner())
        .map_err(|e| DashError::BadRequest(e.to_string()))?;
    let q = filters.query(&session.editor, PAGE)?;
    let (rows, alerted, editors) = state
        .db(move |conn| {
            let rows = articles::list(conn, &q)?;
            let ids: Vec<i64> = rows.iter().map(|a| a.id).collect();
            let alerted = alert_store::alerted(conn, &ids)?;
            Ok((rows, alerted, editors::active(conn)?))
        })
        .await?;
    let mut alerts: HashMap<i64, Vec<String>> = HashMap::new();
    for (id, rule) in alerted {
        alerts.entry(id).or_default().push(rule);
    }
    let sort = filters.sort();
    let next = triage::next_page(&rows, PAGE, |a| {
        triage::article_cursor(sort.key_of(a), a.id)
    });
    let now = db::now();
    let qs = filters.query_string();
    let selected = |field: &Option<String>, value: &str| field.as_deref() == Some(value);
    let body = html! {
        main {
            h1 { "Articles needing attention" }
            form method="get" action="/dashboard" class="filters" aria-label="Filter articles" {
                div { label for="q" { "Search URL or title" } input id="q" name="q" type="search" value=(filters.q.clone().unwrap_or_default()); }
                div { label for="host" { "Host" } input id="host" name="host" value=(filters.host.clone().unwrap_or_default()); }
                div { label for="section" { "Section (path)" } input id="section" name="section" placeholder="/medicines" value=(filters.section.clone().unwrap_or_default()); }
                div { label for="status" { "Reports" }
                    select id="status" name="status" {
                        option value="" { "Any" }
                        option value="open" selected[selected(&filters.status, "open")] { "Has open reports" }
                        option value="harmful" selected[selected(&filters.status, "harmful")] { "Has a harmful report" }
                        option value="clear" selected[selected(&filters.status, "clear")] { "No open reports" }
                    }
                }
                div { label for="category" { "Category" }
                    select id="category" name="category" {
                        option value="" { "Any" }
                        @for c in Category::ALL {
                            option value=(c.as_str()) selected[selected(&filters.category, c.as_str())] { (c.label()) }
                        }
                    }
                }
                div { label for="from" { "Active from" } input id="from" name="from" type="date" value=(filters.from.clone().unwrap_or_default()); }
                div { label for="to" { "Active to" } input id="to" name="to" type="date" value=(filters.to.clone().unwrap_or_default()); }
                div { label for="sort" { "Order" }
                    select id="sort" name="sort" {
                        option value="attention" { "Needs attention first" }
                        option value="reports" selected[selected(&filters.sort, "reports")] { "Most open reports" }
                        option value="helpfulness" selected[selected(&filters.sort, "helpfulness")] { "Least helpful" }
                        option value="recent" selected[selected(&filters.sort, "recent")] { "Latest feedback" }
                    }
                }
                div class="check" { input id="mine" name="mine" type="checkbox" value="1" checked[filters.mine.is_some()]; label for="mine" { "Assigned to me" } }
                div { button type="submit" class="primary" { "Filter" } " " a href="/dashboard" { "Clear" } }
            }
            p class="exports" {
                "Download as CSV: "
                a href={ "/dashboard/export/articles.csv?" (qs) } { "these articles" } " · "
                a href={ "/dashboard/export/reports.csv?" (qs) } { "their reports" }
            }
            @if rows.is_empty() {
                p class="notice" { "No articles match." }
            } @else {
                table class="articles" {
                    thead { tr {
                        th scope="col" { "Article" } th scope="col" { "Helpful" } th scope="col" { "Open reports" }
                        th scope="col" { "Last feedback" } th scope="col" { "Alert" } th scope="col" { "Owner" }
                    } }
                    tbody {
                        @for a in &rows {
                            tr class=[(a.open_harmful > 0).then_some("harmful-row")] {
                                td data-label="Article" {
                                    a href={ "/dashboard/articles/" (a.id) } { (a.title.clone().unwrap_or_else(|| a.path.clone())) }
                                    div class="url" { (a.url) }
                                }
                                td data-label="Helpful" { (percent(a.helpful_share())) span class="muted" { " of " (a.helpful + a.not_helpful) } }
                                td data-label="Open reports" {
                                    @for c in Category::ALL {
                                        @if a.open_in(c) > 0 { (category_badge(c.as_str())) " × " (a.open_in(c)) " " }
                                    }
                                    @if a.open_reports == 0 { span class="muted" { "none" } }
                                }
                                td data-label="Last feedback" { (ago(a.last_activity_at, now)) }
                                td data-label="Alert" {
                                    @if let Some(rules) = alerts.get(&a.id) { span class="badge alert" { "Alerted: " (rules.join(", ")) } }
                                    @else { span class="muted" { "–" } }
                                }
                                td data-label="Owner" {
                                    @let names = owners(&editors, a);
                                    @if names.is_empty() { span class="muted" { "everyone" } } @else { (names.join(", ")) }
                                }
                            }
                        }
                    }
                }
                @if let Some(cursor) = next {
                    p { a class="button" href={ "/dashboard?" (qs) "&cursor=" (cursor) } { "Next page" } }
                }
            }
        }
    };
    Ok(layout::page("Articles", &session, body))
}

/// Everything the article page shows, loaded in one trip to the database.
struct ArticlePage {
    article: Article,
    reports: Vec<Report>,
    events: Vec<ReportEvent>,
    days: Vec<(NaiveDate, i64, i64)>,
    revisions: Vec<(String, chrono::NaiveDateTime)>,
    editors: Vec<Editor>,
    feedback: Vec<votes::VoteFeedback>,
    alerted: Vec<String>,
}

fn load_article(conn: &mut DbConn, id: i64) -> Result<Option<ArticlePage>, DashError> {
    let Some(article) = articles::get(conn, id)? else {
        return Ok(None);
    };
    let reports = reports::list(
        conn,
        &ReportQuery {
            article_id: Some(id),
            limit: 200,
            ..ReportQuery::default()
        },
    )?;
    let ids: Vec<i64> = reports.iter().map(|r| r.id).collect();
    let today = db::now().date();
    Ok(Some(ArticlePage {
        events: reports::events_of(conn, &ids)?,
        days: votes::days(conn, id, trend::first_day(today))?,
        revisions: articles::revisions(conn, id)?,
        editors: editors::active(conn)?,
        feedback: votes::recent_feedback(conn, id, 10)?,
        alerted: alert_store::alerted(conn, &[id])?
            .into_iter()
            .map(|(_, r)| r)
            .collect(),
        article,
        reports,
    }))
}

#[derive(Debug, Deserialize)]
pub struct Done {
    done: Option<String>,
}

pub async fn article(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<String>,
    done: web::Query<Done>,
) -> Result<HttpResponse, DashError> {
    let id: i64 = id.parse().map_err(|_| DashError::NotFound)?;
    let p = state
        .db(move |conn| {
            load_article(conn, id).map_err(|_| crate::errors::ApiError::unavailable("article page"))
        })
        .await?
        .ok_or(DashError::NotFound)?;
    let now = db::now();
    let a = &p.article;
    let groups = grouping::group(&p.reports);
    let title = a.title.clone().unwrap_or_else(|| a.path.clone());
    let body = html! {
        main {
            p { a href="/dashboard" { "← All articles" } }
            @if let Some(done) = &done.done { div class="notice ok" role="status" { (done) } }
            h1 { (title) }
            p class="url" { a href=(a.url) rel="noopener noreferrer" { (a.url) } }
            dl class="figures" {
                div { dt { "Helpful" } dd { (percent(a.helpful_share())) " (" (a.helpful) " yes, " (a.not_helpful) " no)" } }
                div { dt { "Open reports" } dd { (a.open_reports) } }
                div { dt { "Revision" } dd { (a.revision.clone().unwrap_or_else(|| "unknown".into())) } }
                div { dt { "Last feedback" } dd { (ago(a.last_activity_at, now)) } }
                div { dt { "Re-reviewed" } dd { (a.reviewed_at.map(|t| ago(t, now)).unwrap_or_else(|| "never".into())) } }
                div { dt { "Alert" } dd { @if p.alerted.is_empty() { "none" } @else { "alerted: " (p.alerted.join(", ")) } } }
            }
            (trend::svg(&p.days, &p.revisions, now.date()))
            form method="post" action={ "/dashboard/articles/" (a.id) "/reviewed" } class="reviewed" {
                (csrf(&session))
                label for="review-note" { "Re-review note (optional)" }
                input id="review-note" name="note" maxlength="4000";
                button type="submit" { "Mark article re-reviewed" }
                span class="hint" { " Re-arms alerts; only feedback after this counts towards them." }
            }
            @if !p.feedback.is_empty() {
                h2 { "What voters said" }
                ul class="feedback" {
                    @for v in &p.feedback {
                        li {
                            strong { @if v.helpful { "Helpful" } @else { "Not helpful" } }
                            @if !v.reasons.is_empty() { " · " (v.reasons.replace(',', ", ")) }
                            " · " (ago(v.updated_at, now))
                            @if let Some(c) = &v.comment { blockquote class="reader" { (c) } }
                        }
                    }
                }
            }
            h2 { "Reports (" (p.reports.len()) ")" }
            @if groups.is_empty() { p class="muted" { "No reports yet." } }
            @else {
                form id="bulk" method="post" action="/dashboard/reports/bulk" class="bulk" {
                    (csrf(&session))
                    input type="hidden" name="article" value=(a.id);
                    fieldset {
                        legend { "With the selected reports" }
                        label for="bulk-action" { "Action" }
                        select id="bulk-action" name="action" {
                            option value="acknowledge" { "Acknowledge" }
                            option value="resolve" { "Resolve" }
                            option value="dismiss" { "Dismiss" }
                            option value="spam" { "Mark as spam" }
                        }
                        label for="bulk-note" { "Note (optional)" }
                        input id="bulk-note" name="note" maxlength="4000";
                        button type="submit" { "Apply to selected" }
                        button type="button" class="link" data-select-all="bulk" { "Select all" }
                    }
                }
                @for g in &groups {
                    (report_group(&session, a, g, &p.events, &p.editors, now))
                }
            }
        }
    };
    Ok(layout::page(&title, &session, body))
}

fn report_group(
    session: &Session,
    a: &Article,
    group: &[&Report],
    events: &[ReportEvent],
    editors: &[Editor],
    now: chrono::NaiveDateTime,
) -> Markup {
    let lead = group[0];
    html! {
        section class="group" aria-label={ (group.len()) " report(s): " (Category::parse(&lead.category).map_or("Other", Category::label)) } {
            h3 {
                (category_badge(&lead.category))
                @if group.len() > 1 { " " span class="count" { (group.len()) " readers reported this" } }
            }
            @if let Some(q) = &lead.quote { p class="label" { "Passage (reader text)" } blockquote class="reader" { (q) } }
            @for r in group { (report_card(session, a, r, &lead.quote, events, editors, now)) }
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
    let open = ReportStatus::parse(&r.status).is_some_and(ReportStatus::is_open);
    html! {
        article class={ "report status-" (r.status) } id={ "report-" (r.id) } {
            div class="meta" {
                input type="checkbox" name="ids" value=(r.id) form="bulk" id={ "sel-" (r.id) };
                label for={ "sel-" (r.id) } class="visually-hidden" { "Select report " (r.id) }
                span class="status" { (r.status) }
                " · reported " (ago(r.created_at, now))
                @if let Some(rev) = &r.revision { " · saw revision " (rev) }
                @if changed { " · " strong { "article changed since" } }
                @if let Some(who) = &r.assignee { " · assigned to " (who) }
                @if r.email.is_some() { " · reader may be contacted" }
            }
            @if r.quote.is_some() && &r.quote != lead_quote {
                p class="label" { "Passage (reader text)" } blockquote class="reader" { (r.quote.clone().unwrap_or_default()) }
            }
            @if let Some(d) = &r.details { p class="label" { "Details (reader text)" } blockquote class="reader" { (d) } }
            form method="post" action={ "/dashboard/reports/" (r.id) } class="actions" {
                (csrf(session))
                input type="hidden" name="article" value=(a.id);
                label for={ "note-" (r.id) } { "Note" }
                input id={ "note-" (r.id) } name="note" maxlength="4000";
                @if open {
                    button type="submit" name="action" value="acknowledge" { "Acknowledge" }
                    button type="submit" name="action" value="resolve" class="primary" { "Resolve" }
                    button type="submit" name="action" value="dismiss" { "Dismiss" }
                    button type="submit" name="action" value="spam" { "Spam" }
                } @else {
                    button type="submit" name="action" value="reopen" { "Reopen" }
                }
                button type="submit" name="action" value="note" { "Add note" }
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
            }
            @let history: Vec<&ReportEvent> = events.iter().filter(|e| e.report_id == r.id).collect();
            @if !history.is_empty() {
                details class="history" {
                    summary { "History (" (history.len()) ")" }
                    ol {
                        @for e in history {
                            li {
                                (e.actor) ", " (ago(e.created_at, now)) ": "
                                @if e.from_status != e.to_status { (e.from_status.clone().unwrap_or_default()) " → " (e.to_status.clone().unwrap_or_default()) }
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

#[derive(Debug, Deserialize)]
pub struct ActionForm {
    csrf: String,
    action: String,
    note: Option<String>,
    assignee: Option<String>,
    reply: Option<String>,
    article: Option<i64>,
    #[serde(default)]
    ids: Vec<i64>,
}

/// A dashboard action as the API's triage change.
fn patch_for(form: &ActionForm) -> Result<ReportPatch, DashError> {
    let status = match form.action.as_str() {
        "acknowledge" => Some(ReportStatus::Acknowledged),
        "resolve" => Some(ReportStatus::Resolved),
        "dismiss" => Some(ReportStatus::Dismissed),
        "spam" => Some(ReportStatus::Spam),
        "reopen" => Some(ReportStatus::New),
        "note" | "assign" => None,
        other => return Err(DashError::BadRequest(format!("unknown action {other:?}"))),
    };
    let assignee = (form.action == "assign").then(|| form.assignee.clone().unwrap_or_default());
    if form.action == "note" && form.note.as_deref().is_none_or(|n| n.trim().is_empty()) {
        return Err(DashError::BadRequest(
            "Write a note before adding it.".into(),
        ));
    }
    Ok(ReportPatch {
        status,
        note: form.note.clone(),
        assignee,
    })
}

fn back_to(article: Option<i64>, done: &str) -> HttpResponse {
    let target = match article {
        Some(id) => format!(
            "/dashboard/articles/{id}?done={}",
            url::form_urlencoded::byte_serialize(done.as_bytes()).collect::<String>()
        ),
        None => "/dashboard".into(),
    };
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, target))
        .finish()
}

pub async fn act(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, DashError> {
    let id: i64 = id.parse().map_err(|_| DashError::NotFound)?;
    let form: ActionForm = auth::form(&state, &req, payload).await?;
    auth::check_form(&req, &session, &form.csrf)?;
    let change = triage::report_change(patch_for(&form)?, session.actor())?;
    let reply = form.action == "resolve" && form.reply.is_some();
    let alerting = state.alerting.clone();
    let queued = state
        .db(move |conn| {
            conn.write_tx(|c| {
                triage::apply_report_change(c, &alerting, id, &change)?;
                if reply {
                    queue_reply(c, id, change.note.as_deref())?;
                }
                Ok::<_, crate::errors::ApiError>(reply)
            })
        })
        .await?;
    if queued {
        state.alerting.queued.notify_one();
    }
    let done = if queued {
        "Resolved; the reader will be e-mailed a thank-you."
    } else {
        "Done."
    };
    Ok(back_to(form.article, done))
}

/// The thank-you to a reader who consented, queued in the same transaction as the resolution.
fn queue_reply(
    conn: &mut DbConn,
    report_id: i64,
    note: Option<&str>,
) -> Result<(), crate::errors::ApiError> {
    let Some(report) = reports::get(conn, report_id)? else {
        return Ok(());
    };
    let (Some(email), Some(article)) = (
        report.email.clone(),
        articles::get(conn, report.article_id)?,
    ) else {
        return Ok(());
    };
    let mail = templates::reply(&article, &report, note);
    outbox::enqueue(
        conn,
        &NewEmail {
            kind: "reply",
            dedupe_key: Some(format!("reply:{report_id}")),
            alert_id: None,
            recipient: email,
            subject: mail.subject,
            body_text: mail.text,
            body_html: mail.html,
            message_id: format!("<reply.{report_id}.{:08x}@flagpole>", rand::random::<u32>()),
            unsubscribe_url: None,
        },
        db::now(),
    )?;
    Ok(())
}

pub async fn bulk(
    state: web::Data<AppState>,
    session: Session,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, DashError> {
    let form: ActionForm = auth::form(&state, &req, payload).await?;
    auth::check_form(&req, &session, &form.csrf)?;
    if form.ids.is_empty() {
        return Err(DashError::BadRequest(
            "Select at least one report first.".into(),
        ));
    }
    let change = triage::report_change(patch_for(&form)?, session.actor())?;
    let (alerting, ids) = (state.alerting.clone(), form.ids.clone());
    let n = ids.len();
    state
        .db(move |conn| {
            conn.write_tx(|c| {
                for id in &ids {
                    triage::apply_report_change(c, &alerting, *id, &change)?;
                }
                Ok::<_, crate::errors::ApiError>(())
            })
        })
        .await?;
    Ok(back_to(form.article, &format!("Done for {n} reports.")))
}

#[derive(Debug, Deserialize)]
pub struct ReviewForm {
    csrf: String,
    note: Option<String>,
}

pub async fn reviewed(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, DashError> {
    let id: i64 = id.parse().map_err(|_| DashError::NotFound)?;
    let form: ReviewForm = auth::form(&state, &req, payload).await?;
    auth::check_form(&req, &session, &form.csrf)?;
    let actor = session.actor();
    let note = form
        .note
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty());
    let found = state
        .db(move |conn| {
            Ok(conn.write_tx(|c| {
                alert_store::mark_reviewed(c, id, &actor, note.as_deref(), db::now())
            })?)
        })
        .await?;
    if !found {
        return Err(DashError::NotFound);
    }
    Ok(back_to(
        Some(id),
        "Marked re-reviewed; alerts are re-armed.",
    ))
}
