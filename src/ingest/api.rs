//! The public JSON endpoints the widget posts to.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::service::{Ingest, VoteResult};
use super::submission::{Submission, Submitted};
use super::validate::{ReportRequest, VoteRequest};
use crate::errors::{ApiError, ErrorBody};
use crate::http::body::BodyKind;

#[derive(Debug, Serialize, ToSchema)]
pub struct VoteCreated {
    pub vote_id: i64,
    pub article_id: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportCreated {
    pub report_id: i64,
    pub article_id: i64,
    /// When the report asked for personal medical advice or described an emergency: what the
    /// site tells readers about where to get help (show it to the reader). Otherwise null. The
    /// answer says nothing else about how the report was sorted.
    pub signpost: Option<String>,
}

impl Submitted for VoteRequest {
    const KIND: &'static str = "vote";
    const BODY: BodyKind = BodyKind::Json;
}

impl Submitted for ReportRequest {
    const KIND: &'static str = "report";
    const BODY: BodyKind = BodyKind::Json;
}

/// Record whether an article helped. The same reader voting again on the same article the same
/// (UTC) day replaces their earlier vote: 200 with the same id, counted once. A retry with the
/// same `Idempotency-Key` (or `submission_id`) gets the first answer again.
#[utoipa::path(
    post, path = "/api/v1/votes", tag = "ingest",
    params(("Idempotency-Key" = Option<String>, Header, description = "The same key on every retry of one submission", max_length = 255)),
    request_body = VoteRequest,
    responses(
        (status = 201, description = "Stored", body = VoteCreated),
        (status = 200, description = "Replaced this reader's earlier vote today", body = VoteCreated),
        (status = 202, description = "Not counted: the honeypot field was filled, or this address gave the article its counted votes for today"),
        (status = 400, description = "Malformed JSON or not UTF-8", body = ErrorBody),
        (status = 403, description = "Article host not allowed", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Not application/json", body = ErrorBody),
        (status = 422, description = "A field is missing, unknown or invalid", body = ErrorBody),
        (status = 429, description = "Rate limited; see Retry-After", body = ErrorBody),
        (status = 503, description = "Not stored; try again", body = ErrorBody),
    )
)]
pub async fn post_vote(
    ingest: web::Data<Ingest>,
    submission: Submission<VoteRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut vote = submission.body;
    vote.submission_id = submission.key.or(vote.submission_id);
    Ok(match ingest.vote(&submission.reader, vote).await? {
        VoteResult::Stored(o) => {
            let status = if o.created {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            HttpResponse::build(status).json(VoteCreated {
                vote_id: o.vote_id,
                article_id: o.article_id,
            })
        }
        VoteResult::Discarded | VoteResult::NotCounted => {
            HttpResponse::Accepted().json(serde_json::json!({}))
        }
    })
}

/// Report a problem with an article. A retry with the same `Idempotency-Key` (or
/// `submission_id`) gets the first answer again and stores nothing new.
#[utoipa::path(
    post, path = "/api/v1/reports", tag = "ingest",
    params(("Idempotency-Key" = Option<String>, Header, description = "The same key on every retry of one submission", max_length = 255)),
    request_body = ReportRequest,
    responses(
        (status = 201, description = "Stored", body = ReportCreated),
        (status = 400, description = "Malformed JSON or not UTF-8", body = ErrorBody),
        (status = 403, description = "Article host not allowed", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Not application/json", body = ErrorBody),
        (status = 422, description = "A field is missing, unknown or invalid", body = ErrorBody),
        (status = 429, description = "Rate limited; see Retry-After", body = ErrorBody),
        (status = 503, description = "Not stored; try again", body = ErrorBody),
    )
)]
pub async fn post_report(
    ingest: web::Data<Ingest>,
    submission: Submission<ReportRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut report = submission.body;
    report.submission_id = submission.key.or(report.submission_id);
    let (o, signpost) = ingest.report(&submission.reader, report).await?;
    Ok(HttpResponse::Created().json(ReportCreated {
        report_id: o.report_id,
        article_id: o.article_id,
        signpost,
    }))
}
