//! What editors do to reports and articles from the dashboard: one report's buttons, the same on
//! a selection at once, and marking an article re-reviewed. Each is the same triage change as
//! `PATCH /api/v1/reports/{id}`, recorded with the editor as its actor; afterwards the editor is
//! sent back to the article with a short confirmation (a code in the URL, never text from it).

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::layout::DashError;
use super::session::CsrfForm;
use crate::domain::{ArticleId, Lane, Note, ProblemId, ReportChange, ReportId, ReportStatus};
use crate::errors::ApiError;
use crate::http::Id;
use crate::triage::Triage;

#[derive(Debug, Deserialize)]
pub struct ActionForm {
    action: String,
    /// For `move`: the lane to move to.
    lane: Option<Lane>,
    note: Option<String>,
    assignee: Option<String>,
    reply: Option<String>,
    article: Option<i64>,
    /// Set on the lanes page: go back to that lane.
    from_lane: Option<Lane>,
    #[serde(default)]
    ids: Vec<i64>,
}

/// A dashboard button as a triage change.
fn change_for(form: &ActionForm) -> Result<ReportChange, ApiError> {
    let status = match form.action.as_str() {
        "acknowledge" => Some(ReportStatus::Acknowledged),
        "resolve" => Some(ReportStatus::Resolved),
        "dismiss" => Some(ReportStatus::Dismissed),
        "spam" => Some(ReportStatus::Spam),
        "reopen" => Some(ReportStatus::New),
        "note" | "assign" | "move" => None,
        other => {
            return Err(ApiError::invalid(
                "action",
                format!("unknown action {other:?}"),
            ))
        }
    };
    let assignee = (form.action == "assign").then(|| form.assignee.as_deref().unwrap_or(""));
    let note = form.note.as_deref();
    if form.action == "note" && note.is_none_or(|n| n.trim().is_empty()) {
        return Err(ApiError::invalid("note", "Write a note before adding it."));
    }
    let lane = match (form.action.as_str(), form.lane) {
        ("move", Some(lane)) => Some(lane),
        ("move", None) => return Err(ApiError::invalid("lane", "Choose the lane to move to.")),
        _ => None,
    };
    let change = ReportChange::new(status, assignee, note)
        .map_err(|(field, why)| ApiError::invalid(field, why))?;
    Ok(ReportChange { lane, ..change })
}

/// What the page says after an action, by code: the URL never carries text to display.
#[derive(Debug, Default, Deserialize)]
pub struct Done {
    done: Option<DoneCode>,
    n: Option<usize>,
}

#[derive(Debug, Clone, Copy, Deserialize, serde::Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum DoneCode {
    Done,
    Thanked,
    Bulk,
    Reviewed,
    Reset,
}

impl Done {
    pub fn message(&self) -> Option<String> {
        Some(match self.done? {
            DoneCode::Done => "Done.".to_string(),
            DoneCode::Thanked => "Resolved; the reader will be e-mailed a thank-you.".to_string(),
            DoneCode::Bulk => match self.n {
                Some(1) => "Done for 1 report.".to_string(),
                Some(n) => format!("Done for {n} reports."),
                None => "Done.".to_string(),
            },
            DoneCode::Reviewed => "Marked re-reviewed; alerts are re-armed.".to_string(),
            DoneCode::Reset => {
                "The classifier forgot its lessons; it sorts as it came.".to_string()
            }
        })
    }
}

/// Back to where the action came from: the article page, or a lane's page.
fn back_to(form: &ActionForm, done: DoneCode, n: Option<usize>) -> HttpResponse {
    let code = serde_json::to_value(done)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let count = n.map(|n| format!("&n={n}")).unwrap_or_default();
    let target = match (form.article, form.from_lane) {
        (Some(id), _) => format!("/dashboard/articles/{id}?done={code}{count}"),
        (None, Some(lane)) => format!("/dashboard/lanes?lane={lane}&done={code}{count}"),
        (None, None) => "/dashboard".into(),
    };
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, target))
        .finish()
}

pub async fn act(
    triage: web::Data<Triage>,
    id: Id<ReportId, DashError>,
    post: CsrfForm<ActionForm>,
) -> Result<HttpResponse, DashError> {
    let form = &post.form;
    let change = change_for(form)?;
    let thank = form.action == "resolve" && form.reply.is_some();
    let changed = triage
        .change(vec![id.get()], change, post.session.actor(), thank)
        .await?;
    let code = if changed.replies > 0 {
        DoneCode::Thanked
    } else {
        DoneCode::Done
    };
    Ok(back_to(form, code, None))
}

/// One action on every report of a problem.
pub async fn act_on_problem(
    triage: web::Data<Triage>,
    id: Id<ProblemId, DashError>,
    post: CsrfForm<ActionForm>,
) -> Result<HttpResponse, DashError> {
    let form = &post.form;
    let thank = form.action == "resolve" && form.reply.is_some();
    let changed = triage
        .change_problem(id.get(), change_for(form)?, post.session.actor(), thank)
        .await?;
    Ok(back_to(form, DoneCode::Bulk, Some(changed.reports)))
}

pub async fn bulk(
    triage: web::Data<Triage>,
    post: CsrfForm<ActionForm>,
) -> Result<HttpResponse, DashError> {
    let form = &post.form;
    if form.ids.is_empty() {
        return Err(DashError::BadRequest(
            "Select at least one report first.".into(),
        ));
    }
    let ids = form.ids.iter().map(|id| ReportId(*id)).collect();
    let changed = triage
        .change(ids, change_for(form)?, post.session.actor(), false)
        .await?;
    Ok(back_to(form, DoneCode::Bulk, Some(changed.reports)))
}

#[derive(Debug, Deserialize)]
pub struct ReviewForm {
    note: Option<String>,
}

pub async fn reviewed(
    triage: web::Data<Triage>,
    id: Id<ArticleId, DashError>,
    post: CsrfForm<ReviewForm>,
) -> Result<HttpResponse, DashError> {
    let note = Note::parse(post.form.note.as_deref().unwrap_or(""))
        .map_err(|why| ApiError::invalid("note", why))?;
    triage
        .mark_reviewed(id.get(), post.session.actor(), note)
        .await?;
    Ok(HttpResponse::SeeOther()
        .insert_header((
            header::LOCATION,
            format!("/dashboard/articles/{}?done=reviewed", id.get().get()),
        ))
        .finish())
}
