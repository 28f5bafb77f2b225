//! The figures in a digest. One week's facts are loaded once for every editor being sent one, then
//! cut per editor by the articles they own: a thousand editors cost a handful of queries, not a
//! thousand rounds of them.

use std::cmp::Ordering;
use std::collections::HashMap;

use chrono::{NaiveDateTime, TimeDelta};

use super::schedule::{IsoWeek, Schedule};
use crate::db::digest::{self as store, DigestArticle, OpenReport};
use crate::db::editors::Editor;
use crate::db::DbConn;
use crate::domain::{Category, DueReason, Lane, Scope};
use crate::problems::summary;
use crate::reviews::service::due_articles;
use crate::reviews::DueArticle;

/// How long the lists are, and how many votes make a drop in helpfulness worth showing.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub items_per_section: usize,
    pub min_votes_for_drop: i64,
    /// `review.due_soon_days`: reviews due within this many days are listed.
    pub review_due_soon_days: i64,
}

/// One editor's digest.
#[derive(Debug, Clone)]
pub struct Digest {
    pub week: IsoWeek,
    /// What the editor owns; empty means every article.
    pub scopes: Vec<Scope>,
    pub votes: Votes,
    pub votes_before: Votes,
    /// New reports in the queue this week by category, in `Category::ALL` order, zeros left out.
    pub new_reports: Vec<(Category, i64)>,
    /// New reports sorted into the other lanes this week, in `Lane::ALL` order, zeros left out.
    pub elsewhere: Vec<(Lane, i64)>,
    /// The articles with open reports, highest attention first.
    pub attention: Vec<AttentionItem>,
    /// Articles whose helpful share fell most from the week before, largest fall first, among
    /// those with at least `min_votes_for_drop` votes in each week.
    pub drops: Vec<DropItem>,
    pub min_votes_for_drop: i64,
    /// Open problems, the one with the oldest open report first.
    pub oldest_open: Vec<OpenItem>,
    /// All open problems, of which `oldest_open` shows the first few.
    pub open_problems: usize,
    /// All open reports (in those problems).
    pub open_total: usize,
    /// Reports resolved this week (and still resolved).
    pub resolved: usize,
    /// Median of (resolved − reported) over those.
    pub median_time_to_resolve: Option<TimeDelta>,
    /// Alerts raised this week, newest first.
    pub alerts: Vec<AlertItem>,
    pub alerts_total: usize,
    /// Reviews overdue (first) or due soon, as of when the digest was made.
    pub reviews_due: Vec<ReviewDueItem>,
    pub reviews_due_total: usize,
    pub reviews_overdue_total: usize,
}

#[derive(Debug, Clone)]
pub struct ReviewDueItem {
    pub article: ArticleRef,
    pub due_at: NaiveDateTime,
    pub overdue: bool,
    pub reason: DueReason,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Votes {
    pub helpful: i64,
    pub not_helpful: i64,
}

impl Votes {
    pub fn total(self) -> i64 {
        self.helpful + self.not_helpful
    }

    /// The share of "Yes", or None without votes.
    pub fn helpful_share(self) -> Option<f64> {
        (self.total() > 0).then(|| self.helpful as f64 / self.total() as f64)
    }
}

/// An article as a digest line names it.
#[derive(Debug, Clone)]
pub struct ArticleRef {
    pub id: i64,
    pub url: String,
    /// Reader-supplied title, or the URL when none was sent.
    pub title: String,
}

#[derive(Debug, Clone)]
pub struct AttentionItem {
    pub article: ArticleRef,
    pub attention: f64,
    pub open_reports: i64,
    pub open_harmful: i64,
}

#[derive(Debug, Clone)]
pub struct DropItem {
    pub article: ArticleRef,
    pub before: Votes,
    pub after: Votes,
}

impl DropItem {
    /// How far the helpful share fell, as a fraction (0.25 = 25 points).
    pub fn fall(&self) -> f64 {
        self.before.helpful_share().unwrap_or(0.0) - self.after.helpful_share().unwrap_or(0.0)
    }
}

/// An open problem, led by its oldest open report.
#[derive(Debug, Clone)]
pub struct OpenItem {
    pub report_id: i64,
    pub article: ArticleRef,
    /// Its open reports' categories, in `Category::ALL` order.
    pub categories: Vec<Category>,
    /// Distinct readers behind its open reports, and how many reports.
    pub readers: usize,
    pub reports: usize,
    pub created_at: NaiveDateTime,
    /// What the reader wrote: untrusted, shown as reader text.
    pub quote: Option<String>,
    pub details: Option<String>,
}

#[derive(Debug, Clone)]
pub struct AlertItem {
    pub article: ArticleRef,
    pub rule: String,
    pub at: NaiveDateTime,
}

impl Digest {
    /// Nothing happened: no votes, reports, resolutions or alerts this week.
    pub fn is_quiet(&self) -> bool {
        self.votes.total() == 0
            && self.new_reports.is_empty()
            && self.resolved == 0
            && self.alerts_total == 0
    }

