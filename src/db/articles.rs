//! Articles and their counters, and the attention order editors see first.
//!
//! **Attention** (highest first) is one stored number, recomputed in the same transaction as
//! every vote, report or status change, and hourly so that age keeps counting:
//!
//! * reports count by problem (see `crate::problems`): each open problem adds the weight of its
//!   most pressing open report times `1 + log2(readers)`, where readers are the distinct readers
//!   (visitor keys) behind its open reports: 1 reader ×1, 2 ×2, 5 ×3.3, so "5 readers" ranks
//!   above "1 reader" without one problem's readers drowning out every other problem, and one
//!   reader reporting a problem three times counts once. A report in no problem counts alone;
//! * a report weighs `1 / (1 + age_in_days / 7)`: 1 when new, ½ after a week, ⅕ after a month
//!   (for a problem, its newest report's); plus 100 if it is `harmful`, so any article with an
//!   open harmful report sorts above all without;
//! * low helpfulness adds `(0.8 − h) × 10` when `h` is below 0.8, where `h` is the Bayesian average
//!   `(helpful + 8) / (helpful + not_helpful + 10)`: a prior of ten votes at 80 % helpful, so a few
//!   "No" votes barely move an article while 100 votes at 0 % add about 7, like seven fresh reports.

use std::collections::HashMap;

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;

use super::prepared::SetReportScore;
use super::schema::{article_revisions, articles, reports};
use super::{lower, DbConn};
use crate::domain::review::{effective_due, PULLS_REVIEW_FORWARD};
use crate::domain::{
    ArticleSort, ArticleState, ArticleUrl, Category, DueReason, Lane, ReportStatus, ReviewDue,
    ReviewPolicies,
};
use crate::with_conn;

pub(super) const PRIOR_HELPFUL: f64 = 8.0;
pub(super) const PRIOR_VOTES: f64 = 10.0;
pub(super) const PRIOR_SHARE: f64 = PRIOR_HELPFUL / PRIOR_VOTES;
pub(super) const HELPFULNESS_WEIGHT: f64 = 10.0;
const HARMFUL_WEIGHT: f64 = 100.0;
const REPORT_HALF_LIFE_DAYS: f64 = 7.0;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = articles)]
pub struct Article {
    pub id: i64,
    pub url: String,
    pub host: String,
    pub path: String,
    pub title: Option<String>,
    pub external_id: Option<String>,
    pub revision: Option<String>,
    pub helpful: i64,
    pub not_helpful: i64,
    pub open_reports: i64,
    pub open_inaccurate: i64,
    pub open_outdated: i64,
    pub open_unclear: i64,
    pub open_harmful: i64,
    pub open_broken_link: i64,
    pub open_typo: i64,
    pub open_other: i64,
    pub report_score: f64,
    pub helpfulness: f64,
    pub attention: f64,
    pub last_activity_at: NaiveDateTime,
    pub reviewed_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The newest review (by an editor or read from the page) and who made it.
    pub last_reviewed_at: Option<NaiveDateTime>,
    pub reviewed_by: Option<String>,
    /// When the next review is due by policy; see [`Article::review_due`].
    pub review_due_at: Option<NaiveDateTime>,
}

impl Article {
    /// When the next review is due and why: by policy, or now when an open harmful, inaccurate or
    /// outdated report pulls it forward.
    pub fn review_due(&self, now: NaiveDateTime) -> Option<(NaiveDateTime, DueReason)> {
        let pulled = PULLS_REVIEW_FORWARD.iter().any(|c| self.open_in(*c) > 0);
        effective_due(self.review_due_at, pulled, now)
    }

    pub fn open_in(&self, category: Category) -> i64 {
        match category {
            Category::Inaccurate => self.open_inaccurate,
            Category::Outdated => self.open_outdated,
            Category::Unclear => self.open_unclear,
            Category::Harmful => self.open_harmful,
            Category::BrokenLink => self.open_broken_link,
            Category::Typo => self.open_typo,
            Category::Other => self.open_other,
        }
    }

