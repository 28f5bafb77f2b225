//! The triage service: reading articles and reports, and changing reports, for the JSON API and
//! the dashboard alike. A change runs in one transaction with the alert rules it affects (resolving
//! reports re-arms an article) and, when asked, the thank-you e-mail to a reader who consented.

use std::sync::Arc;

use chrono::NaiveDate;

use super::filter::{
    article_cursor, next_page, problem_cursor, report_cursor, ArticleListParams, ProblemListParams,
    ReportListParams,
};
use super::reply;
use super::revisions::{before_after, RevisionShare};
use super::views::ProblemView;
use crate::alerts::{Alerting, Trigger};
use crate::db::alerts::{self as alert_store, AlertState};
use crate::db::articles::{self, sort_key, Article};
use crate::db::corrections;
use crate::db::editors::{self, Editor};
use crate::db::outbox::{self, NewEmail};
use crate::db::problems as problem_store;
use crate::db::reports::{self, Report, ReportEvent, ReportQuery};
use crate::db::votes::{self, VoteFeedback};
use crate::db::{Db, DbConn};
use crate::domain::{
    Actor, ArticleId, Lane, MailKind, Note, ProblemId, ReportChange, ReportId, ReportStatus,
    ReviewPolicies,
};
use crate::errors::ApiError;
use crate::lanes;
use crate::lanes::Sorter;

#[derive(Clone)]
pub struct Triage {
    db: Db,
    alerting: Arc<Alerting>,
    sorter: Arc<Sorter>,
    /// For "due soon" in the listing's review filter.
    review_policies: Arc<ReviewPolicies>,
}

/// One page of a listing.
pub struct Page<T> {
    pub items: Vec<T>,
    /// For the page after this one; None on the last page.
    pub next_cursor: Option<String>,
}

/// An article with what the API shows beside it.
pub struct ArticleSummary {
    pub article: Article,
    /// Helpfulness before and after each revision, oldest first.
    pub revisions: Vec<RevisionShare>,
    pub recent_reports: Vec<Report>,
    pub recent_votes: Vec<VoteFeedback>,
    pub alerts: Vec<AlertState>,
}

/// Everything the dashboard's article page shows, loaded in one trip to the database.
pub struct ArticleOverview {
    pub article: Article,
    pub reports: Vec<Report>,
    pub events: Vec<ReportEvent>,
    pub days: Vec<(NaiveDate, i64, i64)>,
    /// Each revision with the helpfulness before and after it, oldest first.
    pub revisions: Vec<RevisionShare>,
    pub editors: Vec<Editor>,
    pub feedback: Vec<VoteFeedback>,
    pub alerts: Vec<AlertState>,
}

/// What a triage action did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Changed {
    pub reports: usize,
    /// Thank-you e-mails queued to readers.
    pub replies: usize,
}

