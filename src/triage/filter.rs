//! What a listing asks for, in one shape for every surface: `GET /api/v1/articles`, the
//! dashboard's article list and its CSV exports parse the same query parameters into the same
//! query, so the same filter gives the same rows everywhere (a test says so).
//!
//! A parameter given empty (`status=`) is refused: leave it out for no filter. The dashboard's
//! forms send every field, filled or not, and drop the empty ones first (`http::FormQuery`). A
//! value that cannot be understood is refused with the parameter named — never silently dropped.

use base64::Engine;
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc};
use serde::{Deserialize, Deserializer};
use utoipa::IntoParams;

use crate::db::articles::{ArticleQuery, SortKey};
use crate::db::problems::ProblemQuery;
use crate::db::reports::ReportQuery;
use crate::domain::{ArticleSort, ArticleState, Category, Lane, ReportStatus, ReviewDue};
use crate::errors::ApiError;

pub const DEFAULT_PAGE: i64 = 50;
pub const MAX_PAGE: i64 = 200;

/// Which articles, in which order: the query string of every article listing.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ArticleListParams {
    /// Order (default `attention`).
    #[serde(default, deserialize_with = "given")]
    #[param(value_type = Option<ArticleSort>)]
    pub sort: Option<ArticleSort>,
    /// Only articles on this host.
    #[serde(default, deserialize_with = "given")]
    pub host: Option<String>,
    /// Only articles whose path starts with this (a section), e.g. `/medicines`.
    #[serde(default, alias = "section", deserialize_with = "given")]
    pub path: Option<String>,
    /// Only articles in this state.
    #[serde(default, deserialize_with = "given")]
    #[param(value_type = Option<ArticleState>)]
    pub status: Option<ArticleState>,
    /// Only articles with an open report in this category.
    #[serde(default, deserialize_with = "given")]
    #[param(value_type = Option<Category>)]
    pub category: Option<Category>,
    /// Only articles whose URL or title contains this text (case-insensitive).
    #[serde(default, deserialize_with = "given")]
    pub q: Option<String>,
    /// Only articles with feedback at or after this moment: a date (`2026-11-25`, from its start,
    /// UTC) or a time (RFC 3339).
    #[serde(default, deserialize_with = "given")]
    #[param(value_type = Option<Bound>)]
    pub from: Option<Bound>,
    /// Only articles with feedback up to this moment: a date (`2026-11-25`, to its end, UTC) or a
    /// time (RFC 3339, exclusive).
    #[serde(default, deserialize_with = "given")]
    #[param(value_type = Option<Bound>)]
    pub to: Option<Bound>,
    /// Only articles with an open report assigned to this person.
    #[serde(default, deserialize_with = "given")]
    pub assignee: Option<String>,
    /// Only articles whose review is `overdue` (by policy, or pulled forward by an open harmful,
    /// inaccurate or outdated report) or `due_soon` (within `review.due_soon_days`).
    #[serde(default, deserialize_with = "given")]
    #[param(value_type = Option<ReviewDue>)]
    pub review: Option<ReviewDue>,
    /// Page size, 1 to 200 (default 50).
    #[serde(default, deserialize_with = "given_parsed")]
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` from the previous page.
    #[serde(default, deserialize_with = "given")]
    pub cursor: Option<String>,
}

impl ArticleListParams {
    pub fn sort(&self) -> ArticleSort {
        self.sort.unwrap_or(ArticleSort::Attention)
    }

    /// The storage query for one page.
    pub fn query(&self) -> Result<ArticleQuery, ApiError> {
        let sort = self.sort();
        Ok(ArticleQuery {
            host: self.host.as_ref().map(|h| h.trim().to_ascii_lowercase()),
            path_prefix: self.path.clone(),
            state: self.status,
            category: self.category,
            search: self
                .q
                .as_ref()
                .map(|q| q.trim().to_string())
                .filter(|q| !q.is_empty()),
            active_from: self.from.map(Bound::start),
            active_to: self.to.map(Bound::end),
            assignee: self
                .assignee
                .as_ref()
                .map(|a| a.trim().to_ascii_lowercase()),
            review: self.review,
            after: self
                .cursor
                .as_deref()
                .map(|c| parse_article_cursor(c, sort))
                .transpose()?,
            ..ArticleQuery::new(sort, page_size(self.limit)?)
        })
    }

    /// This filter as a query string, without the cursor (for links to the next page and the CSV
    /// exports).
    pub fn query_string(&self) -> String {
        let mut out = url::form_urlencoded::Serializer::new(String::new());
        let mut pair = |k: &str, v: Option<String>| {
            if let Some(v) = v {
                out.append_pair(k, &v);
            }
        };
        pair("sort", self.sort.map(|s| s.to_string()));
        pair("host", self.host.clone());
        pair("path", self.path.clone());
        pair("status", self.status.map(|s| s.to_string()));
        pair("category", self.category.map(|c| c.to_string()));
        pair("q", self.q.clone());
        pair("from", self.from.map(|b| b.to_string()));
        pair("to", self.to.map(|b| b.to_string()));
        pair("assignee", self.assignee.clone());
        pair("review", self.review.map(|r| r.to_string()));
        pair("limit", self.limit.map(|l| l.to_string()));
        out.finish()
    }
}

/// Which reports: the query string of `GET /api/v1/reports`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReportListParams {
    #[serde(default, deserialize_with = "given")]
    #[param(value_type = Option<ReportStatus>)]
    pub status: Option<ReportStatus>,
    /// Only reports in this lane.
    #[serde(default, deserialize_with = "given")]
    #[param(value_type = Option<Lane>)]
    pub lane: Option<Lane>,
    #[serde(default, deserialize_with = "given")]
    #[param(value_type = Option<Category>)]
    pub category: Option<Category>,
    #[serde(default, deserialize_with = "given_parsed")]
    #[param(minimum = 1)]
    pub article_id: Option<i64>,
    /// Only reports created at or after this moment: a date (from its start, UTC) or a time
    /// (RFC 3339).
    #[serde(default, deserialize_with = "given")]
    #[param(value_type = Option<Bound>)]
    pub since: Option<Bound>,
    /// Page size, 1 to 200 (default 50).
    #[serde(default, deserialize_with = "given_parsed")]
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` from the previous page.
    #[serde(default, deserialize_with = "given")]
    pub cursor: Option<String>,
}