    pub fn new_reports_total(&self) -> i64 {
        self.new_reports.iter().map(|(_, n)| n).sum()
    }
}

/// What the week holds for one article.
struct Entry {
    article: DigestArticle,
    votes: Votes,
    votes_before: Votes,
    new_reports: [i64; Category::ALL.len()],
    /// New reports per lane, in `Lane::ALL` order (the queue's too).
    lanes: [i64; Lane::ALL.len()],
    /// Seconds from report to resolution, for reports resolved this week.
    resolved: Vec<i64>,
    /// Indexes into `Week::open` (oldest first) and `Week::alerts` (newest first).
    open: Vec<usize>,
    alerts: Vec<usize>,
}

/// The week's facts for the articles in the editors' scopes, sorted by (host, path) so that each
/// scope is a range.
struct Week {
    entries: Vec<Entry>,
    /// Article id → position in `entries`.
    index: HashMap<i64, usize>,
    open: Vec<OpenReport>,
    alerts: Vec<(i64, String, NaiveDateTime)>,
}

/// Builds the digests of `week` for these editors, in their order.
pub fn build(
    conn: &mut DbConn,
    schedule: &Schedule,
    limits: Limits,
    week: IsoWeek,
    editors: &[Editor],
) -> diesel::QueryResult<Vec<Digest>> {
    let (start, end) = schedule.bounds(week);
    let (start, end) = (start.naive_utc(), end.naive_utc());
    let data = load(conn, week, start, end, editors)?;
    let now = crate::db::now();
    let due = due_articles(
        conn,
        now + TimeDelta::days(limits.review_due_soon_days),
        &[],
        now,
    )?;
    let mut digests: Vec<Digest> = editors
        .iter()
        .map(|editor| {
            let mut digest = data.digest(week, editor.scopes.clone(), limits);
            add_reviews_due(&mut digest, &due, limits.items_per_section);
            digest
        })
        .collect();
    attach_reader_text(conn, &mut digests)?;
    Ok(digests)
}

fn load(
    conn: &mut DbConn,
    week: IsoWeek,
    start: NaiveDateTime,
    end: NaiveDateTime,
    editors: &[Editor],
) -> diesel::QueryResult<Week> {
    // One editor who owns nothing sees everything; otherwise only the owned articles are read.
    let everything = editors.iter().any(|e| e.scopes.is_empty());
    let mut union: Vec<Scope> = editors
        .iter()
        .flat_map(|e| e.scopes.iter().cloned())
        .collect();
    union.sort();
    union.dedup();
    let mut articles = store::articles_in(conn, if everything { None } else { Some(&union) })?;
    articles.sort_by(|a, b| (&a.host, &a.path).cmp(&(&b.host, &b.path)));
    let mut entries: Vec<Entry> = articles
        .into_iter()
        .map(|article| Entry {
            article,
            votes: Votes::default(),
            votes_before: Votes::default(),
            new_reports: [0; Category::ALL.len()],
            lanes: [0; Lane::ALL.len()],
            resolved: Vec::new(),
            open: Vec::new(),
            alerts: Vec::new(),
        })
        .collect();
    let index: HashMap<i64, usize> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| (e.article.id, i))
        .collect();

    // Daily vote totals are kept per UTC day.
    let monday = week.monday();
    for (article_id, day, helpful, not_helpful) in
        store::vote_days(conn, week.previous().monday(), week.sunday())?
    {
        if let Some(&i) = index.get(&article_id) {
            let votes = if day >= monday {
                &mut entries[i].votes
            } else {
                &mut entries[i].votes_before
            };
            votes.helpful += helpful;
            votes.not_helpful += not_helpful;
        }
    }
    for (article_id, category, lane) in store::reports_made(conn, start, end)? {
        if let Some(&i) = index.get(&article_id) {
            if lane == Lane::Queue {
                entries[i].new_reports[category_index(category)] += 1;
            }
            if let Some(l) = Lane::ALL.iter().position(|x| *x == lane) {
                entries[i].lanes[l] += 1;
            }
        }
    }
    for (article_id, created, closed) in store::reports_resolved(conn, start, end)? {
        if let Some(&i) = index.get(&article_id) {
            entries[i].resolved.push((closed - created).num_seconds());
        }
    }
    let open: Vec<OpenReport> = store::open_reports(conn)?
        .into_iter()
        .filter(|r| index.contains_key(&r.article_id))
        .collect();
    for (n, r) in open.iter().enumerate() {
        if let Some(&i) = index.get(&r.article_id) {
            entries[i].open.push(n);
        }
    }
    let alerts: Vec<(i64, String, NaiveDateTime)> = store::alerts_raised(conn, start, end)?
        .into_iter()
        .filter(|(a, _, _)| index.contains_key(a))
        .collect();
    for (n, (article_id, _, _)) in alerts.iter().enumerate() {
        if let Some(&i) = index.get(article_id) {
            entries[i].alerts.push(n);
        }
    }
    Ok(Week {
        entries,
        index,
        open,
        alerts,
    })
}

