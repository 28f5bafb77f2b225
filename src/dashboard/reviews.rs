//! "Reviews due": the articles whose review is overdue (first) or due soon, with their owners and
//! why each is due, as a page and as CSV. "Only mine" narrows it to what the editor owns.

use actix_web::{web, HttpResponse};
use chrono::NaiveDateTime;
use maud::{html, Markup};
use serde::Deserialize;

use super::articles::owners;
use super::export::csv_line;
use super::layout::{self, ago, when, DashError};
use super::session::Session;
use crate::db::editors::Editor;
use crate::http::Query;
use crate::reviews::{DueArticle, Reviews};
use crate::triage::views::utc;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DueParams {
    /// Any value: only the articles the signed-in editor owns.
    mine: Option<String>,
}

impl DueParams {
    fn mine(&self) -> bool {
        self.mine.as_deref().is_some_and(|m| !m.trim().is_empty())
    }
}

async fn load(
    reviews: &Reviews,
    session: &Session,
    params: &DueParams,
) -> Result<(Vec<DueArticle>, Vec<Editor>), DashError> {
    let scopes = if params.mine() {
        session.editor.scopes.clone()
    } else {
        Vec::new()
    };
    Ok(reviews.due(scopes).await?)
}

pub async fn page(
    reviews: web::Data<Reviews>,
    session: Session,
    params: Query<DueParams, DashError>,
) -> Result<HttpResponse, DashError> {
    let params = params.into_inner();
    let (due, editors) = load(&reviews, &session, &params).await?;
    let body = render(&params, &due, &editors, reviews.policies().due_soon_days);
    Ok(layout::page("Reviews due", &session, body))
}

/// When a review is due, as an editor reads it.
fn due_text(d: &DueArticle, now: NaiveDateTime) -> String {
    if d.overdue {
        let days = (now - d.due_at).num_days();
        match days {
            0 => "due today".into(),
            1 => "overdue by 1 day".into(),
            n => format!("overdue by {n} days"),
        }
    } else {
        format!("due {}", when(d.due_at, now))
    }
}

fn render(
    params: &DueParams,
    due: &[DueArticle],
    editors: &[Editor],
    due_soon_days: i64,
) -> Markup {
    let now = crate::db::now();
    let overdue = due.iter().filter(|d| d.overdue).count();
    let csv = if params.mine() {
        "/dashboard/export/reviews.csv?mine=1"
    } else {
        "/dashboard/export/reviews.csv"
    };
    html! {
        main {
            h1 { "Reviews due" }
            p {
                (overdue) " overdue, " (due.len() - overdue) " due within " (due_soon_days) " days. "
                "Open harmful, inaccurate or outdated reports make an article due at once."
            }
            form method="get" action="/dashboard/reviews" class="filters" aria-label="Filter reviews" {
                div class="check" { input id="mine" name="mine" type="checkbox" value="1" checked[params.mine()]; label for="mine" { "Only articles I own" } }
                div { button type="submit" class="primary" { "Filter" } }
            }
            p class="exports" { "Download as CSV: " a href=(csv) { "these reviews" } }
            @if due.is_empty() {
                p class="notice" { "No reviews are due." }
            } @else {
                table class="articles reviews-due" {
                    thead { tr {
                        th scope="col" { "Article" } th scope="col" { "Due" } th scope="col" { "Why" }
                        th scope="col" { "Last reviewed" } th scope="col" { "Owner" }
                    } }
                    tbody {
                        @for d in due {
                            @let a = &d.article;
                            tr class=[d.overdue.then_some("overdue-row")] {
                                td data-label="Article" {
                                    a href={ "/dashboard/articles/" (a.id) } { (a.title.clone().unwrap_or_else(|| a.path.clone())) }
                                    div class="url" { (a.url) }
                                }
                                td data-label="Due" { @if d.overdue { strong { (due_text(d, now)) } } @else { (due_text(d, now)) } }
                                td data-label="Why" { (d.reason.label()) }
                                td data-label="Last reviewed" {
                                    @match (a.last_reviewed_at, &a.reviewed_by) {
                                        (Some(at), Some(by)) => { (ago(at, now)) " by " (by) }
                                        (Some(at), None) => { (ago(at, now)) }
                                        _ => { span class="muted" { "never" } }
                                    }
                                }
                                td data-label="Owner" {
                                    @let names = owners(editors, a);
                                    @if names.is_empty() { span class="muted" { "everyone" } } @else { (names.join(", ")) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

pub async fn csv(
    reviews: web::Data<Reviews>,
    session: Session,
    params: Query<DueParams, DashError>,
) -> Result<HttpResponse, DashError> {
    let params = params.into_inner();
    let (due, editors) = load(&reviews, &session, &params).await?;
    let header: Vec<String> = [
        "article_id",
        "url",
        "title",
        "state",
        "review_due_at",
        "reason",
        "last_reviewed_at",
        "reviewed_by",
        "owners",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut out = csv_line(&header);
    for d in &due {
        let a = &d.article;
        out.extend(csv_line(&[
            a.id.to_string(),
            a.url.clone(),
            a.title.clone().unwrap_or_default(),
            if d.overdue { "overdue" } else { "due_soon" }.to_string(),
            utc(d.due_at).to_rfc3339(),
            d.reason.to_string(),
            a.last_reviewed_at
                .map(|t| utc(t).to_rfc3339())
                .unwrap_or_default(),
            a.reviewed_by.clone().unwrap_or_default(),
            owners(&editors, a).join(", "),
        ]));
    }
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            "attachment; filename=\"flagpole-reviews-due.csv\"",
        ))
        .body(out))
}
