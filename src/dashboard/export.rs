//! CSV downloads of the current filter: articles with their figures, or their reports. Streamed a
//! page at a time, so a large export never sits in memory; quoted by the csv crate; and safe to
//! open in a spreadsheet: a cell a reader could have made start with `=`, `+`, `-` or `@` is
//! prefixed with `'` so it is never taken as a formula.

use actix_web::web::Bytes;
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::{stream, StreamExt};

use super::articles::Filters;
use super::auth::Session;
use super::layout::DashError;
use crate::db::articles::{self, Article, ArticleQuery};
use crate::db::reports::{self, Report};
use crate::errors::ApiError;
use crate::state::AppState;
use crate::triage::views::utc;

const CHUNK: i64 = 500;

/// Neutralises spreadsheet formulas (CSV injection).
pub fn cell(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_string(),
    }
}

fn csv_line(fields: &[String]) -> Vec<u8> {
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
        r.category.clone(),
        r.status.clone(),
        r.quote.clone().unwrap_or_default(),
        r.details.clone().unwrap_or_default(),
        r.revision.clone().unwrap_or_default(),
        r.assignee.clone().unwrap_or_default(),
        utc(r.created_at).to_rfc3339(),
        r.closed_at.map(|t| utc(t).to_rfc3339()).unwrap_or_default(),
    ]
}

/// One chunk of the export: the next page of articles (and, for reports, theirs).
async fn chunk(
    state: &AppState,
    kind: Kind,
    q: ArticleQuery,
) -> Result<(Vec<u8>, Option<ArticleQuery>), ApiError> {
    let sort = q.sort;
    let page = q.clone();
    let (rows, found) = state
        .db(move |conn| {
            let rows = articles::list(conn, &page)?;
            let found = match kind {
                Kind::Reports => {
                    let ids: Vec<i64> = rows.iter().map(|a| a.id).collect();
                    reports::of_articles(conn, &ids)?
                }
                Kind::Articles => Vec::new(),
            };
            Ok((rows, found))
        })
        .await?;
    let mut out = Vec::new();
    match kind {
        Kind::Articles => rows
            .iter()
            .for_each(|a| out.extend(csv_line(&article_row(a)))),
        Kind::Reports => {
            for r in &found {
                let url = rows
                    .iter()
                    .find(|a| a.id == r.article_id)
                    .map_or("", |a| a.url.as_str());
                out.extend(csv_line(&report_row(r, url)));
            }
        }
    }
    let next = (rows.len() as i64 == CHUNK)
        .then(|| {
            rows.last().map(|a| ArticleQuery {
                after: Some((sort.key_of(a), a.id)),
                ..q
            })
        })
        .flatten();
    Ok((out, next))
}

async fn export(
    state: web::Data<AppState>,
    session: Session,
    req: HttpRequest,
    kind: Kind,
) -> Result<HttpResponse, DashError> {
    let filters: Filters = web::Query::<Filters>::from_query(req.query_string())
        .map(|q| q.into_inner())
        .map_err(|e| DashError::BadRequest(e.to_string()))?;
    let first = filters.query(&session.editor, CHUNK)?;
    let head = Bytes::from(csv_line(&header(kind)));
    let body = stream::once(async move { Ok::<_, actix_web::Error>(head) }).chain(stream::unfold(
        Some(first),
        move |next| {
            let state = state.clone();
            async move {
                let q = next?;
                match chunk(&state, kind, q).await {
                    Ok((bytes, next)) => Some((Ok(Bytes::from(bytes)), next)),
                    Err(e) => Some((
                        Err(actix_web::error::ErrorServiceUnavailable(e.message)),
                        None,
                    )),
                }
            }
        },
    ));
    let name = match kind {
        Kind::Articles => "flagpole-articles.csv",
        Kind::Reports => "flagpole-reports.csv",
    };
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{name}\""),
        ))
        .streaming(body))
}

pub async fn articles_csv(
    state: web::Data<AppState>,
    session: Session,
    req: HttpRequest,
) -> Result<HttpResponse, DashError> {
    export(state, session, req, Kind::Articles).await
}

pub async fn reports_csv(
    state: web::Data<AppState>,
    session: Session,
    req: HttpRequest,
) -> Result<HttpResponse, DashError> {
    export(state, session, req, Kind::Reports).await
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
        let line = String::from_utf8(csv_line(&[
            "a,b".into(),
            "say \"hi\"".into(),
            "=1+1".into(),
        ]))
        .unwrap();
        assert_eq!(line, "\"a,b\",\"say \"\"hi\"\"\",'=1+1\n");
    }
}
