//! The reviews API: record a review of an article, list its reviews, and the older "mark
//! re-reviewed" endpoint, which records a review with outcome `no_change`.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::service::{ReviewRequest, Reviews};
use crate::auth::Authed;
use crate::db::reviews::Review;
use crate::domain::{ArticleId, DueReason, Note, ReviewOutcome, ReviewSource};
use crate::errors::{ApiError, ErrorBody};
use crate::http::{Id, Json, OptionalJson};
use crate::triage::filter::Bound;
use crate::triage::views::{utc, ArticleView};

/// Body of `POST /api/v1/articles/{id}/reviews`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewBody {
    pub outcome: ReviewOutcome,
    /// What was checked or changed.
    #[schema(max_length = 4000)]
    pub note: Option<String>,
    /// When the review happened (default now): a time (RFC 3339) or a date (`2026-11-25`, taken
    /// as midnight UTC), to back-fill earlier reviews. Not in the future.
    #[schema(value_type = Option<crate::triage::filter::Bound>)]
    pub reviewed_at: Option<String>,
}

/// A review of an article.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewView {
    pub id: i64,
    pub article_id: i64,
    /// The editor's or the API token's name, or the page's `reviewedBy`.
    pub reviewer: String,
    pub reviewed_at: DateTime<Utc>,
    pub outcome: ReviewOutcome,
    pub note: Option<String>,
    /// `editor` (recorded here) or `page` (the page's own `lastReviewed`).
    pub source: ReviewSource,
    pub created_at: DateTime<Utc>,
}

impl From<&Review> for ReviewView {
    fn from(r: &Review) -> Self {
        ReviewView {
            id: r.id,
            article_id: r.article_id,
            reviewer: r.reviewer.clone(),
            reviewed_at: utc(r.reviewed_at),
            outcome: r.outcome,
            note: r.note.clone(),
            source: r.source,
            created_at: utc(r.created_at),
        }
    }
}

/// An article's reviews and review dates.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewList {
    pub article_id: i64,
    pub last_reviewed_at: Option<DateTime<Utc>>,
    pub reviewed_by: Option<String>,
    pub review_due_at: Option<DateTime<Utc>>,
    pub review_due_reason: Option<DueReason>,
    /// Newest first.
    pub items: Vec<ReviewView>,
}

/// A date (`2026-11-25`, midnight UTC) or a time (RFC 3339), as listings take them.
fn parse_moment(raw: &str) -> Result<NaiveDateTime, ApiError> {
    raw.parse::<Bound>()
        .map(Bound::start)
        .map_err(|why| ApiError::invalid("reviewed_at", why))
}

fn note(raw: Option<&str>) -> Result<Option<Note>, ApiError> {
    Note::parse(raw.unwrap_or("")).map_err(|why| ApiError::invalid("note", why))
}

/// Record a review of an article. The reviewer is the API token's name. Re-arms the article's
/// alerts: only feedback after the review counts towards them.
#[utoipa::path(
    post, path = "/api/v1/articles/{id}/reviews", tag = "reviews",
    params(("id" = i64, Path, description = "Article id", minimum = 1)),
    request_body = ReviewBody,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Recorded", body = ReviewView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Missing or unknown token", body = ErrorBody),
        (status = 404, description = "No such article", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Not application/json", body = ErrorBody),
        (status = 422, description = "A field is invalid", body = ErrorBody),
    )
)]
pub async fn post_review(
    reviews: web::Data<Reviews>,
    body: Authed<(Id<ArticleId>, Json<ReviewBody>)>,
) -> Result<HttpResponse, ApiError> {
    let (id, request) = body.value;
    let request = request.into_inner();
    let request = ReviewRequest {
        outcome: request.outcome,
        note: note(request.note.as_deref())?,
        reviewed_at: request
            .reviewed_at
            .as_deref()
            .map(parse_moment)
            .transpose()?,
    };
    let (review, _) = reviews
        .record(id.get(), body.client.token_name, request)
        .await?;
    Ok(HttpResponse::Created().json(ReviewView::from(&review)))
}

/// An article's reviews, newest first, with its review dates.
#[utoipa::path(
    get, path = "/api/v1/articles/{id}/reviews", tag = "reviews",
    params(("id" = i64, Path, description = "Article id", minimum = 1)),
    security(("bearer" = [])),
    responses(
        (status = 200, body = ReviewList),
        (status = 401, description = "Missing or unknown token", body = ErrorBody),
        (status = 404, description = "No such article", body = ErrorBody),
    )
)]
pub async fn list_reviews(
    reviews: web::Data<Reviews>,
    id: Authed<Id<ArticleId>>,
) -> Result<HttpResponse, ApiError> {
    let (article, items) = reviews.list(id.value.get()).await?;
    let due = article.review_due(crate::db::now());
    Ok(HttpResponse::Ok().json(ReviewList {
        article_id: article.id,
        last_reviewed_at: article.last_reviewed_at.map(utc),
        reviewed_by: article.reviewed_by.clone(),
        review_due_at: due.map(|(at, _)| utc(at)),
        review_due_reason: due.map(|(_, why)| why),
        items: items.iter().map(ReviewView::from).collect(),
    }))
}

/// Optional body of `POST /api/v1/articles/{id}/reviewed`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewedRequest {
    /// What was checked or changed.
    #[schema(max_length = 4000)]
    pub note: Option<String>,
}

/// Mark an article re-reviewed: a review now with outcome `no_change`. Alerts re-arm and only
/// feedback from now on counts towards them.
#[utoipa::path(
    post, path = "/api/v1/articles/{id}/reviewed", tag = "reviews",
    params(("id" = i64, Path, description = "Article id", minimum = 1)),
    request_body(content = ReviewedRequest, description = "Optional note"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Recorded", body = ArticleView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Missing or unknown token", body = ErrorBody),
        (status = 404, description = "No such article", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "A body that is not application/json", body = ErrorBody),
        (status = 422, description = "A field is invalid", body = ErrorBody),
    )
)]
pub async fn mark_reviewed(
    reviews: web::Data<Reviews>,
    body: Authed<(Id<ArticleId>, OptionalJson<ReviewedRequest>)>,
) -> Result<HttpResponse, ApiError> {
    let (id, request) = body.value;
    let request = ReviewRequest {
        outcome: ReviewOutcome::NoChange,
        note: note(request.0.note.as_deref())?,
        reviewed_at: None,
    };
    let (_, article) = reviews
        .record(id.get(), body.client.token_name, request)
        .await?;
    Ok(HttpResponse::Ok().json(ArticleView::from(&article)))
}