impl ReportListParams {
    pub fn query(&self) -> Result<ReportQuery, ApiError> {
        let before_id = id_cursor(self.cursor.as_deref(), "r:")?;
        article_id_at_least_1(self.article_id)?;
        Ok(ReportQuery {
            status: self.status,
            lane: self.lane,
            category: self.category,
            article_id: self.article_id,
            since: self.since.map(Bound::start),
            before_id,
            limit: page_size(self.limit)?,
        })
    }
}

/// Which problems: the query string of `GET /api/v1/problems`, newest first.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ProblemListParams {
    /// `open` (one of its reports is open in the queue) or `closed`.
    #[serde(default, deserialize_with = "given")]
    #[param(value_type = Option<ProblemState>)]
    pub status: Option<ProblemState>,
    #[serde(default, deserialize_with = "given_parsed")]
    #[param(minimum = 1)]
    pub article_id: Option<i64>,
    /// Page size, 1 to 200 (default 50).
    #[serde(default, deserialize_with = "given_parsed")]
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` from the previous page.
    #[serde(default, deserialize_with = "given")]
    pub cursor: Option<String>,
}

/// Whether a problem still needs work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProblemState {
    Open,
    Closed,
}

impl ProblemListParams {
    pub fn query(&self) -> Result<ProblemQuery, ApiError> {
        let before_id = id_cursor(self.cursor.as_deref(), "p:")?;
        article_id_at_least_1(self.article_id)?;
        Ok(ProblemQuery {
            article_id: self.article_id,
            open: self.status.map(|s| s == ProblemState::Open),
            before_id,
            limit: page_size(self.limit)?,
        })
    }
}

pub fn problem_cursor(id: i64) -> String {
    encode_cursor(format!("p:{id}"))
}

/// A moment given as a whole day (UTC) or an exact time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    Day(NaiveDate),
    Time(DateTime<Utc>),
}

impl Bound {
    /// As a lower bound: a day from its first moment.
    pub fn start(self) -> NaiveDateTime {
        match self {
            Bound::Day(d) => d.and_time(NaiveTime::MIN),
            Bound::Time(t) => t.naive_utc(),
        }
    }

    /// As an exclusive upper bound: a day up to its last moment.
    pub fn end(self) -> NaiveDateTime {
        match self {
            Bound::Day(d) => d.and_time(NaiveTime::MIN) + TimeDelta::days(1),
            Bound::Time(t) => t.naive_utc(),
        }
    }
}

/// Documented as what it accepts: a date or an RFC 3339 time.
impl utoipa::PartialSchema for Bound {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{
            AnyOfBuilder, KnownFormat, ObjectBuilder, SchemaFormat, Type,
        };
        let string = |format| {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(format)))
        };
        AnyOfBuilder::new()
            .item(string(KnownFormat::Date))
            .item(string(KnownFormat::DateTime))
            .into()
    }
}

impl utoipa::ToSchema for Bound {}

impl std::str::FromStr for Bound {
    type Err = String;

    fn from_str(s: &str) -> Result<Bound, String> {
        let s = s.trim();
        let bound = if let Ok(day) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            Bound::Day(day)
        } else {
            DateTime::parse_from_rfc3339(s)
                .map(|t| Bound::Time(t.with_timezone(&Utc)))
                .map_err(|_| {
                    format!(
                        "{s:?} is neither a date like 2026-11-25 nor a time like 2026-11-25T08:00:00Z"
                    )
                })?
        };
        if storable(bound.start()) {
            Ok(bound)
        } else {
            Err(format!("{s:?} is outside the years 0 to 10000"))
        }
    }
}

/// Whether both backends can compare with this moment. chrono parses years far beyond what
/// PostgreSQL's timestamp holds, and PostgreSQL refuses the whole query for one such value; no
/// feedback is older than year 0 or newer than 10000 (which a time in year 1 or 9999 with an
/// offset can reach in UTC).
fn storable(t: NaiveDateTime) -> bool {
    (0..=10000).contains(&t.year())
}

impl std::fmt::Display for Bound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Bound::Day(d) => write!(f, "{}", d.format("%Y-%m-%d")),
            Bound::Time(t) => write!(f, "{}", t.to_rfc3339()),
        }
    }
}

impl<'de> Deserialize<'de> for Bound {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Bound, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A parameter given empty is not a value: refused, naming it (an HTML form's empty fields are
/// dropped before this, by `http::FormQuery`).
fn refuse_empty<E: serde::de::Error>(raw: &str) -> Result<&str, E> {
    match raw.trim() {
        "" => Err(E::custom(
            "must not be empty: leave the parameter out for no filter",
        )),
        text => Ok(text),
    }
}

/// A parameter read as `T` (a string, or one of a closed set by its identifier).
pub(crate) fn given<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    use serde::de::IntoDeserializer;
    let raw = String::deserialize(d)?;
    let text = refuse_empty::<D::Error>(&raw)?;
    T::deserialize(text.to_string().into_deserializer()).map(Some)
}

/// A parameter read with `FromStr` (numbers: a query string carries them as text).
pub(crate) fn given_parsed<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    let raw = String::deserialize(d)?;
    refuse_empty::<D::Error>(&raw)?
        .parse()
        .map(Some)
        .map_err(serde::de::Error::custom)
}

pub fn page_size(limit: Option<i64>) -> Result<i64, ApiError> {
    match limit {
        None => Ok(DEFAULT_PAGE),
        Some(n) if (1..=MAX_PAGE).contains(&n) => Ok(n),
        Some(_) => Err(ApiError::invalid(
            "limit",
            format!("limit must be between 1 and {MAX_PAGE}"),
        )),
    }
}

/// The id in a keyset cursor of `prefix` (`r:` reports, `p:` problems).
fn id_cursor(cursor: Option<&str>, prefix: &str) -> Result<Option<i64>, ApiError> {
    cursor
        .map(|c| {
            decode_cursor(c)?
                .strip_prefix(prefix)
                .and_then(|id| id.parse::<i64>().ok())
                .ok_or_else(bad_cursor)
        })
        .transpose()
}

fn article_id_at_least_1(article_id: Option<i64>) -> Result<(), ApiError> {
    match article_id {
        Some(id) if id < 1 => Err(ApiError::invalid(
            "article_id",
            "article_id must be at least 1",
        )),
        _ => Ok(()),
    }
}

fn bad_cursor() -> ApiError {
    ApiError::invalid("cursor", "cursor is not one this API gave out")
}

fn encode_cursor(text: String) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
}

fn decode_cursor(raw: &str) -> Result<String, ApiError> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(raw)
        .map_err(|_| bad_cursor())?;
    String::from_utf8(bytes).map_err(|_| bad_cursor())
}

/// The cursor of the page after `rows`, when a full page suggests there is one.
pub fn next_page<T>(rows: &[T], limit: i64, cursor: impl Fn(&T) -> String) -> Option<String> {
    if rows.len() as i64 == limit {
        rows.last().map(cursor)
    } else {
        None
    }
}

pub fn report_cursor(id: i64) -> String {
    encode_cursor(format!("r:{id}"))
}

pub fn article_cursor(key: SortKey, id: i64) -> String {
    encode_cursor(match key {
        SortKey::Float(v) => format!("f:{v:?}:{id}"),
        SortKey::Int(v) => format!("i:{v}:{id}"),
        SortKey::Time(t) => format!("t:{}:{id}", t.and_utc().timestamp_micros()),
    })
}

fn parse_article_cursor(raw: &str, sort: ArticleSort) -> Result<(SortKey, i64), ApiError> {
    let bad = || ApiError::invalid("cursor", "cursor does not belong to this sort order");
    let text = decode_cursor(raw)?;
    let mut parts = text.splitn(3, ':');
    let (Some(kind), Some(value), Some(id)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    let id: i64 = id.parse().map_err(|_| bad())?;
    let key = match (kind, sort) {
        ("f", ArticleSort::Attention | ArticleSort::Helpfulness) => {
            let v: f64 = value.parse().map_err(|_| bad())?;
            if !v.is_finite() {
                return Err(bad());
            }
            SortKey::Float(v)
        }
        ("i", ArticleSort::Reports) => SortKey::Int(value.parse().map_err(|_| bad())?),
        ("t", ArticleSort::Recent) => {
            let micros: i64 = value.parse().map_err(|_| bad())?;
            let t = DateTime::from_timestamp_micros(micros)
                .map(|t| t.naive_utc())
                .filter(|t| storable(*t))
                .ok_or_else(bad)?;
            SortKey::Time(t)
        }
        _ => return Err(bad()),
    };
    Ok((key, id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(qs: &str) -> Result<ArticleListParams, ApiError> {
        crate::http::body::parse_query(qs.as_bytes())
    }

    #[test]
    fn empty_fields_are_no_filter_and_bad_values_are_named() {
        let p = parse("").expect("no parameters");
        assert_eq!(p.sort(), ArticleSort::Attention);
        assert!(p.host.is_none() && p.from.is_none());
        for (qs, field) in [
            ("q=", "q"),
            ("limit=", "limit"),
            ("sort=", "sort"),
            ("status=", "status"),
            ("category=", "category"),
            ("sort=popular", "sort"),
            ("status=closed", "status"),
            ("from=yesterday", "from"),
            ("limit=0", "limit"),
            ("review=late", "review"),
            ("mine=1", "mine"),
        ] {
            let err = parse(qs).and_then(|p| p.query()).unwrap_err();
            assert_eq!(err.field.as_deref(), Some(field), "{qs}");
        }
    }

    /// chrono reads years PostgreSQL's timestamps cannot hold; they are refused by name.
    #[test]
    fn moments_outside_the_years_0_to_10000_are_refused() {
        for raw in ["-5000-01-01", "+200000-01-01", "-0001-12-31"] {
            let err = raw.parse::<Bound>().unwrap_err();
            assert!(err.contains("outside the years 0 to 10000"), "{raw}: {err}");
        }
        assert!("0001-01-01T00:00:00+23:59".parse::<Bound>().is_ok());
        assert!("9999-12-31".parse::<Bound>().is_ok());
        let cursor = encode_cursor("t:-3000000000000000000:1".into());
        let err = parse_article_cursor(&cursor, ArticleSort::Recent).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("cursor"));
    }

    #[test]
    fn a_day_runs_to_its_end_and_a_time_is_exact() {
        let p = parse("from=2026-11-25&to=2026-11-25").unwrap();
        let q = p.query().unwrap();
        assert_eq!(q.active_from.unwrap().to_string(), "2026-11-25 00:00:00");
        assert_eq!(q.active_to.unwrap().to_string(), "2026-11-26 00:00:00");
        let p = parse("to=2026-11-25T08:30:00%2B01:00").unwrap();
        assert_eq!(
            p.query().unwrap().active_to.unwrap().to_string(),
            "2026-11-25 07:30:00"
        );
        assert_eq!(
            parse("section=/medicines").unwrap().path.as_deref(),
            Some("/medicines"),
            "the dashboard's older name for path"
        );
    }
}
