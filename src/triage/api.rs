//! The bearer-token JSON API for integrations: articles in the order that needs attention first,
//! reports and triage changes (reviews are `crate::reviews`). Each handler extracts, calls the triage service and
//! renders the answer.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::filter::{page_size, ArticleListParams, ProblemListParams, ReportListParams};
use super::service::Triage;
use super::views::{
    ArticleDetail, ArticlePage, OutboxView, ProblemDetail, ProblemPage, ReportDetail, ReportPage,
    ReportView,
};
use crate::auth::Authed;
use crate::domain::{
    ArticleId, Lane, OutboxStatus, ProblemId, ReportChange, ReportId, ReportStatus,
};
use crate::errors::{ApiError, ErrorBody};
use crate::http::{Id, Json, Query};
use crate::mail::Outbox;

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
    triage: web::Data<Triage>,
    params: Authed<Query<ArticleListParams>>,
) -> Result<HttpResponse, ApiError> {
    let page = triage.articles(&params.value.0).await?;
    Ok(HttpResponse::Ok().json(ArticlePage::from(page)))
}

/// One article: counters, helpfulness, its alert states and its newest reports and votes.
#[utoipa::path(
    get, path = "/api/v1/articles/{id}", tag = "triage",
    params(("id" = i64, Path, description = "Article id", minimum = 1)),
    security(("bearer" = [])),
    responses(
        (status = 200, body = ArticleDetail),
        (status = 401, description = "Missing or unknown token", body = ErrorBody),
        (status = 404, description = "No such article", body = ErrorBody),
    )
)]
pub async fn get_article(
    triage: web::Data<Triage>,
    id: Authed<Id<ArticleId>>,
) -> Result<HttpResponse, ApiError> {
    let summary = triage.article(id.value.get()).await?;
    Ok(HttpResponse::Ok().json(ArticleDetail::from(&summary)))
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
    triage: web::Data<Triage>,
    params: Authed<Query<ReportListParams>>,
) -> Result<HttpResponse, ApiError> {
    let page = triage.reports(&params.value.0).await?;
    Ok(HttpResponse::Ok().json(ReportPage::from(page)))
}

/// One report with its audit trail.
#[utoipa::path(
    get, path = "/api/v1/reports/{id}", tag = "triage",
    params(("id" = i64, Path, description = "Report id", minimum = 1)),
    security(("bearer" = [])),
    responses(
        (status = 200, body = ReportDetail),
        (status = 401, description = "Missing or unknown token", body = ErrorBody),
        (status = 404, description = "No such report", body = ErrorBody),
    )
)]
pub async fn get_report(
    triage: web::Data<Triage>,
    id: Authed<Id<ReportId>>,
) -> Result<HttpResponse, ApiError> {
    let (report, events) = triage.report(id.value.get()).await?;
    Ok(HttpResponse::Ok().json(ReportDetail::new(&report, &events)))
}

/// Problems (reports of the same problem on one article), newest first.
#[utoipa::path(
    get, path = "/api/v1/problems", tag = "triage",
    params(ProblemListParams),
    security(("bearer" = [])),
    responses(
        (status = 200, body = ProblemPage),
        (status = 401, description = "Missing or unknown token", body = ErrorBody),
        (status = 422, description = "A parameter is invalid", body = ErrorBody),
    )
)]
pub async fn list_problems(
    triage: web::Data<Triage>,
    params: Authed<Query<ProblemListParams>>,
) -> Result<HttpResponse, ApiError> {
    let (items, next_cursor) = triage.problems(&params.value.0).await?;
    Ok(HttpResponse::Ok().json(ProblemPage { items, next_cursor }))
}

/// One problem with its reports.
#[utoipa::path(
    get, path = "/api/v1/problems/{id}", tag = "triage",
    params(("id" = i64, Path, description = "Problem id", minimum = 1)),
    security(("bearer" = [])),
    responses(
        (status = 200, body = ProblemDetail),
        (status = 401, description = "Missing or unknown token", body = ErrorBody),
        (status = 404, description = "No such problem", body = ErrorBody),
    )
)]
pub async fn get_problem(
    triage: web::Data<Triage>,
    id: Authed<Id<ProblemId>>,
) -> Result<HttpResponse, ApiError> {
    let (problem, reports) = triage.problem(id.value.get()).await?;
    Ok(HttpResponse::Ok().json(ProblemDetail {
        problem,
        reports: reports.iter().map(ReportView::from).collect(),
    }))
}

/// The same action as on a report, on every report of the problem (a status only where it
/// changes); or a merge into another problem of the article; or a split, moving some of its
/// reports out into a new problem. Each report's audit trail records it.
#[utoipa::path(
    patch, path = "/api/v1/problems/{id}", tag = "triage",
    params(("id" = i64, Path, description = "Problem id", minimum = 1)),
    request_body = ProblemPatch,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Changed and recorded: the problem, or after a merge the \
            problem merged into, or after a split the new problem", body = ProblemDetail),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Missing or unknown token", body = ErrorBody),
        (status = 404, description = "No such problem", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Not application/json", body = ErrorBody),
        (status = 422, description = "A field is invalid or nothing to change", body = ErrorBody),
    )
)]
pub async fn patch_problem(
    triage: web::Data<Triage>,
    patch: Authed<(Id<ProblemId>, Json<ProblemPatch>)>,
) -> Result<HttpResponse, ApiError> {
    let (id, body) = patch.value;
    let id = id.get();
    let actor = patch.client.actor();
    let shown = match ProblemAction::try_from(body.into_inner())? {
        ProblemAction::Change(change) => {
            triage.change_problem(id, change, actor, false).await?;
            id
        }
        ProblemAction::Merge(into) => {
            triage.merge_problems(id, into, actor).await?;
            into
        }
        ProblemAction::Split(reports) => triage.split_problem(id, reports, actor).await?,
    };
    let (problem, reports) = triage.problem(shown).await?;
    Ok(HttpResponse::Ok().json(ProblemDetail {
        problem,
        reports: reports.iter().map(ReportView::from).collect(),
    }))
}