    #[cfg(test)]
    /// An article as tests of what e-mails and pages say need one.
    pub(crate) fn sample() -> Article {
        let t = super::now();
        Article {
            id: 7,
            url: "https://health.example.org/medicines/ibuprofen".into(),
            host: "health.example.org".into(),
            path: "/medicines/ibuprofen".into(),
            title: Some("Ibuprofen for adults".into()),
            external_id: None,
            revision: Some("2026-10-01".into()),
            helpful: 3,
            not_helpful: 1,
            open_reports: 1,
            open_inaccurate: 0,
            open_outdated: 0,
            open_unclear: 0,
            open_harmful: 1,
            open_broken_link: 0,
            open_typo: 0,
            open_other: 0,
            report_score: 100.0,
            helpfulness: 0.8,
            attention: 100.0,
            last_activity_at: t,
            reviewed_at: None,
            created_at: t,
            updated_at: t,
            last_reviewed_at: None,
            reviewed_by: None,
            review_due_at: Some(t + TimeDelta::days(730)),
        }
    }

    /// The plain share of "Yes" votes, or None before the first vote.
    pub fn helpful_share(&self) -> Option<f64> {
        let total = self.helpful + self.not_helpful;
        (total > 0).then(|| self.helpful as f64 / total as f64)
    }
}

/// What the ingest writer already knows about articles, so that the common case — feedback on an
/// article it has seen, with a title and revision it has seen — costs no query. New entries wait
/// in `pending` until their transaction commits, so a rolled-back insert never leaves an id
/// behind that does not exist.
#[derive(Debug, Default)]
pub struct KnownArticles {
    committed: HashMap<String, Known>,
    pending: HashMap<String, Known>,
}

#[derive(Debug, Clone, Default)]
struct Known {
    id: i64,
    title: Option<String>,
    revisions: Vec<String>,
}

/// Bounds the writer's memory: past this many articles the cache starts again.
const KNOWN_ARTICLES_MAX: usize = 200_000;
const KNOWN_REVISIONS_MAX: usize = 8;

impl KnownArticles {
    fn get(&self, url: &str) -> Option<&Known> {
        self.pending.get(url).or_else(|| self.committed.get(url))
    }

    fn note(&mut self, url: &str, known: Known) {
        self.pending.insert(url.to_string(), known);
    }

    /// The transaction committed: keep what it taught us.
    pub fn commit(&mut self) {
        if self.committed.len() + self.pending.len() > KNOWN_ARTICLES_MAX {
            self.committed.clear();
        }
        self.committed.extend(self.pending.drain());
    }

    /// The transaction rolled back: forget what it taught us.
    pub fn discard(&mut self) {
        self.pending.clear();
    }
}

/// Finds the article for a canonical URL or creates it, and records a revision that is new.
/// The title is the first one given: a later reader cannot rename an article. Returns its id.
pub fn find_or_create(
    conn: &mut DbConn,
    known: &mut KnownArticles,
    url: &ArticleUrl,
    title: Option<&str>,
    revision: Option<&str>,
    policies: &ReviewPolicies,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    if let Some(k) = known.get(&url.url) {
        let title_known = title.is_none() || k.title.is_some();
        let revision_known = revision.is_none_or(|r| k.revisions.iter().any(|v| v == r));
        if title_known && revision_known {
            return Ok(k.id);
        }
    }
    let found: Option<(i64, Option<String>)> = with_conn!(conn, |c| articles::table
        .filter(articles::url.eq(&url.url))
        .select((articles::id, articles::title))
        .get_result(c)
        .optional())?;
    let (id, stored_title) = match found {
        Some((id, known_title)) => {
            if title.is_some() && known_title.is_none() {
                with_conn!(conn, |c| diesel::update(articles::table.find(id))
                    .set((articles::title.eq(title), articles::updated_at.eq(now)))
                    .execute(c))?;
            }
            (id, known_title.or(title.map(str::to_string)))
        }
        None => {
            // Another instance may insert the same URL at the same moment: do nothing on
            // conflict and read back whichever row won.
            with_conn!(conn, |c| diesel::insert_into(articles::table)
                .values((
                    articles::url.eq(&url.url),
                    articles::host.eq(&url.host),
                    articles::path.eq(&url.path),
                    articles::title.eq(title),
                    articles::helpfulness.eq(PRIOR_SHARE),
                    articles::last_activity_at.eq(now),
                    articles::created_at.eq(now),
                    articles::updated_at.eq(now),
                    articles::review_due_at.eq(policies.due(&url.host, &url.path, now)),
                ))
                .on_conflict(articles::url)
                .do_nothing()
                .execute(c))?;
            let id = with_conn!(conn, |c| articles::table
                .filter(articles::url.eq(&url.url))
                .select(articles::id)
                .get_result(c))?;
            (id, title.map(str::to_string))
        }
    };
    let mut entry = known.get(&url.url).cloned().unwrap_or_default();
    entry.id = id;
    entry.title = stored_title;
    if let Some(revision) = revision {
        note_revision(conn, id, revision, now)?;
        if entry.revisions.len() >= KNOWN_REVISIONS_MAX {
            entry.revisions.remove(0);
        }
        entry.revisions.push(revision.to_string());
    }
    known.note(&url.url, entry);
    Ok(id)
}

