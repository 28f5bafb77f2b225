//! The OpenAPI 3 document served at /api/v1/openapi.json, generated from the handlers' own
//! types so it cannot drift from them.

use actix_web::HttpResponse;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::{errors, ingest, reviews, triage};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "flagpole",
        description = "Reader feedback on articles: votes and problem reports in (public, for the widget), articles and reports out (bearer token) for triage."
    ),
    paths(
        ingest::api::post_vote,
        ingest::api::post_report,
        triage::api::list_articles,
        triage::api::get_article,
        triage::api::list_reports,
        triage::api::get_report,
        triage::api::patch_report,
        reviews::api::post_review,
        reviews::api::list_reviews,
        reviews::api::mark_reviewed,
        reviews::public::article_corrections,
        triage::api::list_outbox,
    ),
    components(schemas(
        crate::domain::Category,
        crate::domain::ReportStatus,
        crate::domain::ArticleSort,
        crate::domain::ArticleState,
        crate::domain::OutboxStatus,
        crate::domain::MailKind,
        crate::domain::Reason,
        crate::domain::ReviewOutcome,
        crate::domain::ReviewSource,
        crate::domain::ReviewDue,
        crate::domain::DueReason,
        crate::domain::PassageStatus,
        errors::ErrorBody,
        errors::ErrorDetail,
        ingest::validate::VoteRequest,
        ingest::validate::ReportRequest,
        ingest::api::VoteCreated,
        ingest::api::ReportCreated,
        triage::api::ReportPatch,
        reviews::api::ReviewedRequest,
        reviews::api::ReviewBody,
        reviews::api::ReviewView,
        reviews::api::ReviewList,
        reviews::public::PublicCorrection,
        reviews::public::PublicCorrections,
        triage::views::AlertStateView,
        triage::views::OutboxView,
        triage::views::ArticlePage,
        triage::views::ArticleView,
        triage::views::ArticleDetail,
        triage::views::ReportPage,
        triage::views::ReportView,
        triage::views::ReportDetail,
        triage::views::ReportEventView,
        triage::views::VoteView,
        triage::views::RevisionView,
        triage::views::TallyView,
    )),
    modifiers(&BearerAuth),
    tags(
        (name = "ingest", description = "Public: what the widget and the HTML forms send"),
        (name = "triage", description = "Bearer token: read and triage feedback"),
        (name = "reviews", description = "Bearer token: reviews of articles and their due dates"),
        (name = "public", description = "Public: published corrections, for the publisher's pages"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

pub async fn document() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}