/// From before any vote was cast: the before-and-after figures reach back to the first one.
const ALL_DAYS: NaiveDate = match NaiveDate::from_ymd_opt(2000, 1, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// How many reports the article page and the API's article show.
const ARTICLE_PAGE_REPORTS: i64 = 200;
const RECENT: i64 = 20;

impl Triage {
    pub fn new(
        db: Db,
        alerting: Arc<Alerting>,
        sorter: Arc<Sorter>,
        review_policies: Arc<ReviewPolicies>,
    ) -> Triage {
        Triage {
            db,
            alerting,
            sorter,
            review_policies,
        }
    }

    /// One page of articles in the requested order.
    pub async fn articles(&self, params: &ArticleListParams) -> Result<Page<Article>, ApiError> {
        let mut q = params.query()?;
        let now = crate::db::now();
        q.review_window = Some((now, self.review_policies.soon_until(now)));
        let (limit, sort) = (q.limit, q.sort);
        let items = self.db.run(move |c| Ok(articles::list(c, &q)?)).await?;
        let next_cursor = next_page(&items, limit, |a| article_cursor(sort_key(sort, a), a.id));
        Ok(Page { items, next_cursor })
    }

    /// What a list of articles shows beside each: the rules each is alerted on now, and the
    /// active editors (to name its owners).
    pub async fn annotations(
        &self,
        ids: Vec<i64>,
    ) -> Result<(Vec<(i64, String)>, Vec<Editor>), ApiError> {
        self.db
            .run(move |c| Ok((alert_store::alerted(c, &ids)?, editors::active(c)?)))
            .await
    }

    pub async fn article(&self, id: ArticleId) -> Result<ArticleSummary, ApiError> {
        let alerting = self.alerting.clone();
        self.db
            .run(move |c| {
                let article = find_article(c, id)?;
                // Every day with votes: the share before a revision reaches back to the one before.
                let days = votes::days(c, id.get(), ALL_DAYS)?;
                let revisions = before_after(&days, &articles::revisions(c, id.get())?);
                Ok(ArticleSummary {
                    revisions,
                    recent_reports: reports::list(c, &reports_of(id, RECENT))?,
                    recent_votes: votes::recent_feedback(c, id.get(), RECENT)?,
                    alerts: alert_store::states(c, id.get(), &alerting.rule_names())?,
                    article,
                })
            })
            .await
    }

    pub async fn article_overview(
        &self,
        id: ArticleId,
        trend_from: NaiveDate,
    ) -> Result<ArticleOverview, ApiError> {
        let alerting = self.alerting.clone();
        self.db
            .run(move |c| {
                let article = find_article(c, id)?;
                let reports = reports::list(c, &reports_of(id, ARTICLE_PAGE_REPORTS))?;
                let ids: Vec<i64> = reports.iter().map(|r| r.id).collect();
                let all_days = votes::days(c, id.get(), ALL_DAYS)?;
                let revisions = before_after(&all_days, &articles::revisions(c, id.get())?);
                // The trail records an editor's address; the page shows their name, which a
                // removed editor's row keeps.
                let names = editors::names(c)?;
                let mut events = reports::events_of(c, &ids)?;
                for e in &mut events {
                    if let Some(name) = names.get(&e.actor) {
                        e.actor.clone_from(name);
                    }
                }
                Ok(ArticleOverview {
                    events,
                    days: all_days
                        .into_iter()
                        .filter(|(d, _, _)| *d >= trend_from)
                        .collect(),
                    revisions,
                    editors: editors::active(c)?,
                    feedback: votes::recent_feedback(c, id.get(), 10)?,
                    alerts: alert_store::states(c, id.get(), &alerting.rule_names())?,
                    article,
                    reports,
                })
            })
            .await
    }

    pub async fn reports(&self, params: &ReportListParams) -> Result<Page<Report>, ApiError> {
        let q = params.query()?;
        let limit = q.limit;
        let items = self.db.run(move |c| Ok(reports::list(c, &q)?)).await?;
        let next_cursor = next_page(&items, limit, |r| report_cursor(r.id));
        Ok(Page { items, next_cursor })
    }

    /// Every report on these articles, oldest first (the CSV export).
    pub async fn reports_of_articles(&self, ids: Vec<i64>) -> Result<Vec<Report>, ApiError> {
        self.db
            .run(move |c| Ok(reports::of_articles(c, &ids)?))
            .await
    }

    /// Problems, newest first, each with its reports.
    pub async fn problems(
        &self,
        params: &ProblemListParams,
    ) -> Result<(Vec<ProblemView>, Option<String>), ApiError> {
        let q = params.query()?;
        let limit = q.limit;
        let (rows, reports) = self
            .db
            .run(move |c| {
                let rows = problem_store::list(c, &q)?;
                let ids: Vec<i64> = rows.iter().map(|p| p.id).collect();
                Ok((rows, problem_store::reports_of(c, &ids)?))
            })
            .await?;
        let next = next_page(&rows, limit, |p| problem_cursor(p.id));
        let all: Vec<&Report> = reports.iter().collect();
        Ok((
            rows.iter().map(|p| ProblemView::new(p, &all)).collect(),
            next,
        ))
    }

    /// One problem and its reports, oldest first.
    pub async fn problem(&self, id: ProblemId) -> Result<(ProblemView, Vec<Report>), ApiError> {
        let (problem, reports) = self
            .db
            .run(move |c| {
                let problem = problem_store::get(c, id.get())?
                    .ok_or_else(|| ApiError::not_found(ProblemId::WHAT))?;
                Ok((problem, problem_store::reports_of(c, &[id.get()])?))
            })
            .await?;
        let all: Vec<&Report> = reports.iter().collect();
        let view = ProblemView::new(&problem, &all);
        let queue = reports
            .into_iter()
            .filter(|r| r.lane == Lane::Queue)
            .collect();
        Ok((view, queue))
    }

    /// One action on every report of a problem in the queue (a status only where it changes), in
    /// one transaction; each report's audit trail records it.
    pub async fn change_problem(
        &self,
        id: ProblemId,
        change: ReportChange,
        actor: Actor,
        thank_readers: bool,
    ) -> Result<Changed, ApiError> {
        let (_, reports) = self.problem(id).await?;
        let ids: Vec<ReportId> = reports
            .iter()
            .filter(|r| change.status.is_none_or(|s| s != r.status))
            .map(|r| ReportId(r.id))
            .collect();
        if ids.is_empty() {
            return Ok(Changed {
                reports: 0,
                replies: 0,
            });
        }
        self.apply(ids, change, actor, thank_readers).await
    }

    /// An editor's merge: every report of problem `id` joins problem `into` (of the same article),
    /// each report's audit trail saying so. Returns the reports moved.
    pub async fn merge_problems(
        &self,
        id: ProblemId,
        into: ProblemId,
        actor: Actor,
    ) -> Result<usize, ApiError> {
        if id == into {
            return Err(ApiError::invalid(
                "merge_into",
                "a problem cannot be merged into itself",
            ));
        }
        let note = format!("Problem {id} merged into problem {into} by an editor");
        self.rearrange(id, actor, note, move |c, from, now| {
            let target = problem_store::get(c, into.get())?
                .filter(|p| p.article_id == from.article_id)
                .ok_or_else(|| {
                    ApiError::invalid("merge_into", "name another problem of the same article")
                })?;
            let moved: Vec<i64> = problem_store::reports_of(c, &[from.id])?
                .iter()
                .map(|r| r.id)
                .collect();
            crate::problems::store::merge(c, from, &target, now)?;
            Ok((moved, into))
        })
        .await
        .map(|(moved, _)| moved)
    }

    /// An editor's split: these reports of problem `id` leave it for a new problem of the same
    /// article (whose id is returned), each report's audit trail saying so. At least one report
    /// must stay.
    pub async fn split_problem(
        &self,
        id: ProblemId,
        moving: Vec<ReportId>,
        actor: Actor,
    ) -> Result<ProblemId, ApiError> {
        let moving: Vec<i64> = moving.iter().map(|r| r.get()).collect();
        let note = format!("Moved out of problem {id} into a new problem by an editor");
        self.rearrange(id, actor, note, move |c, from, now| {
            let ids: Vec<i64> = problem_store::reports_of(c, &[from.id])?
                .iter()
                .filter(|r| r.lane == Lane::Queue)
                .map(|r| r.id)
                .collect();
            if moving.is_empty() || moving.iter().any(|r| !ids.contains(r)) {
                return Err(ApiError::invalid(
                    "split",
                    "name one or more reports of this problem (in the queue) to move out",
                ));
            }
            if ids.iter().all(|r| moving.contains(r)) {
                return Err(ApiError::invalid(
                    "split",
                    "leave at least one report in the problem: to move them all, merge it instead",
                ));
            }
            let new = crate::problems::store::split(c, from, &moving, now)?;
            Ok((moving.clone(), ProblemId(new)))
        })
        .await
        .map(|(_, new)| new)
    }

    /// Runs a merge or split of problem `id` in one transaction under its article's lock; the
    /// step returns the reports it moved and the problem they are now in. Each moved report gets
    /// `note` in its audit trail; attention and alert rules see the new grouping (rules may count
    /// problems).
    async fn rearrange(
        &self,
        id: ProblemId,
        actor: Actor,
        note: String,
        step: impl FnOnce(
                &mut DbConn,
                &problem_store::StoredProblem,
                chrono::NaiveDateTime,
            ) -> Result<(Vec<i64>, ProblemId), ApiError>
            + Send
            + 'static,
    ) -> Result<(usize, ProblemId), ApiError> {
        let alerting = self.alerting.clone();
        let (moved, now_in, emails) = self
            .db
            .write(move |c| {
                let now = crate::db::now();
                let problem = problem_store::get(c, id.get())?
                    .ok_or_else(|| ApiError::not_found(ProblemId::WHAT))?;
                articles::lock(c, &[problem.article_id])?;
                let (moved, now_in) = step(c, &problem, now)?;
                let change = ReportChange {
                    note: Note::parse(&note).map_err(|why| ApiError::invalid("note", why))?,
                    ..ReportChange::default()
                };
                for report in &moved {
                    reports::change(c, *report, &change, &actor, now)?;
                }
                articles::refresh_report_score(c, problem.article_id, now)?;
                let emails = crate::alerts::evaluate(
                    c,
                    &alerting,
                    problem.article_id,
                    Trigger::Triage,
                    now,
                )?;
                Ok::<_, ApiError>((moved.len(), now_in, emails))
            })
            .await?;
        if emails > 0 {
            self.alerting.queued.notify_one();
        }
        Ok((moved, now_in))
    }

    /// Article URLs by id, for reports listed without their articles (the lane CSV).
    pub async fn article_urls(&self, ids: Vec<i64>) -> Result<Vec<(i64, String)>, ApiError> {
        self.db.run(move |c| Ok(articles::urls(c, &ids)?)).await
    }

    pub async fn report(&self, id: ReportId) -> Result<(Report, Vec<ReportEvent>), ApiError> {
        self.db
            .run(move |c| {
                let report = reports::get(c, id.get())?
                    .ok_or_else(|| ApiError::not_found(ReportId::WHAT))?;
                Ok((report, reports::events(c, id.get())?))
            })
            .await
    }

    /// Applies one action to each report, all in one transaction: an unknown id changes nothing.
    /// With `thank_readers`, each resolved report whose reader consented gets a thank-you e-mail.
    /// Marking a report spam also moves it to the spam lane. What the action says about the
    /// report teaches the lanes classifier: a lane move that lane, spam `spam`, a dismissal
    /// `noise` (learned here at once, and by other instances within a minute).
    pub async fn change(
        &self,
        ids: Vec<ReportId>,
        change: ReportChange,
        actor: Actor,
        thank_readers: bool,
    ) -> Result<Changed, ApiError> {
        if change.public_correction.is_some() && ids.len() > 1 {
            return Err(ApiError::invalid(
                "public_correction",
                "a public correction belongs to one report: resolve the others without one",
            ));
        }
        self.apply(ids, change, actor, thank_readers).await
    }

    /// `change` for reports that may share one public correction (a problem's).
    async fn apply(
        &self,
        ids: Vec<ReportId>,
        change: ReportChange,
        actor: Actor,
        thank_readers: bool,
    ) -> Result<Changed, ApiError> {
        if change.is_empty() {
            return Err(ApiError::new(
                actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
                "nothing_to_change",
                "give a status, a lane, a note or an assignee",
            ));
        }
        let mut change = change;
        if change.status == Some(ReportStatus::Spam) {
            change.lane.get_or_insert(Lane::Spam);
        }
        let alerting = self.alerting.clone();
        let (changed, emails, lessons) = self
            .db
            .write(move |c| {
                let now = crate::db::now();
                let mut changed = Changed {
                    reports: 0,
                    replies: 0,
                };
                let mut published = false;
                let (mut emails, mut lessons) = (0, 0);
                // (article, problem, report) of each report this action resolved.
                let mut resolved = Vec::new();
                for id in &ids {
                    let before = reports::get(c, id.get())?
                        .ok_or_else(|| ApiError::not_found(ReportId::WHAT))?;
                    let report = reports::change(c, id.get(), &change, &actor, now)?
                        .ok_or_else(|| ApiError::not_found(ReportId::WHAT))?;
                    if report.lane == Lane::Queue && report.problem_id.is_none() {
                        // Moved into the queue: it joins (or starts) a problem at once.
                        articles::lock(c, &[report.article_id])?;
                        let text = crate::problems::store::text_of(&report);
                        crate::problems::store::assign(
                            c,
                            report.article_id,
                            report.id,
                            &text,
                            now,
                        )?;
                        articles::refresh_report_score(c, report.article_id, now)?;
                    }
                    if let Some(lane) = lesson_of(&before, &change) {
                        lanes::teach(c, &report, lane, &actor, now)?;
                        lessons += 1;
                    }
                    emails += crate::alerts::evaluate(
                        c,
                        &alerting,
                        report.article_id,
                        Trigger::Triage,
                        now,
                    )?;
                    changed.reports += 1;
                    if report.status == ReportStatus::Resolved && before.status != report.status {
                        resolved.push((report.article_id, report.problem_id, report.id));
                    }
                    // One correction per action: a problem's reports share it.
                    if let Some(text) = change.public_correction.as_ref().filter(|_| !published) {
                        published = true;
                        corrections::insert(
                            c,
                            report.article_id,
                            Some(report.id),
                            text.as_str(),
                            &actor.to_string(),
                            now,
                        )?;
                    }
                    if thank_readers && report.status == ReportStatus::Resolved {
                        let queued = queue_reply(c, &alerting, &report, change.note.as_ref(), now)?;
                        changed.replies += usize::from(queued);
                    }
                }
                let note = change.note.as_ref().map(|n| n.as_str());
                emails += alerting.webhooks.resolved(c, &resolved, note, now)?;
                Ok::<_, ApiError>((changed, emails + changed.replies, lessons))
            })
            .await?;
        if emails > 0 {
            self.alerting.wake();
        }
        if lessons > 0 {
            let sorter = self.sorter.clone();
            self.db.run(move |c| Ok(sorter.refresh(c)?)).await?;
        }
        Ok(changed)
    }
}

impl Triage {
    /// How many reports are in each lane (every lane present).
    pub async fn lane_counts(&self) -> Result<Vec<(Lane, i64)>, ApiError> {
        let stored = self
            .db
            .run(|c| Ok(crate::db::lanes::lane_counts(c)?))
            .await?;
        Ok(Lane::ALL
            .iter()
            .map(|lane| {
                let n = stored
                    .iter()
                    .find(|(l, _)| l == lane)
                    .map_or(0, |(_, n)| *n);
                (*lane, n)
            })
            .collect())
    }

    /// Forgets every lesson editors taught: the classifier is the corpus's again. Returns how
    /// many lessons were forgotten.
    pub async fn forget_lessons(&self) -> Result<usize, ApiError> {
        let sorter = self.sorter.clone();
        self.db.write(move |c| Ok(sorter.reset(c)?)).await
    }

    /// Resolves every open report on the article whose passage is gone from `revision` (the
    /// dashboard's "possibly fixed" list), noting the revision. Zero when there are none.
    pub async fn resolve_fixed(
        &self,
        id: ArticleId,
        revision: String,
        actor: Actor,
    ) -> Result<Changed, ApiError> {
        let note = format!("Fixed in revision {revision}");
        let ids = self
            .db
            .run(move |c| {
                find_article(c, id)?;
                Ok(reports::gone_in(c, id.get(), &revision)?)
            })
            .await?;
        if ids.is_empty() {
            return Ok(Changed {
                reports: 0,
                replies: 0,
            });
        }
        let change = ReportChange::new(Some(ReportStatus::Resolved), None, Some(&note))
            .map_err(|(field, why)| ApiError::invalid(field, why))?;
        self.change(
            ids.into_iter().map(ReportId).collect(),
            change,
            actor,
            false,
        )
        .await
    }
}

/// What an action on a report teaches the classifier, if anything: a move to another lane
/// teaches that lane; marking spam, `spam`; dismissing, `noise` (nothing to act on).
fn lesson_of(before: &Report, change: &ReportChange) -> Option<Lane> {
    match (change.lane, change.status) {
        (Some(lane), _) if lane != before.lane => Some(lane),
        (_, Some(ReportStatus::Dismissed)) if before.status != ReportStatus::Dismissed => {
            Some(Lane::Noise)
        }
        _ => None,
    }
}

fn find_article(c: &mut DbConn, id: ArticleId) -> Result<Article, ApiError> {
    articles::get(c, id.get())?.ok_or_else(|| ApiError::not_found(ArticleId::WHAT))
}

fn reports_of(id: ArticleId, limit: i64) -> ReportQuery {
    ReportQuery {
        article_id: Some(id.get()),
        limit,
        ..ReportQuery::default()
    }
}

/// The thank-you to a reader who consented, queued in the transaction that resolved their
/// report. False when there is no one to thank.
fn queue_reply(
    c: &mut DbConn,
    alerting: &Alerting,
    report: &Report,
    note: Option<&Note>,
    now: chrono::NaiveDateTime,
) -> Result<bool, ApiError> {
    let (Some(email), Some(article)) = (report.email.clone(), articles::get(c, report.article_id)?)
    else {
        return Ok(false);
    };
    let mail = reply::render(&article, note.map(Note::as_str));
    let inserted = outbox::enqueue_once(
        c,
        &NewEmail {
            kind: MailKind::Reply,
            dedupe_key: Some(format!("reply:{}", report.id)),
            alert_id: None,
            recipient: email,
            subject: mail.subject,
            body_text: mail.text,
            body_html: mail.html,
            message_id: format!(
                "<reply.{}.{:08x}@{}>",
                report.id,
                rand::random::<u32>(),
                alerting.mail_domain
            ),
            unsubscribe_url: None,
        },
        now,
    )?;
    Ok(inserted)
}
