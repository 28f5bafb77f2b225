//! CSV downloads of the current filter (articles with their figures, or their reports) and of a
//! lane's reports. Streamed a
//! page at a time, so a large export never sits in memory; quoted by the csv crate; and safe to
//! open in a spreadsheet: a cell a reader could have made start with `=`, `+`, `-`, `@`, a tab or
//! a carriage return — or with a character a spreadsheet skips or folds into one of those (a
//! byte-order mark, a zero-width space, the full-width `＝`, `＋`, `－`, `＠`) — is prefixed with
//! `'` so it is never taken as a formula.

use actix_web::web::Bytes;
use actix_web::{web, HttpResponse};
use futures_util::{stream, StreamExt};
use serde::Deserialize;

use super::layout::DashError;
use super::session::Session;
use crate::db::articles::Article;
use crate::db::reports::Report;
use crate::domain::Lane;
use crate::errors::ApiError;
use crate::http::{FormQuery, Query};
use crate::triage::filter::{ArticleListParams, ReportListParams};
use crate::triage::views::utc;
use crate::triage::Triage;

const CHUNK: i64 = crate::triage::filter::MAX_PAGE;

/// Neutralises spreadsheet formulas (CSV injection).
pub fn cell(text: &str) -> String {
    match text.chars().next() {
        Some(
            '=' | '+' | '-' | '@' | '\t' | '\r' | '\u{FEFF}' | '\u{200B}' | '＝' | '＋' | '－'
            | '＠',
        ) => format!("'{text}"),
        _ => text.to_string(),
    }
}

pub(super) fn csv_line(fields: &[String]) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    let _ = w.write_record(fields.iter().map(|f| cell(f)));
    w.into_inner().unwrap_or_default()
}

#[derive(Clone, Copy)]
enum Kind {
    Articles,
    Reports,
}

fn header(kind: Kind) -> Vec<String> {
    let names: &[&str] = match kind {
        Kind::Articles => &[
            "id",
            "url",
            "title",
            "helpful",
            "not_helpful",
            "helpful_share",
            "open_reports",
            "open_inaccurate",
            "open_outdated",
            "open_unclear",
            "open_harmful",
            "open_broken_link",
            "open_typo",
            "open_other",
            "attention",
            "last_activity_at",
        ],
        Kind::Reports => &[
            "id",
            "article_id",
            "article_url",
            "category",
            "status",
            "lane",
            "lane_reasons",
            "quote",
            "details",
            "revision",
            "assignee",
            "created_at",
            "closed_at",
        ],
    };
    names.iter().map(|s| s.to_string()).collect()
}

fn article_row(a: &Article) -> Vec<String> {
    vec![
        a.id.to_string(),
        a.url.clone(),
        a.title.clone().unwrap_or_default(),
        a.helpful.to_string(),
        a.not_helpful.to_string(),
        a.helpful_share()
            .map(|s| format!("{s:.3}"))
            .unwrap_or_default(),
        a.open_reports.to_string(),
        a.open_inaccurate.to_string(),
        a.open_outdated.to_string(),
        a.open_unclear.to_string(),
        a.open_harmful.to_string(),
        a.open_broken_link.to_string(),
        a.open_typo.to_string(),
        a.open_other.to_string(),
        format!("{:.3}", a.attention),
        utc(a.last_activity_at).to_rfc3339(),
    ]
}

fn report_row(r: &Report, url: &str) -> Vec<String> {
    vec![
        r.id.to_string(),
        r.article_id.to_string(),
        url.to_string(),
        r.category.to_string(),
        r.status.to_string(),
        r.lane.to_string(),
        r.lane_reasons
            .0
            .iter()
            .map(|reason| reason.text.as_str())
            .collect::<Vec<_>>()
            .join("; "),
        r.quote.clone().unwrap_or_default(),
        r.details.clone().unwrap_or_default(),
        r.revision.clone().unwrap_or_default(),
        r.assignee.clone().unwrap_or_default(),
        utc(r.created_at).to_rfc3339(),
        r.closed_at.map(|t| utc(t).to_rfc3339()).unwrap_or_default(),
    ]
}

/// What the next chunk of an export is.
enum Next {
    /// A page of the articles filter, written as articles or as their reports.
    Articles(Kind, ArticleListParams),
    /// A page of one lane's reports, newest first.
    Lane(ReportListParams),
}

