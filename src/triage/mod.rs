//! Reading and triaging feedback: the bearer-token API for integrations (and, later, the
//! functions the dashboard calls too).

pub mod auth;
pub mod grouping;
pub mod views;

use actix_web::{web, HttpRequest, HttpResponse};
use base64::Engine;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use self::auth::ApiClient;
use self::views::{
    ArticleDetail, ArticlePage, ArticleView, OutboxView, ReportDetail, ReportEventView, ReportPage,
    ReportView, VoteView,
};
use crate::alerts::{self, Alerting, Trigger};
use crate::db::alerts as alert_store;
use crate::db::articles::{self, ArticleQuery, ArticleSort, ArticleState, SortKey};
use crate::db::reports::{self, ReportChange, ReportQuery};
use crate::db::{outbox, votes};
use crate::domain::{Category, ReportStatus};
use crate::errors::{ApiError, ErrorBody};
use crate::ingest::body::{self, BodyKind};
use crate::state::AppState;

const DEFAULT_PAGE: i64 = 50;
const MAX_PAGE: i64 = 200;
const MAX_NOTE_CHARS: usize = 4000;
const MAX_ASSIGNEE_CHARS: usize = 254;

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SortParam {
    /// Harmful reports first, then open reports weighted by recency, then low helpfulness.
    Attention,
    /// Most open reports first.
    Reports,
    /// Least helpful first (Bayesian average).
    Helpfulness,
    /// Most recent feedback first.
    Recent,
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum StateParam {
    /// Articles with open reports.
    Open,
    /// Articles with an open `harmful` report.
    Harmful,
    /// Articles with no open report.
    Clear,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ArticleListParams {
    /// Order (default `attention`).
    sort: Option<SortParam>,
    /// Only articles on this host.
    host: Option<String>,
    /// Only articles whose path starts with this (a section), e.g. `/medicines`.
    path: Option<String>,
    /// Only articles in this state.
    status: Option<StateParam>,
    /// Only articles with an open report in this category.
    category: Option<Category>,
    /// Only articles whose URL or title contains this text (case-insensitive).
    q: Option<String>,
    /// Only articles with feedback at or after this time (RFC 3339).
    from: Option<DateTime<Utc>>,
    /// Only articles with feedback before this time (RFC 3339).
    to: Option<DateTime<Utc>>,
    /// Only articles with an open report assigned to this person.
    assignee: Option<String>,
    /// Page size, 1 to 200 (default 50).
    limit: Option<i64>,
    /// `next_cursor` from the previous page.
    cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReportListParams {
    status: Option<ReportStatus>,
    category: Option<Category>,
    article_id: Option<i64>,
    /// Only reports created at or after this time (RFC 3339).
    since: Option<DateTime<Utc>>,
    /// Page size, 1 to 200 (default 50).
    limit: Option<i64>,
    /// `next_cursor` from the previous page.
    cursor: Option<String>,
}

/// A triage action on a report. Every call is recorded in the report's audit trail.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportPatch {
    pub status: Option<ReportStatus>,
    /// Why; shown in the audit trail.
    pub note: Option<String>,
    /// Who should handle it; an empty string removes the assignee.
    pub assignee: Option<String>,
}

fn page_size(limit: Option<i64>) -> Result<i64, ApiError> {
    match limit {
        None => Ok(DEFAULT_PAGE),
        Some(n) if (1..=MAX_PAGE).contains(&n) => Ok(n),
        Some(_) => Err(ApiError::invalid(
            "limit",
            format!("limit must be between 1 and {MAX_PAGE}"),
        )),
    }
}

fn query<T: serde::de::DeserializeOwned>(req: &HttpRequest) -> Result<T, ApiError> {
    body::parse_form(req.query_string().as_bytes())
}

fn encode_cursor(text: String) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
}

fn decode_cursor(raw: &str) -> Result<String, ApiError> {
    let bad = || ApiError::invalid("cursor", "cursor is not one this API gave out");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(raw)
        .map_err(|_| bad())?;
    String::from_utf8(bytes).map_err(|_| bad())
}

/// The cursor of the page after `rows`, when a full page suggests there is one.
pub fn next_page<T>(rows: &[T], limit: i64, cursor: impl Fn(&T) -> String) -> Option<String> {
    if rows.len() as i64 == limit {
        rows.last().map(cursor)
    } else {
        None
    }
}

pub fn article_cursor(key: SortKey, id: i64) -> String {
    encode_cursor(match key {
        SortKey::Float(v) => format!("f:{v:?}:{id}"),
        SortKey::Int(v) => format!("i:{v}:{id}"),
        SortKey::Time(t) => format!("t:{}:{id}", t.and_utc().timestamp_micros()),
    })
}

pub fn parse_article_cursor(raw: &str, sort: ArticleSort) -> Result<(SortKey, i64), ApiError> {
    let bad = || ApiError::invalid("cursor", "cursor does not belong to this sort order");
    let text = decode_cursor(raw)?;
    let mut parts = text.splitn(3, ':');
    let (Some(kind), Some(value), Some(id)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    let id: i64 = id.parse().map_err(|_| bad())?;
    let key = match (kind, sort) {
        ("f", ArticleSort::Attention | ArticleSort::Helpfulness) => {
            SortKey::Float(value.parse().map_err(|_| bad())?)
        }
        ("i", ArticleSort::Reports) => SortKey::Int(value.parse().map_err(|_| bad())?),
        ("t", ArticleSort::Recent) => {
            let micros: i64 = value.parse().map_err(|_| bad())?;
            let t = DateTime::from_timestamp_micros(micros).ok_or_else(bad)?;
            SortKey::Time(t.naive_utc())
        }
        _ => return Err(bad()),
    };
    Ok((key, id))
}

/// Articles in the order that needs attention first (or another order).
#[utoipa::path(
    get, path = "/api/v1/articles", tag = "triage",
    params(ArticleListParams),
    security(("bearer" = [])),
    responses(
        (status = 200, body = ArticlePage),
        (status = 401, description = "Missing or unknown token", body = ErrorBody),
        (status = 422, description = "A parameter is invalid", body = ErrorBody),
    )
)]
pub async fn list_articles(
    state: web::Data<AppState>,
    _client: ApiClient,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let params: ArticleListParams = query(&req)?;
    let sort = match params.sort.unwrap_or(SortParam::Attention) {
        SortParam::Attention => ArticleSort::Attention,
        SortParam::Reports => ArticleSort::Reports,
        SortParam::Helpfulness => ArticleSort::Helpfulness,
        SortParam::Recent => ArticleSort::Recent,
    };
    let q = ArticleQuery {
        host: params.host.map(|h| h.to_ascii_lowercase()),
        path_prefix: params.path.filter(|p| !p.is_empty()),
        state: params.status.map(|s| match s {
            StateParam::Open => ArticleState::Open,
            StateParam::Harmful => ArticleState::Harmful,
            StateParam::Clear => ArticleState::Clear,
        }),
        category: params.category,
        search: params.q.filter(|q| !q.trim().is_empty()),
        active_from: params.from.map(|t| t.naive_utc()),
        active_to: params.to.map(|t| t.naive_utc()),
        assignee: params.assignee.filter(|a| !a.is_empty()),
        after: params
            .cursor
            .as_deref()
            .map(|c| parse_article_cursor(c, sort))
            .transpose()?,
        ..ArticleQuery::new(sort, page_size(params.limit)?)
    };
    let limit = q.limit;
    let rows = state.db(move |conn| Ok(articles::list(conn, &q)?)).await?;
    let next_cursor = next_page(&rows, limit, |a| article_cursor(sort.key_of(a), a.id));
    Ok(HttpResponse::Ok().json(ArticlePage {
        items: rows.iter().map(ArticleView::from).collect(),
        next_cursor,
    }))
}

