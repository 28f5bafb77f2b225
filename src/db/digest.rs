//! What the weekly digest reads: the articles in the editors' scopes and the week's votes,
//! reports and alerts. Each query is a plain range over one indexed column; grouping per editor
//! happens in `crate::digest::compose`, once for all editors, instead of a round of queries each.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{alerts, articles, reports, vote_days};
use super::DbConn;
use crate::domain::{Category, Lane, ReportStatus, Scope};
use crate::with_conn;

/// What the digest shows of an article.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = articles)]
pub struct DigestArticle {
    pub id: i64,
    pub url: String,
    pub host: String,
    pub path: String,
    pub title: Option<String>,
    pub attention: f64,
    pub open_reports: i64,
    pub open_harmful: i64,
}

/// One SQL condition per scope: the host, and the path itself or anything under it. `LIKE` is
/// only a pre-filter (SQLite's ignores case); `Scope::covers` decides.
struct ScopeCondition {
    host: String,
    /// (the path, a LIKE pattern for paths below it)
    path: Option<(String, String)>,
}

fn conditions(scopes: &[Scope]) -> Vec<ScopeCondition> {
    scopes
        .iter()
        .map(|scope| {
            let (host, path) = (scope.host(), scope.path());
            ScopeCondition {
                host: host.to_string(),
                path: (!path.is_empty()).then(|| {
                    let escaped = path
                        .replace('\\', "\\\\")
                        .replace('%', "\\%")
                        .replace('_', "\\_");
                    (path.to_string(), format!("{escaped}/%"))
                }),
            }
        })
        .collect()
}

/// The articles under any of `scopes`, or every article when `scopes` is None.
pub fn articles_in(conn: &mut DbConn, scopes: Option<&[Scope]>) -> QueryResult<Vec<DigestArticle>> {
    let conditions = scopes.map(conditions);
    with_conn!(conn, |c| {
        let mut q = articles::table
            .select(DigestArticle::as_select())
            .into_boxed();
        for (i, s) in conditions.iter().flatten().enumerate() {
            q = match (&s.path, i) {
                (None, 0) => q.filter(articles::host.eq(&s.host)),
                (None, _) => q.or_filter(articles::host.eq(&s.host)),
                (Some((path, below)), 0) => q.filter(
                    articles::host.eq(&s.host).and(
                        articles::path
                            .eq(path)
                            .or(articles::path.like(below).escape('\\')),
                    ),
                ),
                (Some((path, below)), _) => q.or_filter(
                    articles::host.eq(&s.host).and(
                        articles::path
                            .eq(path)
                            .or(articles::path.like(below).escape('\\')),
                    ),
                ),
            };
        }
        q.load(c)
    })
}

/// (article, day, helpful, not helpful) for every day from `from` to `to`, both included.
pub fn vote_days(
    conn: &mut DbConn,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<(i64, NaiveDate, i64, i64)>> {
    with_conn!(conn, |c| vote_days::table
        .filter(vote_days::day.between(from, to))
        .select((
            vote_days::article_id,
            vote_days::day,
            vote_days::helpful,
            vote_days::not_helpful,
        ))
        .load(c))
}

/// (article, category, lane) of the reports made in [start, end).
pub fn reports_made(
    conn: &mut DbConn,
    start: NaiveDateTime,
    end: NaiveDateTime,
) -> QueryResult<Vec<(i64, Category, Lane)>> {
    with_conn!(conn, |c| reports::table
        .filter(reports::created_at.ge(start))
        .filter(reports::created_at.lt(end))
        .select((reports::article_id, reports::category, reports::lane))
        .load(c))
}

/// (article, created, closed) of the reports resolved in [start, end) and still resolved.
pub fn reports_resolved(
    conn: &mut DbConn,
    start: NaiveDateTime,
    end: NaiveDateTime,
) -> QueryResult<Vec<(i64, NaiveDateTime, NaiveDateTime)>> {
    let rows: Vec<(i64, NaiveDateTime, Option<NaiveDateTime>)> = with_conn!(conn, |c| {
        reports::table
            .filter(reports::status.eq(ReportStatus::Resolved))
            .filter(reports::lane.eq(Lane::Queue))
            .filter(reports::closed_at.ge(start))
            .filter(reports::closed_at.lt(end))
            .select((reports::article_id, reports::created_at, reports::closed_at))
            .load(c)
    })?;
    Ok(rows
        .into_iter()
        .filter_map(|(a, created, closed)| closed.map(|closed| (a, created, closed)))
        .collect())
}

/// A report still waiting for an editor.
#[derive(Debug, Clone, Queryable)]
pub struct OpenReport {
    pub id: i64,
    pub article_id: i64,
    pub category: Category,
    pub created_at: NaiveDateTime,
    pub problem_id: Option<i64>,
    /// Who sent it, as far as a day's visitor key tells: readers are counted by it.
    pub visitor_key: String,
}

/// Every open report, oldest first.
pub fn open_reports(conn: &mut DbConn) -> QueryResult<Vec<OpenReport>> {
    with_conn!(conn, |c| reports::table
        .filter(reports::status.eq_any(ReportStatus::OPEN))
        .filter(reports::lane.eq(Lane::Queue))
        .order((reports::created_at.asc(), reports::id.asc()))
        .select((
            reports::id,
            reports::article_id,
            reports::category,
            reports::created_at,
            reports::problem_id,
            reports::visitor_key,
        ))
        .load(c))
}

/// What a reader wrote in a report: (report, passage, details).
pub type ReaderText = (i64, Option<String>, Option<String>);

/// The reader text of these reports, for the few reports a digest shows.
pub fn report_texts(conn: &mut DbConn, ids: &[i64]) -> QueryResult<Vec<ReaderText>> {
    let mut out = Vec::with_capacity(ids.len());
    // Well under either backend's limit on bound parameters.
    for chunk in ids.chunks(500) {
        out.extend(with_conn!(conn, |c| reports::table
            .filter(reports::id.eq_any(chunk))
            .select((reports::id, reports::quote, reports::details))
            .load::<ReaderText>(c))?);
    }
    Ok(out)
}

/// (article, rule, when) of the alerts raised in [start, end), newest first.
pub fn alerts_raised(
    conn: &mut DbConn,
    start: NaiveDateTime,
    end: NaiveDateTime,
) -> QueryResult<Vec<(i64, String, NaiveDateTime)>> {
    with_conn!(conn, |c| alerts::table
        .filter(alerts::created_at.ge(start))
        .filter(alerts::created_at.lt(end))
        .order((alerts::created_at.desc(), alerts::id.desc()))
        .select((alerts::article_id, alerts::rule, alerts::created_at))
        .load(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_escape_wildcards() {
        let c = conditions(&[
            Scope::parse("health.example.org").unwrap(),
            Scope::parse("Health.example.org/100%_real/").unwrap(),
        ]);
        assert_eq!(c[0].host, "health.example.org");
        assert!(c[0].path.is_none());
        assert_eq!(c[1].host, "health.example.org");
        assert_eq!(
            c[1].path,
            Some(("/100%_real".to_string(), "/100\\%\\_real/%".to_string()))
        );
    }
}
