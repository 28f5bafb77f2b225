//! The lanes: every report the classifier kept out of the queue is one click away, newest first,
//! with the reasons that decided it and the actions to move it (which teach the classifier).
//! Administrators see how many lessons editors have taught and can start again from the corpus.

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use maud::{html, Markup};
use serde::Deserialize;

use super::actions::Done;
use super::articles::{lane_badge, lane_reasons, lane_select};
use super::layout::{self, ago, category_badge, csrf, DashError};
use super::session::{AdminForm, Session};
use crate::db::reports::Report;
use crate::domain::Lane;
use crate::http::Query;
use crate::lanes::Sorter;
use crate::triage::filter::ReportListParams;
use crate::triage::{Page, Triage};

#[derive(Debug, Default, Deserialize)]
pub struct LaneParams {
    lane: Option<Lane>,
    cursor: Option<String>,
}

pub async fn page(
    triage: web::Data<Triage>,
    sorter: web::Data<Sorter>,
    session: Session,
    params: Query<LaneParams, DashError>,
    done: Query<Done, DashError>,
) -> Result<HttpResponse, DashError> {
    let lane = params.0.lane.unwrap_or(Lane::Question);
    let reports = triage
        .reports(&ReportListParams {
            lane: Some(lane),
            cursor: params.0.cursor.clone(),
            ..ReportListParams::default()
        })
        .await?;
    let counts = triage.lane_counts().await?;
    let body = render(
        &session,
        lane,
        &counts,
        &reports,
        sorter.lessons_learned(),
        done.0.message(),
    );
    Ok(layout::page(lane.label(), &session, body))
}

fn render(
    session: &Session,
    lane: Lane,
    counts: &[(Lane, i64)],
    reports: &Page<Report>,
    lessons: usize,
    done: Option<String>,
) -> Markup {
    let now = crate::db::now();
    html! {
        main {
            h1 { "Lanes" }
            @if let Some(done) = done { div class="notice ok" role="status" { (done) } }
            p class="hint" {
                "Every report is sorted into a lane, with its reasons. Only the queue counts "
                "(open reports, attention, alerts, the digest); the queue is worked from "
                a href="/dashboard" { "the articles" } ". Moving a report teaches the classifier."
            }
            nav class="tabs" aria-label="Lanes" {
                @for (l, n) in counts {
                    @let href = if *l == Lane::Queue { "/dashboard".to_string() } else { format!("/dashboard/lanes?lane={l}") };
                    a href=(href) aria-current=[(*l == lane).then_some("page")] { (l.label()) " " span class="count" { "(" (n) ")" } }
                }
            }
            h2 { (lane.label()) }
            p { a href={ "/dashboard/export/lane.csv?lane=" (lane) } download { "Download " (lane.label().to_lowercase()) " as CSV" } }
            @if reports.items.is_empty() {
                p class="notice" { "Nothing in this lane." }
            } @else {
                form id="bulk" method="post" action="/dashboard/reports/bulk" class="bulk" {
                    (csrf(session))
                    input type="hidden" name="from_lane" value=(lane);
                    input type="hidden" name="action" value="move";
                    fieldset {
                        legend { "Move the selected reports" }
                        (lane_select("bulk-lane", Some(Lane::Queue)))
                        button type="submit" { "Move selected" }
                        button type="button" class="link" data-select-all="bulk" { "Select all" }
                    }
                }
                @for r in &reports.items {
                    (card(session, lane, r, now))
                }
                @if let Some(cursor) = &reports.next_cursor {
                    p { a class="button" href={ "/dashboard/lanes?lane=" (lane) "&cursor=" (cursor) } { "Next page" } }
                }
            }
            @if session.editor.is_admin() {
                section class="lessons" {
                    h2 { "What the classifier has learned" }
                    p {
                        (lessons) " lesson" @if lessons != 1 { "s" }
                        " from your editors (lane moves, spam and dismissals), on top of the corpus it ships with."
                    }
                    form method="post" action="/dashboard/lanes/reset" class="inline" {
                        (csrf(session))
                        button type="submit" { "Forget them and start again from the corpus" }
                    }
                }
            }
        }
    }
}

fn card(session: &Session, lane: Lane, r: &Report, now: chrono::NaiveDateTime) -> Markup {
    html! {
        article class="report lane-report" id={ "report-" (r.id) } {
            div class="meta" {
                input type="checkbox" name="ids" value=(r.id) form="bulk" id={ "sel-" (r.id) };
                label for={ "sel-" (r.id) } class="visually-hidden" { "Select report " (r.id) }
                (lane_badge(r.lane)) " " (category_badge(r.category))
                " · reported " (ago(r.created_at, now)) " · "
                a href={ "/dashboard/articles/" (r.article_id) } { "the article" }
            }
            @if let Some(q) = &r.quote { p class="label" { "Passage (reader text)" } blockquote class="reader" { (q) } }
            @if let Some(d) = &r.details { p class="label" { "Details (reader text)" } blockquote class="reader" { (d) } }
            (lane_reasons(r))
            form method="post" action={ "/dashboard/reports/" (r.id) } class="actions" {
                (csrf(session))
                input type="hidden" name="from_lane" value=(lane);
                @if r.lane != Lane::Queue {
                    input type="hidden" name="lane" value="queue";
                    button type="submit" name="action" value="move" class="primary" { "Move to the queue" }
                }
                @if r.lane != Lane::Spam {
                    button type="submit" name="action" value="spam" { "Spam" }
                }
            }
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct Nothing {}

pub async fn reset(
    triage: web::Data<Triage>,
    _post: AdminForm<Nothing>,
) -> Result<HttpResponse, DashError> {
    triage.forget_lessons().await?;
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, "/dashboard/lanes?done=reset"))
        .finish())
}