/// One article: counters, helpfulness and its newest reports.
#[utoipa::path(
    get, path = "/api/v1/articles/{id}", tag = "triage",
    params(("id" = i64, Path, description = "Article id")),
    security(("bearer" = [])),
    responses(
        (status = 200, body = ArticleDetail),
        (status = 401, description = "Missing or unknown token", body = ErrorBody),
        (status = 404, description = "No such article", body = ErrorBody),
    )
)]
pub async fn get_article(
    state: web::Data<AppState>,
    _client: ApiClient,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&id, "article")?;
    let found = state
        .db(move |conn| {
            let Some(article) = articles::get(conn, id)? else {
                return Ok(None);
            };
            let recent = reports::list(
                conn,
                &ReportQuery {
                    article_id: Some(id),
                    limit: 20,
                    ..ReportQuery::default()
                },
            )?;
            let votes = votes::recent_feedback(conn, id, 20)?;
            Ok(Some((article, recent, votes)))
        })
        .await?;
    let (article, recent, votes) = found.ok_or_else(|| ApiError::not_found("article"))?;
    Ok(HttpResponse::Ok().json(ArticleDetail {
        article: ArticleView::from(&article),
        recent_reports: recent.iter().map(ReportView::from).collect(),
        recent_votes: votes.iter().map(VoteView::from).collect(),
    }))
}