/// One chunk of the export, and what comes after it.
async fn chunk(triage: &Triage, next: Next) -> Result<(Vec<u8>, Option<Next>), ApiError> {
    let mut out = Vec::new();
    match next {
        Next::Articles(kind, params) => {
            let page = triage.articles(&params).await?;
            match kind {
                Kind::Articles => page
                    .items
                    .iter()
                    .for_each(|a| out.extend(csv_line(&article_row(a)))),
                Kind::Reports => {
                    let ids = page.items.iter().map(|a| a.id).collect();
                    for r in triage.reports_of_articles(ids).await? {
                        let url = page
                            .items
                            .iter()
                            .find(|a| a.id == r.article_id)
                            .map_or("", |a| a.url.as_str());
                        out.extend(csv_line(&report_row(&r, url)));
                    }
                }
            }
            let next = page.next_cursor.map(|cursor| {
                Next::Articles(
                    kind,
                    ArticleListParams {
                        cursor: Some(cursor),
                        ..params
                    },
                )
            });
            Ok((out, next))
        }
        Next::Lane(params) => {
            let page = triage.reports(&params).await?;
            let mut ids: Vec<i64> = page.items.iter().map(|r| r.article_id).collect();
            ids.sort_unstable();
            ids.dedup();
            let urls = triage.article_urls(ids).await?;
            for r in &page.items {
                let url = urls
                    .iter()
                    .find(|(id, _)| *id == r.article_id)
                    .map_or("", |(_, url)| url.as_str());
                out.extend(csv_line(&report_row(r, url)));
            }
            let next = page.next_cursor.map(|cursor| {
                Next::Lane(ReportListParams {
                    cursor: Some(cursor),
                    ..params
                })
            });
            Ok((out, next))
        }
    }
}

/// Streams the export a chunk at a time, so a large export never sits in memory.
fn export(triage: web::Data<Triage>, first: Next, kind: Kind, name: String) -> HttpResponse {
    let head = Bytes::from(csv_line(&header(kind)));
    let body = stream::once(async move { Ok::<_, actix_web::Error>(head) }).chain(stream::unfold(
        Some(first),
        move |next| {
            let triage = triage.clone();
            async move {
                match chunk(&triage, next?).await {
                    Ok((bytes, next)) => Some((Ok(Bytes::from(bytes)), next)),
                    Err(e) => Some((Err(actix_web::Error::from(e)), None)),
                }
            }
        },
    ));
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{name}\""),
        ))
        .streaming(body)
}

/// The first page of the articles filter, a chunk long.
fn first_articles(kind: Kind, params: ArticleListParams) -> Next {
    Next::Articles(
        kind,
        ArticleListParams {
            limit: Some(CHUNK),
            cursor: None,
            ..params
        },
    )
}

pub async fn articles_csv(
    triage: web::Data<Triage>,
    _session: Session,
    params: FormQuery<ArticleListParams, DashError>,
) -> Result<HttpResponse, DashError> {
    let params = params.into_inner();
    params.query()?;
    let first = first_articles(Kind::Articles, params);
    Ok(export(
        triage,
        first,
        Kind::Articles,
        "flagpole-articles.csv".into(),
    ))
}

pub async fn reports_csv(
    triage: web::Data<Triage>,
    _session: Session,
    params: FormQuery<ArticleListParams, DashError>,
) -> Result<HttpResponse, DashError> {
    let params = params.into_inner();
    params.query()?;
    let first = first_articles(Kind::Reports, params);
    Ok(export(
        triage,
        first,
        Kind::Reports,
        "flagpole-reports.csv".into(),
    ))
}

/// Which lane to download.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LaneCsvParams {
    lane: Lane,
}

/// Every report in one lane, newest first, with its reasons.
pub async fn lane_csv(
    triage: web::Data<Triage>,
    _session: Session,
    params: Query<LaneCsvParams, DashError>,
) -> Result<HttpResponse, DashError> {
    let lane = params.into_inner().lane;
    let first = Next::Lane(ReportListParams {
        lane: Some(lane),
        limit: Some(CHUNK),
        ..ReportListParams::default()
    });
    Ok(export(
        triage,
        first,
        Kind::Reports,
        format!("flagpole-{lane}.csv"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_quotes_escaped() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("+1"), "'+1");
        assert_eq!(cell("-2"), "'-2");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("plain"), "plain");
        // What a spreadsheet skips or folds into a formula sign before looking at the cell.
        for sneaky in [
            "\u{FEFF}=1+2",
            "\u{200B}=1+2",
            "＝1+2",
            "＋1",
            "－1",
            "＠SUM(A1)",
        ] {
            assert_eq!(cell(sneaky), format!("'{sneaky}"), "{sneaky:?}");
        }
        assert_eq!(cell("1 = 1"), "1 = 1");
        let line = String::from_utf8(csv_line(&[
            "a,b".into(),
            "say \"hi\"".into(),
            "=1+1".into(),
        ]))
        .unwrap();
        assert_eq!(line, "\"a,b\",\"say \"\"hi\"\"\",'=1+1\n");
    }
}
