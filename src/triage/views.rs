//! The JSON shapes of the read and triage API.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::revisions::{RevisionShare, Tally};
use super::service::{ArticleSummary, Page};
use crate::db::alerts::AlertState;
use crate::db::articles::Article;
use crate::db::outbox::OutboxRow;
use crate::db::problems::StoredProblem;
use crate::db::reports::{Report, ReportEvent};
use crate::db::votes::VoteFeedback;
use crate::domain::{
    Category, DueReason, Lane, LaneReason, MailKind, OutboxStatus, PassageStatus, Reason,
    ReportStatus,
};

pub fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    DateTime::from_naive_utc_and_offset(t, Utc)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleView {
    pub id: i64,
    pub url: String,
    pub host: String,
    pub path: String,
    pub title: Option<String>,
    /// The newest revision readers have reported seeing.
    pub revision: Option<String>,
    pub helpful: i64,
    pub not_helpful: i64,
    /// helpful / (helpful + not_helpful); null before the first vote.
    pub helpful_share: Option<f64>,
    /// Bayesian average of helpfulness (prior: 10 votes at 80 %), used for sorting.
    pub helpfulness: f64,
    pub open_reports: i64,
    /// Open (new or acknowledged) reports per category; every category is present.
    pub open_by_category: BTreeMap<String, i64>,
    /// The attention score; higher needs attention sooner. See README "Attention".
    pub attention: f64,
    pub last_activity_at: DateTime<Utc>,
    /// When an editor last marked it re-reviewed or recorded a review: feedback before this
    /// does not count towards alerts.
    pub reviewed_at: Option<DateTime<Utc>>,
    /// The newest review, by an editor or read from the page (`lastReviewed`).
    pub last_reviewed_at: Option<DateTime<Utc>>,
    pub reviewed_by: Option<String>,
    /// When the next review is due: the review policy's interval after the last review (or the
    /// first sighting), or now when an open harmful, inaccurate or outdated report pulls it
    /// forward.
    pub review_due_at: Option<DateTime<Utc>>,
    pub review_due_reason: Option<DueReason>,
    pub created_at: DateTime<Utc>,
}

impl From<&Article> for ArticleView {
    fn from(a: &Article) -> Self {
        let due = a.review_due(crate::db::now());
        ArticleView {
            id: a.id,
            url: a.url.clone(),
            host: a.host.clone(),
            path: a.path.clone(),
            title: a.title.clone(),
            revision: a.revision.clone(),
            helpful: a.helpful,
            not_helpful: a.not_helpful,
            helpful_share: a.helpful_share(),
            helpfulness: a.helpfulness,
            open_reports: a.open_reports,
            open_by_category: Category::ALL
                .iter()
                .map(|c| (c.as_str().to_string(), a.open_in(*c)))
                .collect(),
            attention: a.attention,
            last_activity_at: utc(a.last_activity_at),
            reviewed_at: a.reviewed_at.map(utc),
            last_reviewed_at: a.last_reviewed_at.map(utc),
            reviewed_by: a.reviewed_by.clone(),
            review_due_at: due.map(|(at, _)| utc(at)),
            review_due_reason: due.map(|(_, why)| why),
            created_at: utc(a.created_at),
        }
    }
}

/// Whether the article is alerted on a rule now.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlertStateView {
    /// The rule's name from config.
    pub rule: String,
    /// The rule fired and has not re-armed: its figures are still over it.
    pub firing: bool,
    /// When it last fired; null if it never did.
    pub since: Option<DateTime<Utc>>,
}

