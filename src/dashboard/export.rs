//! CSV downloads of the current filter: articles with their figures, or their reports. Streamed a
//! page at a time, so a large export never sits in memory; quoted by the csv crate; and safe to
//! open in a spreadsheet: a cell a reader could have made start with `=`, `+`, `-` or `@` is
//! prefixed with `'` so it is never taken as a formula.

use actix_web::web::Bytes;
use actix_web::{web, HttpResponse};
use futures_util::{stream, StreamExt};

use super::layout::DashError;
use super::session::Session;
use crate::db::articles::Article;
use crate::db::reports::Report;
use crate::errors::ApiError;
use crate::http::Query;
use crate::triage::filter::ArticleListParams;
use crate::triage::views::utc;
use crate::triage::Triage;

const CHUNK: i64 = crate::triage::filter::MAX_PAGE;

/// Neutralises spreadsheet formulas (CSV injection).
pub fn cell(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
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
        r.quote.clone().unwrap_or_default(),
        r.details.clone().unwrap_or_default(),
        r.revision.clone().unwrap_or_default(),
        r.assignee.clone().unwrap_or_default(),
        utc(r.created_at).to_rfc3339(),
        r.closed_at.map(|t| utc(t).to_rfc3339()).unwrap_or_default(),
    ]
}

/// One chunk of the export: the next page of articles (and, for reports, theirs), and the filter
/// for the chunk after it.
async fn chunk(
    triage: &Triage,
    kind: Kind,
    params: ArticleListParams,
) -> Result<(Vec<u8>, Option<ArticleListParams>), ApiError> {
    let page = triage.articles(&params).await?;
    let mut out = Vec::new();
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
    let next = page.next_cursor.map(|cursor| ArticleListParams {
        cursor: Some(cursor),
        ..params
    });
    Ok((out, next))
}

/// Streams the export a chunk at a time, so a large export never sits in memory.
fn export(triage: web::Data<Triage>, params: ArticleListParams, kind: Kind) -> HttpResponse {
    let first = ArticleListParams {
        limit: Some(CHUNK),
        cursor: None,
        ..params
    };
    let head = Bytes::from(csv_line(&header(kind)));
    let body = stream::once(async move { Ok::<_, actix_web::Error>(head) }).chain(stream::unfold(
        Some(first),
        move |next| {
            let triage = triage.clone();
            async move {
                let params = next?;
                match chunk(&triage, kind, params).await {
                    Ok((bytes, next)) => Some((Ok(Bytes::from(bytes)), next)),
                    Err(e) => Some((Err(actix_web::Error::from(e)), None)),
                }
            }
        },
    ));
    let name = match kind {
        Kind::Articles => "flagpole-articles.csv",
        Kind::Reports => "flagpole-reports.csv",
    };
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{name}\""),
        ))
        .streaming(body)
}

pub async fn articles_csv(
    triage: web::Data<Triage>,
    _session: Session,
    params: Query<ArticleListParams, DashError>,
) -> Result<HttpResponse, DashError> {
    let params = params.into_inner();
    params.query()?;
    Ok(export(triage, params, Kind::Articles))
}

pub async fn reports_csv(
    triage: web::Data<Triage>,
    _session: Session,
    params: Query<ArticleListParams, DashError>,
) -> Result<HttpResponse, DashError> {
    let params = params.into_inner();
    params.query()?;
    Ok(export(triage, params, Kind::Reports))
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
