//! Votes and reports in: the public endpoints the widget (JSON) and plain HTML forms post to.
//! Both paths go through the same steps: rate limit, read the body, validate, store through the
//! group-commit writer, answer only after COMMIT.

pub mod body;
pub mod client;
pub mod form;
pub mod validate;
pub mod visitor;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use self::body::BodyKind;
use self::validate::{ReportRequest, Validator, Verdict, VoteRequest};
use crate::db::reports::ReportOutcome;
use crate::db::votes::VoteOutcome;
use crate::errors::{ApiError, ErrorBody};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct VoteCreated {
    pub vote_id: i64,
    pub article_id: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportCreated {
    pub report_id: i64,
    pub article_id: i64,
}

/// What became of a vote.
pub enum VoteResult {
    Stored(VoteOutcome),
    /// The honeypot was filled: nothing stored.
    Discarded,
}

/// Rejects a client over its rate limit before its body is even read.
pub fn check_rate(state: &AppState, req: &HttpRequest) -> Result<(), ApiError> {
    match &state.rate_limits {
        Some(limits) => limits.check(client::client_ip(
            req,
            &state.settings.server.trusted_proxies,
        )),
        None => Ok(()),
    }
}

fn validator(state: &AppState) -> Validator<'_> {
    Validator {
        settings: &state.settings,
        sites: &state.sites,
    }
}

async fn seed(state: &AppState, req: &HttpRequest) -> Result<visitor::VisitorSeed, ApiError> {
    let ip = client::client_ip(req, &state.settings.server.trusted_proxies);
    state.visitors.seed(ip, client::user_agent(req)).await
}

fn refused(kind: &'static str, e: &ApiError) {
    metrics::counter!("flagpole_submissions_refused_total", "kind" => kind, "code" => e.code)
        .increment(1);
}

/// Validates and stores a vote, whichever way it arrived.
pub async fn accept_vote(
    state: &AppState,
    req: &HttpRequest,
    request: VoteRequest,
) -> Result<VoteResult, ApiError> {
    let result = async {
        let who = seed(state, req).await?;
        let (vote, verdict) = validator(state).vote(request, &who)?;
        if verdict == Verdict::Honeypot {
            return Ok(VoteResult::Discarded);
        }
        let outcome = state
            .writer
            .vote(vote)
            .await
            .map_err(ApiError::unavailable)?;
        Ok(VoteResult::Stored(outcome))
    }
    .await;
    match &result {
        Ok(VoteResult::Stored(o)) => {
            let label = if o.created { "created" } else { "replaced" };
            metrics::counter!("flagpole_votes_total", "result" => label).increment(1);
        }
        Ok(VoteResult::Discarded) => {
            metrics::counter!("flagpole_votes_total", "result" => "honeypot").increment(1)
        }
        Err(e) => refused("vote", e),
    }
    result
}

/// Validates and stores a report, whichever way it arrived. Honeypot and link-stuffed reports
/// are stored with status `spam`: kept for editors to see, never counted.
pub async fn accept_report(
    state: &AppState,
    req: &HttpRequest,
    request: ReportRequest,
) -> Result<ReportOutcome, ApiError> {
    let result = async {
        let who = seed(state, req).await?;
        let (report, _verdict) = validator(state).report(request, &who)?;
        let spam = report.status == crate::domain::ReportStatus::Spam;
        let outcome = state
            .writer
            .report(report)
            .await
            .map_err(ApiError::unavailable)?;
        Ok((outcome, spam))
    }
    .await;
    match &result {
        Ok((_, spam)) => {
            let label = if *spam { "spam" } else { "stored" };
            metrics::counter!("flagpole_reports_total", "result" => label).increment(1);
        }
        Err(e) => refused("report", e),
    }
    result.map(|(outcome, _)| outcome)
}

/// Record whether an article helped. The same reader voting again on the same article the same
/// (UTC) day replaces their earlier vote: 200 with the same id, counted once.
#[utoipa::path(
    post, path = "/api/v1/votes", tag = "ingest",
    request_body = VoteRequest,
    responses(
        (status = 201, description = "Stored", body = VoteCreated),
        (status = 200, description = "Replaced this reader's earlier vote today", body = VoteCreated),
        (status = 202, description = "Discarded: the honeypot field was filled"),
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
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    check_rate(&state, &req).inspect_err(|e| refused("vote", e))?;
    let request = json_body(&state, &req, payload)
        .await
        .inspect_err(|e| refused("vote", e))?;
    Ok(match accept_vote(&state, &req, request).await? {
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
        VoteResult::Discarded => HttpResponse::Accepted().json(serde_json::json!({})),
    })
}

/// Report a problem with an article.
#[utoipa::path(
    post, path = "/api/v1/reports", tag = "ingest",
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
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    check_rate(&state, &req).inspect_err(|e| refused("report", e))?;
    let request = json_body(&state, &req, payload)
        .await
        .inspect_err(|e| refused("report", e))?;
    let o = accept_report(&state, &req, request).await?;
    Ok(HttpResponse::Created().json(ReportCreated {
        report_id: o.report_id,
        article_id: o.article_id,
    }))
}

async fn json_body<T: serde::de::DeserializeOwned>(
    state: &AppState,
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<T, ApiError> {
    let bytes = body::read(
        req,
        payload,
        BodyKind::Json,
        state.settings.limits.max_body_bytes,
    )
    .await?;
    body::parse_json(&bytes)
}