fn category_index(category: Category) -> usize {
    Category::ALL
        .iter()
        .position(|c| *c == category)
        .unwrap_or(Category::ALL.len() - 1)
}

fn article_ref(a: &DigestArticle) -> ArticleRef {
    ArticleRef {
        id: a.id,
        url: a.url.clone(),
        title: a.title.clone().unwrap_or_else(|| a.url.clone()),
    }
}

impl Week {
    /// The entries an editor owns (all of them for an editor who owns nothing).
    fn owned(&self, scopes: &[Scope]) -> Vec<usize> {
        if scopes.is_empty() {
            return (0..self.entries.len()).collect();
        }
        let mut owned = Vec::new();
        for scope in scopes {
            let (host, path) = (scope.host(), scope.path());
            let host_start = self
                .entries
                .partition_point(|e| e.article.host.as_str() < host);
            let host_end = self
                .entries
                .partition_point(|e| e.article.host.as_str() <= host);
            let in_host = &self.entries[host_start..host_end];
            // Paths under a prefix sort together: from "p" itself to just before "p0" ('0' follows
            // '/'), with siblings such as "p-x" in between, which `Scope::covers` leaves out.
            let (from, to) = if path.is_empty() {
                (0, in_host.len())
            } else {
                let after = format!("{path}0");
                (
                    in_host.partition_point(|e| e.article.path.as_str() < path),
                    in_host.partition_point(|e| e.article.path.as_str() < after.as_str()),
                )
            };
            owned.extend((host_start + from..host_start + to).filter(|&i| {
                scope.covers(&self.entries[i].article.host, &self.entries[i].article.path)
            }));
        }
        owned.sort_unstable();
        owned.dedup();
        owned
    }