/// A revision seen for the first time becomes the article's current one; a page cached with an
/// older revision cannot move it back, because that revision is already known.
fn note_revision(
    conn: &mut DbConn,
    id: i64,
    revision: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let inserted = with_conn!(conn, |c| diesel::insert_into(article_revisions::table)
        .values((
            article_revisions::article_id.eq(id),
            article_revisions::revision.eq(revision),
            article_revisions::first_seen_at.eq(now),
        ))
        .on_conflict((article_revisions::article_id, article_revisions::revision))
        .do_nothing()
        .execute(c))?;
    if inserted > 0 {
        with_conn!(conn, |c| diesel::update(articles::table.find(id))
            .set((
                articles::revision.eq(revision),
                articles::updated_at.eq(now)
            ))
            .execute(c))?;
    }
    Ok(())
}

/// What the alert rules need after a vote, read back from the update itself.
#[derive(Debug, Clone, Copy)]
pub struct VoteTotals {
    pub helpful: i64,
    pub not_helpful: i64,
    pub reviewed_at: Option<NaiveDateTime>,
}

/// Locks these articles' rows until commit, in id order, before a batch changes any of them
/// (PostgreSQL; SQLite's write transaction excludes every other writer already). Two instances
/// then never hold one article each while waiting for the other's.
pub fn lock(conn: &mut DbConn, ids: &[i64]) -> QueryResult<()> {
    if let DbConn::Postgres(c) = conn {
        articles::table
            .filter(articles::id.eq_any(ids))
            .order(articles::id)
            .select(articles::id)
            .for_no_key_update()
            .load::<i64>(c)?;
    }
    Ok(())
}

/// Adds `delta` (±1) to the open-report counters for a category.
pub fn add_open_reports(
    conn: &mut DbConn,
    id: i64,
    category: Category,
    delta: i64,
) -> QueryResult<()> {
    macro_rules! bump {
        ($c:expr, $column:ident) => {
            diesel::update(articles::table.find(id))
                .set((
                    articles::$column.eq(articles::$column + delta),
                    articles::open_reports.eq(articles::open_reports + delta),
                ))
                .execute($c)
        };
    }
    with_conn!(conn, |c| match category {
        Category::Inaccurate => bump!(c, open_inaccurate),
        Category::Outdated => bump!(c, open_outdated),
        Category::Unclear => bump!(c, open_unclear),
        Category::Harmful => bump!(c, open_harmful),
        Category::BrokenLink => bump!(c, open_broken_link),
        Category::Typo => bump!(c, open_typo),
        Category::Other => bump!(c, open_other),
    })?;
    Ok(())
}