/// Reports, newest first.
#[utoipa::path(
    get, path = "/api/v1/reports", tag = "triage",
    params(ReportListParams),
    security(("bearer" = [])),
    responses(
        (status = 200, body = ReportPage),
        (status = 401, description = "Missing or unknown token", body = ErrorBody),
        (status = 422, description = "A parameter is invalid", body = ErrorBody),
    )
)]
pub async fn list_reports(
    state: web::Data<AppState>,
    _client: ApiClient,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let params: ReportListParams = query(&req)?;
    let before_id = match params.cursor.as_deref() {
        Some(c) => Some(
            decode_cursor(c)?
                .strip_prefix("r:")
                .and_then(|id| id.parse::<i64>().ok())
                .ok_or_else(|| {
                    ApiError::invalid("cursor", "cursor is not one this API gave out")
                })?,
        ),
        None => None,
    };
    let q = ReportQuery {
        status: params.status,
        category: params.category,
        article_id: params.article_id,
        since: params.since.map(|t| t.naive_utc()),
        before_id,
        limit: page_size(params.limit)?,
    };
    let limit = q.limit;
    let rows = state.db(move |conn| Ok(reports::list(conn, &q)?)).await?;
    let next_cursor = next_page(&rows, limit, |r| encode_cursor(format!("r:{}", r.id)));
    Ok(HttpResponse::Ok().json(ReportPage {
        items: rows.iter().map(ReportView::from).collect(),
        next_cursor,
    }))
}

/// One report with its audit trail.
#[utoipa::path(
    get, path = "/api/v1/reports/{id}", tag = "triage",
    params(("id" = i64, Path, description = "Report id")),
    security(("bearer" = [])),
    responses(
        (status = 200, body = ReportDetail),
        (status = 401, description = "Missing or unknown token", body = ErrorBody),
        (status = 404, description = "No such report", body = ErrorBody),
    )
)]
pub async fn get_report(
    state: web::Data<AppState>,
    _client: ApiClient,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&id, "report")?;
    let detail = state.db(move |conn| report_detail(conn, id)).await?;
    Ok(HttpResponse::Ok().json(detail))
}

/// Change a report's status or assignee, or add a note; recorded as an event.
#[utoipa::path(
    patch, path = "/api/v1/reports/{id}", tag = "triage",
    params(("id" = i64, Path, description = "Report id")),
    request_body = ReportPatch,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Changed and recorded", body = ReportDetail),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Missing or unknown token", body = ErrorBody),
        (status = 404, description = "No such report", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Not application/json", body = ErrorBody),
        (status = 422, description = "A field is invalid or nothing to change", body = ErrorBody),
    )
)]
pub async fn patch_report(
    state: web::Data<AppState>,
    client: ApiClient,
    id: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&id, "report")?;
    let bytes = body::read(
        &req,
        payload,
        BodyKind::Json,
        state.settings.limits.max_body_bytes,
    )
    .await?;
    let patch: ReportPatch = body::parse_json(&bytes)?;
    let change = report_change(patch, format!("token:{}", client.token_name))?;
    let alerting = state.alerting.clone();
    let detail = state
        .db(move |conn| {
            apply_report_change(conn, &alerting, id, &change)?;
            report_detail(conn, id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(detail))
}

/// Changes a report and, in the same transaction, lets the alert rules see the new figures
/// (resolving reports re-arms an article). The dashboard calls this too.
pub fn apply_report_change(
    conn: &mut crate::db::DbConn,
    alerting: &Alerting,
    id: i64,
    change: &ReportChange,
) -> Result<(), ApiError> {
    let now = crate::db::now();
    let queued = conn.write_tx(|conn| {
        let report =
            reports::change(conn, id, change, now)?.ok_or_else(|| ApiError::not_found("report"))?;
        Ok::<_, ApiError>(alerts::evaluate(
            conn,
            alerting,
            report.article_id,
            Trigger::Triage,
            now,
        )?)
    })?;
    if queued > 0 {
        alerting.queued.notify_one();
    }
    Ok(())
}

/// Optional body of `POST /api/v1/articles/{id}/reviewed`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewedRequest {
    /// What was checked or changed.
    pub note: Option<String>,
}