    fn digest(&self, week: IsoWeek, scopes: Vec<Scope>, limits: Limits) -> Digest {
        let owned = self.owned(&scopes);
        let n = limits.items_per_section;
        let mut votes = Votes::default();
        let mut votes_before = Votes::default();
        let mut new_reports = [0i64; Category::ALL.len()];
        let mut lanes = [0i64; Lane::ALL.len()];
        let mut resolved: Vec<i64> = Vec::new();
        let mut attention: Vec<&Entry> = Vec::new();
        let mut drops: Vec<DropItem> = Vec::new();
        let mut open: Vec<usize> = Vec::new();
        let mut alerts: Vec<usize> = Vec::new();
        for &i in &owned {
            let e = &self.entries[i];
            votes.helpful += e.votes.helpful;
            votes.not_helpful += e.votes.not_helpful;
            votes_before.helpful += e.votes_before.helpful;
            votes_before.not_helpful += e.votes_before.not_helpful;
            for (sum, k) in new_reports.iter_mut().zip(e.new_reports) {
                *sum += k;
            }
            for (sum, k) in lanes.iter_mut().zip(e.lanes) {
                *sum += k;
            }
            resolved.extend(&e.resolved);
            if e.article.open_reports > 0 {
                attention.push(e);
            }
            let enough = |v: Votes| v.total() >= limits.min_votes_for_drop;
            if enough(e.votes) && enough(e.votes_before) {
                let item = DropItem {
                    article: article_ref(&e.article),
                    before: e.votes_before,
                    after: e.votes,
                };
                if item.fall() > 0.0 {
                    drops.push(item);
                }
            }
            open.extend(&e.open);
            alerts.extend(&e.alerts);
        }
        attention.sort_by(|a, b| {
            b.article
                .attention
                .partial_cmp(&a.article.attention)
                .unwrap_or(Ordering::Equal)
                .then(b.article.id.cmp(&a.article.id))
        });
        drops.sort_by(|a, b| {
            b.fall()
                .partial_cmp(&a.fall())
                .unwrap_or(Ordering::Equal)
                .then(a.article.id.cmp(&b.article.id))
        });
        drops.truncate(n);
        // Both lists were loaded in order (open: oldest first; alerts: newest first).
        open.sort_unstable();
        alerts.sort_unstable();
        let problems = summary::by_problem(&open, |&k| self.open[k].problem_id);
        let entry_of = |article_id: i64| {
            self.index
                .get(&article_id)
                .map(|&i| article_ref(&self.entries[i].article))
        };
        Digest {
            week,
            scopes,
            votes,
            votes_before,
            new_reports: Category::ALL
                .iter()
                .zip(new_reports)
                .filter(|(_, k)| *k > 0)
                .map(|(c, k)| (*c, k))
                .collect(),
            elsewhere: Lane::ALL
                .iter()
                .zip(lanes)
                .filter(|(lane, k)| **lane != Lane::Queue && *k > 0)
                .map(|(lane, k)| (*lane, k))
                .collect(),
            attention: attention
                .iter()
                .take(n)
                .map(|e| AttentionItem {
                    article: article_ref(&e.article),
                    attention: e.article.attention,
                    open_reports: e.article.open_reports,
                    open_harmful: e.article.open_harmful,
                })
                .collect(),
            drops,
            min_votes_for_drop: limits.min_votes_for_drop,
            oldest_open: problems
                .iter()
                .take(n)
                .filter_map(|reports| {
                    let of = || reports.iter().map(|&&k| &self.open[k]);
                    let lead = of().next()?;
                    let mut categories: Vec<Category> = of().map(|r| r.category).collect();
                    categories.sort();
                    categories.dedup();
                    Some(OpenItem {
                        report_id: lead.id,
                        article: entry_of(lead.article_id)?,
                        categories,
                        readers: summary::count(of().map(|r| r.visitor_key.as_str())),
                        reports: reports.len(),
                        created_at: lead.created_at,
                        quote: None,
                        details: None,
                    })
                })
                .collect(),
            open_problems: problems.len(),
            open_total: open.len(),
            resolved: resolved.len(),
            median_time_to_resolve: median(&mut resolved).map(TimeDelta::seconds),
            alerts: alerts
                .iter()
                .take(n)
                .filter_map(|&k| {
                    let (article_id, rule, at) = &self.alerts[k];
                    Some(AlertItem {
                        article: entry_of(*article_id)?,
                        rule: rule.clone(),
                        at: *at,
                    })
                })
                .collect(),
            alerts_total: alerts.len(),
            reviews_due: Vec::new(),
            reviews_due_total: 0,
            reviews_overdue_total: 0,
        }
    }
}

/// The reviews due on the articles the digest covers (every article for an editor who owns none).
fn add_reviews_due(digest: &mut Digest, due: &[DueArticle], n: usize) {
    let owned: Vec<&DueArticle> = due
        .iter()
        .filter(|d| {
            digest.scopes.is_empty()
                || digest
                    .scopes
                    .iter()
                    .any(|s| s.covers(&d.article.host, &d.article.path))
        })
        .collect();
    digest.reviews_due_total = owned.len();
    digest.reviews_overdue_total = owned.iter().filter(|d| d.overdue).count();
    digest.reviews_due = owned
        .iter()
        .take(n)
        .map(|d| ReviewDueItem {
            article: ArticleRef {
                id: d.article.id,
                url: d.article.url.clone(),
                title: d
                    .article
                    .title
                    .clone()
                    .unwrap_or_else(|| d.article.url.clone()),
            },
            due_at: d.due_at,
            overdue: d.overdue,
            reason: d.reason,
        })
        .collect();
}

/// The middle value; the mean of the two middle ones for an even count.
fn median(values: &mut [i64]) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2
    })
}

/// Loads what readers wrote, only for the reports the digests show.
fn attach_reader_text(conn: &mut DbConn, digests: &mut [Digest]) -> diesel::QueryResult<()> {
    let mut ids: Vec<i64> = digests
        .iter()
        .flat_map(|d| d.oldest_open.iter().map(|r| r.report_id))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let texts: HashMap<i64, (Option<String>, Option<String>)> = store::report_texts(conn, &ids)?
        .into_iter()
        .map(|(id, quote, details)| (id, (quote, details)))
        .collect();
    for item in digests.iter_mut().flat_map(|d| d.oldest_open.iter_mut()) {
        if let Some((quote, details)) = texts.get(&item.report_id) {
            item.quote = quote.clone();
            item.details = details.clone();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [5]), Some(5));
        assert_eq!(median(&mut [9, 1, 5]), Some(5));
        assert_eq!(median(&mut [10, 1, 4, 100]), Some(7));
    }
}