/// A triage action on a problem: the fields of a report's action (applied to each of its
/// reports), or `merge_into`, or `split`, each alone.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProblemPatch {
    pub status: Option<ReportStatus>,
    pub lane: Option<Lane>,
    #[schema(max_length = 4000)]
    pub note: Option<String>,
    #[schema(max_length = 254)]
    pub assignee: Option<String>,
    #[schema(max_length = 4000)]
    pub public_correction: Option<String>,
    /// Another problem of the same article: every report of this one joins it (this problem
    /// is gone afterwards).
    #[schema(minimum = 1)]
    pub merge_into: Option<i64>,
    /// Reports of this problem to move out into a new problem; at least one must stay. The
    /// matcher does not merge the two again by itself.
    #[schema(min_items = 1)]
    pub split: Option<Vec<i64>>,
}

/// What a [`ProblemPatch`] asks for.
pub enum ProblemAction {
    Change(ReportChange),
    Merge(ProblemId),
    Split(Vec<ReportId>),
}

impl TryFrom<ProblemPatch> for ProblemAction {
    type Error = ApiError;

    fn try_from(p: ProblemPatch) -> Result<ProblemAction, ApiError> {
        let id = |field: &'static str, raw: i64| {
            (raw >= 1)
                .then_some(raw)
                .ok_or_else(|| ApiError::invalid(field, format!("{field} takes ids of 1 or more")))
        };
        let change = ReportPatch {
            status: p.status,
            lane: p.lane,
            note: p.note,
            assignee: p.assignee,
            public_correction: p.public_correction,
        };
        let alone = |field: &'static str| {
            ApiError::invalid(
                field,
                format!("{field} comes alone: send other changes separately"),
            )
        };
        match (p.merge_into, p.split) {
            (Some(_), Some(_)) => Err(alone("merge_into")),
            (Some(into), None) if change.is_empty() => {
                Ok(ProblemAction::Merge(ProblemId(id("merge_into", into)?)))
            }
            (None, Some(reports)) if change.is_empty() => Ok(ProblemAction::Split(
                reports
                    .into_iter()
                    .map(|r| id("split", r).map(ReportId))
                    .collect::<Result<_, _>>()?,
            )),
            (Some(_), None) => Err(alone("merge_into")),
            (None, Some(_)) => Err(alone("split")),
            (None, None) => Ok(ProblemAction::Change(ReportChange::try_from(change)?)),
        }
    }
}

/// A triage action on a report. Every call is recorded in the report's audit trail.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportPatch {
    pub status: Option<ReportStatus>,
    /// Moves the report to another lane: it counts from then on if that is the queue, and
    /// the move teaches the classifier.
    pub lane: Option<Lane>,
    /// Why; shown in the audit trail.
    #[schema(max_length = 4000)]
    pub note: Option<String>,
    /// Who should handle it; an empty string removes the assignee.
    #[schema(max_length = 254)]
    pub assignee: Option<String>,
    /// With `"status": "resolved"`: a correction to publish with today's date (your words, not
    /// the reader's), in `GET /api/v1/public/corrections` and `/corrections.atom`.
    #[schema(max_length = 4000)]
    pub public_correction: Option<String>,
}

impl ReportPatch {
    fn is_empty(&self) -> bool {
        self.status.is_none()
            && self.lane.is_none()
            && self.note.is_none()
            && self.assignee.is_none()
            && self.public_correction.is_none()
    }
}

impl TryFrom<ReportPatch> for ReportChange {
    type Error = ApiError;

    fn try_from(p: ReportPatch) -> Result<ReportChange, ApiError> {
        let change = ReportChange::new(p.status, p.assignee.as_deref(), p.note.as_deref())
            .and_then(|c| c.with_public_correction(p.public_correction.as_deref()))
            .map_err(|(field, why)| ApiError::invalid(field, why))?;
        Ok(ReportChange {
            lane: p.lane,
            ..change
        })
    }
}

/// Change a report's status, lane or assignee, or add a note; recorded as an event.
#[utoipa::path(
    patch, path = "/api/v1/reports/{id}", tag = "triage",
    params(("id" = i64, Path, description = "Report id", minimum = 1)),
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
    triage: web::Data<Triage>,
    patch: Authed<(Id<ReportId>, Json<ReportPatch>)>,
) -> Result<HttpResponse, ApiError> {
    let (id, body) = patch.value;
    let change = ReportChange::try_from(body.into_inner())?;
    triage
        .change(vec![id.get()], change, patch.client.actor(), false)
        .await?;
    let (report, events) = triage.report(id.get()).await?;
    Ok(HttpResponse::Ok().json(ReportDetail::new(&report, &events)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OutboxParams {
    #[serde(default, deserialize_with = "crate::triage::filter::given")]
    status: Option<OutboxStatus>,
    /// 1 to 200 (default 50).
    #[serde(default, deserialize_with = "crate::triage::filter::given_parsed")]
    #[param(minimum = 1, maximum = 200)]
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
    outbox: web::Data<Outbox>,
    params: Authed<Query<OutboxParams>>,
) -> Result<HttpResponse, ApiError> {
    let params = &params.value.0;
    let rows = outbox.list(params.status, page_size(params.limit)?).await?;
    Ok(HttpResponse::Ok().json(rows.iter().map(OutboxView::from).collect::<Vec<_>>()))
}
