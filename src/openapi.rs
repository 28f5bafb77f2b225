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
        triage::api::list_problems,
        triage::api::get_problem,
        triage::api::patch_problem,
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
        crate::domain::Lane,
        crate::domain::LaneReason,
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
        triage::api::ProblemPatch,
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
        triage::views::ProblemView,
        triage::views::ProblemPage,
        triage::views::ProblemDetail,
        triage::filter::ProblemState,
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
    HttpResponse::Ok().json(document_json())
}

/// No control character is accepted in a query parameter; free text in a body keeps line breaks
/// and tabs (`http::body::refuse_control`). Written as patterns both JSON Schema (ECMA-262) and
/// client generators read.
const ONE_LINE: &str = r"^[^\x00-\x1F\x7F-\x9F]*$";
const FREE_TEXT: &str = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$";

/// The document, with the rule the extractors apply to every text value written into it: each
/// string property of a request body and each string query parameter gets its pattern. Done on
/// the generated document, so no field can be forgotten.
pub fn document_json() -> serde_json::Value {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    let mut bodies = Vec::new();
    if let Some(paths) = doc["paths"].as_object_mut() {
        for operation in paths.values_mut().filter_map(|p| p.as_object_mut()) {
            for op in operation.values_mut() {
                if let Some(content) = op["requestBody"]["content"].as_object() {
                    bodies.extend(content.values().filter_map(|c| {
                        c["schema"]["$ref"]
                            .as_str()
                            .and_then(|r| r.rsplit('/').next())
                            .map(str::to_string)
                    }));
                }
                for param in op["parameters"].as_array_mut().into_iter().flatten() {
                    if param["in"] == "query" {
                        // Leave a parameter out rather than send it empty (`triage::filter`).
                        if add_pattern(&mut param["schema"], ONE_LINE) {
                            param["schema"]["minLength"] = 1.into();
                        }
                    }
                }
            }
        }
    }
    for name in bodies {
        let properties = &mut doc["components"]["schemas"][name.as_str()]["properties"];
        for property in properties
            .as_object_mut()
            .into_iter()
            .flat_map(|p| p.values_mut())
        {
            add_pattern(property, FREE_TEXT);
            if let Some(items) = property.get_mut("items") {
                add_pattern(items, FREE_TEXT);
            }
        }
    }
    doc
}

/// A pattern on a plain string schema (not an enum, a reference or a format of its own); whether
/// it was one.
fn add_pattern(schema: &mut serde_json::Value, pattern: &str) -> bool {
    let is_string = match &schema["type"] {
        serde_json::Value::String(t) => t == "string",
        serde_json::Value::Array(types) => types.iter().any(|t| t == "string"),
        _ => false,
    };
    if let Some(object) = schema.as_object_mut() {
        if is_string
            && !["enum", "format", "pattern"]
                .iter()
                .any(|k| object.contains_key(*k))
        {
            object.insert("pattern".into(), pattern.into());
            return true;
        }
    }
    false
}