pub fn touch(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> QueryResult<()> {
    with_conn!(conn, |c| diesel::update(articles::table.find(id))
        .set(articles::last_activity_at.eq(now))
        .execute(c))?;
    Ok(())
}

/// The report part of attention: see the module documentation.
pub fn report_weight(category: Category, created_at: NaiveDateTime, now: NaiveDateTime) -> f64 {
    let age_days = (now - created_at).max(TimeDelta::zero()).num_seconds() as f64 / 86_400.0;
    let recency = 1.0 / (1.0 + age_days / REPORT_HALF_LIFE_DAYS);
    if category == Category::Harmful {
        HARMFUL_WEIGHT + recency
    } else {
        recency
    }
}

/// The report part of attention from the article's open queue reports, each given as
/// (report id, problem id, visitor key, weight): see the module documentation.
fn problems_score(open: &[(i64, Option<i64>, String, f64)]) -> f64 {
    // Per problem (a report in none is its own): its highest weight and its readers.
    let mut problems: HashMap<(bool, i64), (f64, Vec<&str>)> = HashMap::new();
    for (report, problem, reader, weight) in open {
        let key = problem.map_or((false, *report), |p| (true, p));
        let (top, readers) = problems.entry(key).or_insert((0.0, Vec::new()));
        *top = top.max(*weight);
        if !readers.contains(&reader.as_str()) {
            readers.push(reader);
        }
    }
    problems
        .values()
        .map(|(top, readers)| top * (1.0 + (readers.len() as f64).log2()))
        .sum()
}

/// Recomputes the report part of an article's attention from its open reports, then its scores.
/// Call after the reports' problems are set (the writer calls it after matching).
pub fn refresh_report_score(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> QueryResult<()> {
    type Row = (i64, Option<i64>, String, Category, NaiveDateTime);
    let open: Vec<Row> = with_conn!(conn, |c| reports::table
        .filter(reports::article_id.eq(id))
        .filter(reports::status.eq_any(ReportStatus::OPEN))
        .filter(reports::lane.eq(Lane::Queue))
        .select((
            reports::id,
            reports::problem_id,
            reports::visitor_key,
            reports::category,
            reports::created_at,
        ))
        .load(c))?;
    let weighed: Vec<(i64, Option<i64>, String, f64)> = open
        .into_iter()
        .map(|(report, problem, reader, category, at)| {
            (report, problem, reader, report_weight(category, at, now))
        })
        .collect();
    let score = problems_score(&weighed);
    with_conn!(conn, |c| SetReportScore {
        id,
        report_score: score
    }
    .execute(c))?;
    Ok(())
}

/// Ages the report part of attention for every article with open reports; run hourly.
pub fn refresh_all_report_scores(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<usize> {
    let ids: Vec<i64> = with_conn!(conn, |c| articles::table
        .filter(articles::open_reports.gt(0))
        .select(articles::id)
        .load(c))?;
    // A few hundred articles per transaction: one commit (and fsync) each would hold the write
    // lock for seconds on a large site.
    for chunk in ids.chunks(500) {
        conn.write_tx(|c| {
            chunk
                .iter()
                .try_for_each(|id| refresh_report_score(c, *id, now))
        })?;
    }
    Ok(ids.len())
}

/// The URLs of these articles, by id.
pub fn urls(conn: &mut DbConn, ids: &[i64]) -> QueryResult<Vec<(i64, String)>> {
    with_conn!(conn, |c| articles::table
        .filter(articles::id.eq_any(ids))
        .select((articles::id, articles::url))
        .load(c))
}

pub fn get(conn: &mut DbConn, id: i64) -> QueryResult<Option<Article>> {
    with_conn!(conn, |c| articles::table
        .find(id)
        .select(Article::as_select())
        .get_result(c)
        .optional())
}

/// Every revision readers reported, with when it was first seen, oldest first.
pub fn revisions(conn: &mut DbConn, id: i64) -> QueryResult<Vec<(String, NaiveDateTime)>> {
    with_conn!(conn, |c| article_revisions::table
        .filter(article_revisions::article_id.eq(id))
        .order(article_revisions::first_seen_at.asc())
        .select((
            article_revisions::revision,
            article_revisions::first_seen_at
        ))
        .load(c))
}

/// A position in a listing: the sort value of the last row shown and its id.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SortKey {
    Float(f64),
    Int(i64),
    Time(NaiveDateTime),
}

#[derive(Debug, Clone)]
pub struct ArticleQuery {
    pub sort: ArticleSort,
    pub host: Option<String>,
    /// Only articles whose path starts with this (a section).
    pub path_prefix: Option<String>,
    pub state: Option<ArticleState>,
    /// Only articles with an open report in this category.
    pub category: Option<Category>,
    /// Only articles whose URL or title contains this (case-insensitive).
    pub search: Option<String>,
    /// Only articles with feedback in [from, to).
    pub active_from: Option<NaiveDateTime>,
    pub active_to: Option<NaiveDateTime>,
    /// Only articles with an open report assigned to this person.
    pub assignee: Option<String>,
    /// Only articles whose review is overdue or due soon, as of `review_window`.
    pub review: Option<ReviewDue>,
    /// (now, end of "due soon"); set by the caller that knows the policy.
    pub review_window: Option<(NaiveDateTime, NaiveDateTime)>,
    pub after: Option<(SortKey, i64)>,
    pub limit: i64,
}

impl ArticleQuery {
    pub fn new(sort: ArticleSort, limit: i64) -> ArticleQuery {
        ArticleQuery {
            sort,
            host: None,
            path_prefix: None,
            state: None,
            category: None,
            search: None,
            active_from: None,
            active_to: None,
            assignee: None,
            review: None,
            review_window: None,
            after: None,
            limit,
        }
    }
}

/// [`PULLS_REVIEW_FORWARD`] as the counters say it: an open report in any of those categories
/// makes the article's review due now.
#[diesel::dsl::auto_type]
pub(super) fn pulled_forward() -> _ {
    let none: i64 = 0;
    articles::open_harmful
        .gt(none)
        .or(articles::open_inaccurate.gt(none))
        .or(articles::open_outdated.gt(none))
}

/// A LIKE pattern that matches `text` literally (with `\` as the escape character).
fn like_literal(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// Where an article stands in a listing in this order, for the next page's cursor.
pub fn sort_key(sort: ArticleSort, a: &Article) -> SortKey {
    match sort {
        ArticleSort::Attention => SortKey::Float(a.attention),
        ArticleSort::Reports => SortKey::Int(a.open_reports),
        ArticleSort::Helpfulness => SortKey::Float(a.helpfulness),
        ArticleSort::Recent => SortKey::Time(a.last_activity_at),
    }
}

/// One page of articles in the requested order (keyset pagination: stable under inserts).
pub fn list(conn: &mut DbConn, q: &ArticleQuery) -> QueryResult<Vec<Article>> {
    with_conn!(conn, |c| {
        let mut query = articles::table.select(Article::as_select()).into_boxed();
        if let Some(host) = &q.host {
            query = query.filter(articles::host.eq(host.clone()));
        }
        if let Some(prefix) = &q.path_prefix {
            query = query.filter(
                articles::path
                    .like(format!("{}%", like_literal(prefix)))
                    .escape('\\'),
            );
        }
        if let Some(text) = &q.search {
            let pattern = format!("%{}%", like_literal(&text.to_lowercase()));
            query = query.filter(
                lower(articles::url.nullable())
                    .like(pattern.clone())
                    .escape('\\')
                    .or(lower(articles::title).like(pattern).escape('\\')),
            );
        }
        if let Some(from) = q.active_from {
            query = query.filter(articles::last_activity_at.ge(from));
        }
        if let Some(to) = q.active_to {
            query = query.filter(articles::last_activity_at.lt(to));
        }
        if let Some(assignee) = &q.assignee {
            query = query.filter(
                articles::id.eq_any(
                    reports::table
                        .filter(reports::assignee.eq(assignee.clone()))
                        .filter(reports::status.eq_any(ReportStatus::OPEN))
                        .filter(reports::lane.eq(Lane::Queue))
                        .select(reports::article_id),
                ),
            );
        }
        if let Some(review) = q.review {
            let (now, soon) = q.review_window.unwrap_or_else(|| {
                let now = super::now();
                (now, now)
            });
            query = match review {
                ReviewDue::Overdue => {
                    query.filter(articles::review_due_at.le(now).or(pulled_forward()))
                }
                ReviewDue::DueSoon => query
                    .filter(articles::review_due_at.le(soon))
                    .filter(articles::review_due_at.gt(now))
                    .filter(diesel::dsl::not(pulled_forward())),
            };
        }
        query = match q.category {
            Some(Category::Inaccurate) => query.filter(articles::open_inaccurate.gt(0)),
            Some(Category::Outdated) => query.filter(articles::open_outdated.gt(0)),
            Some(Category::Unclear) => query.filter(articles::open_unclear.gt(0)),
            Some(Category::Harmful) => query.filter(articles::open_harmful.gt(0)),
            Some(Category::BrokenLink) => query.filter(articles::open_broken_link.gt(0)),
            Some(Category::Typo) => query.filter(articles::open_typo.gt(0)),
            Some(Category::Other) => query.filter(articles::open_other.gt(0)),
            None => query,
        };
        query = match q.state {
            Some(ArticleState::Open) => query.filter(articles::open_reports.gt(0)),
            Some(ArticleState::Harmful) => query.filter(articles::open_harmful.gt(0)),
            Some(ArticleState::Clear) => query.filter(articles::open_reports.eq(0)),
            None => query,
        };
        query = match (q.sort, q.after) {
            (ArticleSort::Attention, Some((SortKey::Float(v), id))) => query.filter(
                articles::attention
                    .lt(v)
                    .or(articles::attention.eq(v).and(articles::id.lt(id))),
            ),
            (ArticleSort::Reports, Some((SortKey::Int(v), id))) => query.filter(
                articles::open_reports
                    .lt(v)
                    .or(articles::open_reports.eq(v).and(articles::id.lt(id))),
            ),
            (ArticleSort::Helpfulness, Some((SortKey::Float(v), id))) => query.filter(
                articles::helpfulness
                    .gt(v)
                    .or(articles::helpfulness.eq(v).and(articles::id.gt(id))),
            ),
            (ArticleSort::Recent, Some((SortKey::Time(v), id))) => query.filter(
                articles::last_activity_at
                    .lt(v)
                    .or(articles::last_activity_at.eq(v).and(articles::id.lt(id))),
            ),
            _ => query,
        };
        query = match q.sort {
            ArticleSort::Attention => {
                query.order((articles::attention.desc(), articles::id.desc()))
            }
            ArticleSort::Reports => {
                query.order((articles::open_reports.desc(), articles::id.desc()))
            }
            ArticleSort::Helpfulness => {
                query.order((articles::helpfulness.asc(), articles::id.asc()))
            }
            ArticleSort::Recent => {
                query.order((articles::last_activity_at.desc(), articles::id.desc()))
            }
        };
        query.limit(q.limit).load(c)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::prepared::{AddVotes, ArticleVotes};

    #[test]
    fn harmful_outweighs_any_number_of_ordinary_reports() {
        let now = chrono::Utc::now().naive_utc();
        let old_harmful = report_weight(Category::Harmful, now - TimeDelta::days(365), now);
        let fifty_fresh = 50.0 * report_weight(Category::Typo, now, now);
        assert!(old_harmful > fifty_fresh);
    }

    /// The scores as the database computes them, for an article with these counters.
    fn scores_of(helpful: i64, not_helpful: i64, report_score: f64) -> (f64, f64) {
        let mut conn = DbConn::Sqlite(
            diesel::SqliteConnection::establish(":memory:").expect("in-memory SQLite"),
        );
        conn.run_migrations().expect("migrations");
        let now = super::super::now();
        let url = ArticleUrl {
            url: "https://example.org/a".into(),
            host: "example.org".into(),
            path: "/a".into(),
        };
        let id = find_or_create(
            &mut conn,
            &mut KnownArticles::default(),
            &url,
            None,
            None,
            &ReviewPolicies::default(),
            now,
        )
        .expect("article");
        with_conn!(&mut conn, |c| SetReportScore { id, report_score }
            .execute(c))
        .expect("report score");
        let votes = AddVotes::new(
            &[ArticleVotes {
                id,
                helpful,
                not_helpful,
            }],
            now,
        )
        .expect("rows");
        with_conn!(&mut conn, |c| votes.execute(c)).expect("votes");
        let a = get(&mut conn, id).expect("read").expect("article");
        (a.helpfulness, a.attention)
    }

    #[test]
    fn helpfulness_is_a_bayesian_average() {
        assert_eq!(scores_of(0, 0, 0.0), (0.8, 0.0));
        let (h, attention) = scores_of(0, 100, 0.0);
        assert!((h - 8.0 / 110.0).abs() < 1e-12);
        assert!((attention - (0.8 - h) * 10.0).abs() < 1e-12);
        let (h, attention) = scores_of(90, 10, 2.5);
        assert!((h - 98.0 / 110.0).abs() < 1e-12);
        assert_eq!(attention, 2.5, "helpful articles add nothing");
    }

    #[test]
    fn reports_fade_with_age() {
        let now = chrono::Utc::now().naive_utc();
        let fresh = report_weight(Category::Inaccurate, now, now);
        let week = report_weight(Category::Inaccurate, now - TimeDelta::days(7), now);
        assert!((fresh - 1.0).abs() < 1e-9);
        assert!((week - 0.5).abs() < 1e-9);
    }
}
