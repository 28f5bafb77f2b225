//! What editors do to reports and articles from the dashboard: one report's buttons, the same on
//! a selection at once, and marking an article re-reviewed. Each is the same triage change as
//! `PATCH /api/v1/reports/{id}`, recorded with the editor as its actor; afterwards the editor is
//! sent back to the article with a short confirmation (a code in the URL, never text from it).

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::layout::DashError;
use super::session::CsrfForm;
use crate::domain::{
    ArticleId, Lane, Note, ProblemId, ReportChange, ReportId, ReportStatus, ReviewOutcome,
};
use crate::errors::ApiError;
use crate::http::Id;
use crate::reviews::{ReviewRequest, Reviews};
use crate::triage::filter::Bound;
use crate::triage::Triage;

#[derive(Debug, Deserialize)]
pub struct ActionForm {
    action: String,
    /// For `move`: the lane to move to.
    lane: Option<Lane>,
    note: Option<String>,
    assignee: Option<String>,
    reply: Option<String>,
    /// With "resolve": a correction to publish.
    public_correction: Option<String>,
    article: Option<i64>,
    /// Set on the lanes page: go back to that lane.
    from_lane: Option<Lane>,
    /// For `merge` (a problem's): the problem to merge into.
    merge_into: Option<i64>,
    /// The selected reports (bulk), or for `split` the reports to move into a new problem.
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
    let correction = (form.action == "resolve")
        .then_some(form.public_correction.as_deref())
        .flatten();
    let change = ReportChange::new(status, assignee, note)
        .and_then(|c| c.with_public_correction(correction))
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
    Fixed,
    Merged,
    Split,
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
            DoneCode::Reviewed => "Review recorded; alerts are re-armed.".to_string(),
            DoneCode::Reset => {
                "The classifier forgot its lessons; it sorts as it came.".to_string()
            }
            DoneCode::Merged => "Merged: the reports are one problem now.".to_string(),
            DoneCode::Split => match self.n {
                Some(1) => "Moved 1 report into a new problem.".to_string(),
                Some(n) => format!("Moved {n} reports into a new problem."),
                None => "Done.".to_string(),
            },
            DoneCode::Fixed => match self.n {
                Some(1) => "Resolved 1 report as fixed.".to_string(),
                Some(n) => format!("Resolved {n} reports as fixed."),
                None => "Done.".to_string(),
            },
        })
    }
}

/// Back to where the action came from: the article page, or a lane's page.
fn back_to(
    article: Option<i64>,
    from_lane: Option<Lane>,
    done: DoneCode,
    n: Option<usize>,
) -> HttpResponse {
    let code = serde_json::to_value(done)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let count = n.map(|n| format!("&n={n}")).unwrap_or_default();
    let target = match (article, from_lane) {
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
    Ok(back_to(form.article, form.from_lane, code, None))
}

/// One action on every report of a problem.
pub async fn act_on_problem(
    triage: web::Data<Triage>,
    id: Id<ProblemId, DashError>,
    post: CsrfForm<ActionForm>,
) -> Result<HttpResponse, DashError> {
    let form = &post.form;
    let actor = post.session.actor();
    let (code, n) = match form.action.as_str() {
        "merge" => {
            let into = form.merge_into.ok_or_else(|| {
                ApiError::invalid("merge_into", "Choose the problem to merge into.")
            })?;
            let moved = triage
                .merge_problems(id.get(), ProblemId(into), actor)
                .await?;
            (DoneCode::Merged, Some(moved))
        }
        "split" => {
            let reports = form.ids.iter().map(|r| ReportId(*r)).collect::<Vec<_>>();
            let moving = reports.len();
            if moving == 0 {
                return Err(DashError::BadRequest(
                    "Select the reports to move into a new problem first.".into(),
                ));
            }
            triage.split_problem(id.get(), reports, actor).await?;
            (DoneCode::Split, Some(moving))
        }
        _ => {
            let thank = form.action == "resolve" && form.reply.is_some();
            let changed = triage
                .change_problem(id.get(), change_for(form)?, actor, thank)
                .await?;
            (DoneCode::Bulk, Some(changed.reports))
        }
    };
    Ok(back_to(form.article, form.from_lane, code, n))
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
    Ok(back_to(
        form.article,
        form.from_lane,
        DoneCode::Bulk,
        Some(changed.reports),
    ))
}

#[derive(Debug, Deserialize)]
pub struct ReviewForm {
    note: Option<String>,
    /// Absent on the older "mark re-reviewed" form: no change.
    outcome: Option<String>,
    /// A date (`2026-11-25`) to back-fill an earlier review; empty for now.
    reviewed_on: Option<String>,
}

/// Records a review by the signed-in editor (the article page's review form).
pub async fn reviewed(
    reviews: web::Data<Reviews>,
    id: Id<ArticleId, DashError>,
    post: CsrfForm<ReviewForm>,
) -> Result<HttpResponse, DashError> {
    let form = &post.form;
    let note = Note::parse(form.note.as_deref().unwrap_or(""))
        .map_err(|why| ApiError::invalid("note", why))?;
    let outcome = match form.outcome.as_deref().map(str::trim) {
        None | Some("") => ReviewOutcome::NoChange,
        Some(raw) => ReviewOutcome::parse(raw).ok_or_else(|| {
            ApiError::invalid(
                "outcome",
                format!("Choose an outcome: {}.", ReviewOutcome::choices()),
            )
        })?,
    };
    let reviewed_at = match form.reviewed_on.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => Some(
            raw.parse::<Bound>()
                .map_err(|why| ApiError::invalid("reviewed_on", why))?
                .start(),
        ),
    };
    let request = ReviewRequest {
        outcome,
        note,
        reviewed_at,
    };
    reviews
        .record(id.get(), post.session.editor.name.clone(), request)
        .await?;
    Ok(HttpResponse::SeeOther()
        .insert_header((
            header::LOCATION,
            format!("/dashboard/articles/{}?done=reviewed", id.get().get()),
        ))
        .finish())
}

#[derive(Debug, Deserialize)]
pub struct FixedForm {
    revision: String,
}

/// "Resolve all as fixed": every open report whose passage is gone from the revision.
pub async fn fixed(
    triage: web::Data<Triage>,
    id: Id<ArticleId, DashError>,
    post: CsrfForm<FixedForm>,
) -> Result<HttpResponse, DashError> {
    let revision = post.form.revision.trim();
    if revision.is_empty() {
        return Err(DashError::BadRequest(
            "Name the revision that fixed them.".into(),
        ));
    }
    let changed = triage
        .resolve_fixed(id.get(), revision.to_string(), post.session.actor())
        .await?;
    Ok(back_to(
        Some(id.get().get()),
        None,
        DoneCode::Fixed,
        Some(changed.reports),
    ))
}