/// Mark an article re-reviewed: alerts re-arm and only feedback from now on counts towards them.
#[utoipa::path(
    post, path = "/api/v1/articles/{id}/reviewed", tag = "triage",
    params(("id" = i64, Path, description = "Article id")),
    request_body(content = ReviewedRequest, description = "Optional note"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Recorded", body = ArticleView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Missing or unknown token", body = ErrorBody),
        (status = 404, description = "No such article", body = ErrorBody),
        (status = 422, description = "A field is invalid", body = ErrorBody),
    )
)]
pub async fn mark_reviewed(
    state: web::Data<AppState>,
    client: ApiClient,
    id: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&id, "article")?;
    let bytes = if req
        .headers()
        .contains_key(actix_web::http::header::CONTENT_TYPE)
    {
        body::read(
            &req,
            payload,
            BodyKind::Json,
            state.settings.limits.max_body_bytes,
        )
        .await?
    } else {
        Default::default()
    };
    let request: ReviewedRequest = if bytes.is_empty() {
        ReviewedRequest::default()
    } else {
        body::parse_json(&bytes)?
    };
    let note = request
        .note
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty());
    if note
        .as_ref()
        .is_some_and(|n| n.chars().count() > MAX_NOTE_CHARS)
    {
        return Err(ApiError::invalid(
            "note",
            format!("note must be at most {MAX_NOTE_CHARS} characters"),
        ));
    }
    let actor = format!("token:{}", client.token_name);
    let article = state
        .db(move |conn| {
            let done = conn.write_tx(|c| {
                alert_store::mark_reviewed(c, id, &actor, note.as_deref(), crate::db::now())
            })?;
            if !done {
                return Err(ApiError::not_found("article"));
            }
            articles::get(conn, id)?.ok_or_else(|| ApiError::not_found("article"))
        })
        .await?;
    Ok(HttpResponse::Ok().json(ArticleView::from(&article)))
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum OutboxStatusParam {
    Pending,
    Sending,
    Sent,
    Failed,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OutboxParams {
    status: Option<OutboxStatusParam>,
    /// 1 to 200 (default 50).
    limit: Option<i64>,
}

/// Outgoing e-mail, newest first: what is waiting, what was sent, what failed and why.
#[utoipa::path(
    get, path = "/api/v1/outbox", tag = "triage",
    params(OutboxParams),
    security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<OutboxView>),
        (status = 401, description = "Missing or unknown token", body = ErrorBody),
        (status = 422, description = "A parameter is invalid", body = ErrorBody),
    )
)]
pub async fn list_outbox(
    state: web::Data<AppState>,
    _client: ApiClient,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let params: OutboxParams = query(&req)?;
    let status = params.status.map(|s| match s {
        OutboxStatusParam::Pending => "pending",
        OutboxStatusParam::Sending => "sending",
        OutboxStatusParam::Sent => "sent",
        OutboxStatusParam::Failed => "failed",
    });
    let limit = page_size(params.limit)?;
    let rows = state
        .db(move |conn| Ok(outbox::list(conn, status, limit)?))
        .await?;
    Ok(HttpResponse::Ok().json(rows.iter().map(OutboxView::from).collect::<Vec<_>>()))
}

/// Checks a triage action; the dashboard builds its changes here too.
pub fn report_change(patch: ReportPatch, actor: String) -> Result<ReportChange, ApiError> {
    let note = patch
        .note
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty());
    if note
        .as_ref()
        .is_some_and(|n| n.chars().count() > MAX_NOTE_CHARS)
    {
        return Err(ApiError::invalid(
            "note",
            format!("note must be at most {MAX_NOTE_CHARS} characters"),
        ));
    }
    let assignee = patch.assignee.map(|a| {
        let a = a.trim().to_string();
        (!a.is_empty()).then_some(a)
    });
    if assignee
        .as_ref()
        .and_then(|a| a.as_ref())
        .is_some_and(|a| a.chars().count() > MAX_ASSIGNEE_CHARS)
    {
        return Err(ApiError::invalid(
            "assignee",
            format!("assignee must be at most {MAX_ASSIGNEE_CHARS} characters"),
        ));
    }
    if patch.status.is_none() && note.is_none() && assignee.is_none() {
        return Err(ApiError::new(
            actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
            "nothing_to_change",
            "give a status, a note or an assignee",
        ));
    }
    Ok(ReportChange {
        status: patch.status,
        assignee,
        note,
        actor,
    })
}

fn report_detail(conn: &mut crate::db::DbConn, id: i64) -> Result<ReportDetail, ApiError> {
    let report = reports::get(conn, id)?.ok_or_else(|| ApiError::not_found("report"))?;
    let events = reports::events(conn, id)?;
    Ok(ReportDetail {
        report: ReportView::from(&report),
        events: events.iter().map(ReportEventView::from).collect(),
    })
}

fn path_id(raw: &str, what: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ApiError::not_found(what))
}