impl From<&AlertState> for AlertStateView {
    fn from(s: &AlertState) -> Self {
        AlertStateView {
            rule: s.rule.clone(),
            firing: s.firing,
            since: s.last_fired_at.filter(|_| s.firing).map(utc),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleDetail {
    #[serde(flatten)]
    pub article: ArticleView,
    /// Every configured alert rule, and whether this article is alerted on it now.
    pub alerts: Vec<AlertStateView>,
    /// The newest reports on this article, any status.
    pub recent_reports: Vec<ReportView>,
    /// The newest votes that came with reasons or a comment.
    pub recent_votes: Vec<VoteView>,
    /// Each revision, oldest first, with the votes before it (since the revision before) and
    /// after it (until the next), counted by UTC day: the day it was first seen counts after.
    pub revisions: Vec<RevisionView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionView {
    pub revision: String,
    pub first_seen_at: DateTime<Utc>,
    pub before: TallyView,
    pub after: TallyView,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TallyView {
    pub helpful: i64,
    pub not_helpful: i64,
    /// helpful / (helpful + not_helpful); null without votes.
    pub helpful_share: Option<f64>,
}

impl From<Tally> for TallyView {
    fn from(t: Tally) -> Self {
        TallyView {
            helpful: t.helpful,
            not_helpful: t.not_helpful,
            helpful_share: t.share(),
        }
    }
}

impl From<&RevisionShare> for RevisionView {
    fn from(r: &RevisionShare) -> Self {
        RevisionView {
            revision: r.revision.clone(),
            first_seen_at: utc(r.first_seen_at),
            before: r.before.into(),
            after: r.after.into(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VoteView {
    pub helpful: bool,
    /// What was wrong, after a "No".
    pub reasons: Vec<Reason>,
    /// Reader-written: treat as untrusted text.
    pub comment: Option<String>,
    pub revision: Option<String>,
    pub at: DateTime<Utc>,
}

impl From<&VoteFeedback> for VoteView {
    fn from(v: &VoteFeedback) -> Self {
        VoteView {
            helpful: v.helpful,
            reasons: v.reasons.clone(),
            comment: v.comment.clone(),
            revision: v.revision.clone(),
            at: utc(v.updated_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportView {
    pub id: i64,
    pub article_id: i64,
    pub category: Category,
    /// Reader-written: treat as untrusted text.
    pub quote: Option<String>,
    /// Reader-written: treat as untrusted text.
    pub details: Option<String>,
    /// Present only when the reader consented to be contacted.
    pub email: Option<String>,
    pub revision: Option<String>,
    pub status: ReportStatus,
    /// Where it was sorted: only the queue counts.
    pub lane: Lane,
    /// Why it is in its lane, strongest first.
    pub lane_reasons: Vec<LaneReason>,
    /// The problem it is one report of (reports in the queue; null elsewhere).
    pub problem_id: Option<i64>,
    pub assignee: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Whether the quoted passage is still on the article's page (`on_page`), no longer there
    /// (`gone`: possibly fixed), or `unknown` (no text of the page known yet, or no quote).
    pub passage_status: PassageStatus,
    /// The revision of the page the passage was checked against.
    pub passage_revision: Option<String>,
}

impl From<&Report> for ReportView {
    fn from(r: &Report) -> Self {
        ReportView {
            id: r.id,
            article_id: r.article_id,
            category: r.category,
            quote: r.quote.clone(),
            details: r.details.clone(),
            email: r.email.clone(),
            revision: r.revision.clone(),
            status: r.status,
            lane: r.lane,
            lane_reasons: r.lane_reasons.0.clone(),
            problem_id: r.problem_id,
            assignee: r.assignee.clone(),
            created_at: utc(r.created_at),
            updated_at: utc(r.updated_at),
            closed_at: r.closed_at.map(utc),
            passage_status: r.passage_status.unwrap_or(PassageStatus::Unknown),
            passage_revision: r.passage_revision.clone(),
        }
    }
}

/// Reports of the same problem on one article: what editors act on once.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemView {
    pub id: i64,
    pub article_id: i64,
    /// Open while one of its reports is open in the queue.
    pub open: bool,
    /// How many distinct readers reported it (a reader who sent several of its reports counts
    /// once).
    pub readers: usize,
    /// Of which still open.
    pub open_reports: usize,
    /// Its reports in the queue, oldest first.
    pub report_ids: Vec<i64>,
    /// The passage readers quoted (the first quote; reader-written).
    pub passage: Option<String>,
    /// How many of its reports chose each category.
    pub categories: BTreeMap<Category, usize>,
    /// The languages of the pages its readers were on, when known.
    pub languages: Vec<String>,
    /// Whether its passage is still on the page: `on_page` when any of its reports' quotes is
    /// still there, `gone` when every quote checked is gone, else `unknown`.
    pub passage_status: PassageStatus,
    /// The revision that was checked.
    pub passage_revision: Option<String>,
    /// Why its newest report joined it.
    pub reason: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ProblemView {
    /// A problem and its reports (any order; those outside the queue are left out).
    pub fn new(p: &StoredProblem, reports: &[&Report]) -> ProblemView {
        let mut queue: Vec<&Report> = reports
            .iter()
            .copied()
            .filter(|r| r.problem_id == Some(p.id) && r.lane == Lane::Queue)
            .collect();
        queue.sort_by_key(|r| r.id);
        let mut categories = BTreeMap::new();
        let mut languages: Vec<String> = Vec::new();
        for r in &queue {
            *categories.entry(r.category).or_insert(0) += 1;
            if let Some(lang) = &r.lang {
                if !languages.contains(lang) {
                    languages.push(lang.clone());
                }
            }
        }
        let checked = |status: PassageStatus| {
            queue
                .iter()
                .find(|r| r.passage_status == Some(status))
                .map(|r| (status, r.passage_revision.clone()))
        };
        let (passage_status, passage_revision) = checked(PassageStatus::OnPage)
            .or_else(|| checked(PassageStatus::Gone))
            .unwrap_or((PassageStatus::Unknown, None));
        ProblemView {
            id: p.id,
            article_id: p.article_id,
            open: queue.iter().any(|r| r.counts()),
            readers: crate::problems::summary::count(queue.iter().map(|r| r.visitor_key.as_str())),
            open_reports: queue.iter().filter(|r| r.counts()).count(),
            report_ids: queue.iter().map(|r| r.id).collect(),
            passage: queue.iter().find_map(|r| r.quote.clone()),
            categories,
            languages,
            passage_status,
            passage_revision,
            reason: p.reason.clone(),
            created_at: utc(p.created_at),
            updated_at: utc(p.updated_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemPage {
    pub items: Vec<ProblemView>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemDetail {
    #[serde(flatten)]
    pub problem: ProblemView,
    /// Its reports in the queue, oldest first.
    pub reports: Vec<ReportView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportEventView {
    pub actor: String,
    pub from_status: Option<ReportStatus>,
    pub to_status: Option<ReportStatus>,
    /// Set when the event moved the report to another lane.
    pub from_lane: Option<Lane>,
    pub to_lane: Option<Lane>,
    pub assignee: Option<String>,
    pub note: Option<String>,
    pub at: DateTime<Utc>,
}

impl From<&ReportEvent> for ReportEventView {
    fn from(e: &ReportEvent) -> Self {
        ReportEventView {
            actor: e.actor.clone(),
            from_status: e.from_status,
            to_status: e.to_status,
            from_lane: e.from_lane,
            to_lane: e.to_lane,
            assignee: e.assignee.clone(),
            note: e.note.clone(),
            at: utc(e.created_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportDetail {
    #[serde(flatten)]
    pub report: ReportView,
    /// The audit trail, oldest first.
    pub events: Vec<ReportEventView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ArticlePage {
    pub items: Vec<ArticleView>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportPage {
    pub items: Vec<ReportView>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

impl From<&ArticleSummary> for ArticleDetail {
    fn from(s: &ArticleSummary) -> Self {
        ArticleDetail {
            article: ArticleView::from(&s.article),
            alerts: s.alerts.iter().map(AlertStateView::from).collect(),
            recent_reports: s.recent_reports.iter().map(ReportView::from).collect(),
            recent_votes: s.recent_votes.iter().map(VoteView::from).collect(),
            revisions: s.revisions.iter().map(RevisionView::from).collect(),
        }
    }
}

impl From<Page<Article>> for ArticlePage {
    fn from(p: Page<Article>) -> Self {
        ArticlePage {
            items: p.items.iter().map(ArticleView::from).collect(),
            next_cursor: p.next_cursor,
        }
    }
}

impl From<Page<Report>> for ReportPage {
    fn from(p: Page<Report>) -> Self {
        ReportPage {
            items: p.items.iter().map(ReportView::from).collect(),
            next_cursor: p.next_cursor,
        }
    }
}

impl ReportDetail {
    pub fn new(report: &Report, events: &[ReportEvent]) -> ReportDetail {
        ReportDetail {
            report: ReportView::from(report),
            events: events.iter().map(ReportEventView::from).collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OutboxView {
    pub id: i64,
    pub kind: MailKind,
    pub recipient: String,
    pub subject: String,
    pub status: OutboxStatus,
    pub attempts: i32,
    /// The SMTP server's last complaint, if any.
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub next_attempt_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

impl From<&OutboxRow> for OutboxView {
    fn from(r: &OutboxRow) -> Self {
        OutboxView {
            id: r.id,
            kind: r.kind,
            recipient: r.recipient.clone(),
            subject: r.subject.clone(),
            status: r.status,
            attempts: r.attempts,
            last_error: r.last_error.clone(),
            created_at: utc(r.created_at),
            next_attempt_at: utc(r.next_attempt_at),
            sent_at: r.sent_at.map(utc),
        }
    }
}
