//! Recording reviews and reading review dates. A review by an editor also re-arms the article's
//! alerts (what "mark re-reviewed" did before reviews existed): only feedback after it counts.

use std::sync::Arc;

use chrono::{NaiveDateTime, TimeDelta};

use crate::db::alerts as alert_store;
use crate::db::articles::{self, Article};
use crate::db::editors::{self, Editor};
use crate::db::reviews::{self, NewReview, Review};
use crate::db::{Db, DbConn};
use crate::domain::{
    ArticleId, DueReason, Note, ReviewOutcome, ReviewPolicies, ReviewSource, Scope,
};
use crate::errors::ApiError;

/// A review clock may run a little ahead of ours; beyond this a date in the future is a mistake.
const CLOCK_SKEW: TimeDelta = TimeDelta::minutes(5);
/// How many articles the "Reviews due" view and the digest consider in each group (pulled
/// forward by a report; due by date).
pub const DUE_LIST_MAX: i64 = 1000;

#[derive(Clone)]
pub struct Reviews {
    db: Db,
    policies: Arc<ReviewPolicies>,
}

/// A review as an editor records it.
#[derive(Debug, Clone)]
pub struct ReviewRequest {
    pub outcome: ReviewOutcome,
    pub note: Option<Note>,
    /// When the review happened; None for now. A past date back-fills.
    pub reviewed_at: Option<NaiveDateTime>,
}

/// An article whose review is due, with when and why.
#[derive(Debug, Clone)]
pub struct DueArticle {
    pub article: Article,
    pub due_at: NaiveDateTime,
    pub reason: DueReason,
    /// Due now or earlier (else due within `review.due_soon_days`).
    pub overdue: bool,
}

impl Reviews {
    pub fn new(db: Db, policies: Arc<ReviewPolicies>) -> Reviews {
        Reviews { db, policies }
    }

    pub fn policies(&self) -> &ReviewPolicies {
        &self.policies
    }

    /// Records an editor's review of an article and returns it with the article as it is now.
    pub async fn record(
        &self,
        id: ArticleId,
        reviewer: String,
        request: ReviewRequest,
    ) -> Result<(Review, Article), ApiError> {
        let now = crate::db::now();
        let at = request.reviewed_at.unwrap_or(now);
        if at > now + CLOCK_SKEW {
            return Err(ApiError::invalid(
                "reviewed_at",
                "a review cannot be in the future",
            ));
        }
        let policies = self.policies.clone();
        self.db
            .write(move |c| {
                let article = find_article(c, id)?;
                let review = reviews::insert(
                    c,
                    article.id,
                    &NewReview {
                        reviewer: &reviewer,
                        reviewed_at: at,
                        outcome: request.outcome,
                        note: request.note.as_ref().map(Note::as_str),
                        source: ReviewSource::Editor,
                    },
                    now,
                )?;
                reviews::refresh_article(c, &article, &policies, now)?;
                alert_store::re_arm_after_review(c, article.id, at, now)?;
                Ok((review, find_article(c, id)?))
            })
            .await
    }

    /// An article with its reviews, newest first.
    pub async fn list(&self, id: ArticleId) -> Result<(Article, Vec<Review>), ApiError> {
        self.db
            .run(move |c| {
                let article = find_article(c, id)?;
                let list = reviews::of_article(c, article.id)?;
                Ok((article, list))
            })
            .await
    }

    /// The articles whose review is overdue or due soon, overdue first, each group by due date;
    /// within `scopes` when any are given. With the active editors, to name owners.
    pub async fn due(
        &self,
        scopes: Vec<Scope>,
    ) -> Result<(Vec<DueArticle>, Vec<Editor>), ApiError> {
        let policies = self.policies.clone();
        self.db
            .run(move |c| {
                let now = crate::db::now();
                let due = due_articles(c, policies.soon_until(now), &scopes, now)?;
                Ok((due, editors::active(c)?))
            })
            .await
    }
}

/// The articles whose review is overdue as of `now` or due by `soon_until`, overdue first, each
/// group by due date; within `scopes` when any are given (the digest cuts one list per editor
/// this way).
pub fn due_articles(
    c: &mut DbConn,
    soon_until: NaiveDateTime,
    scopes: &[Scope],
    now: NaiveDateTime,
) -> diesel::QueryResult<Vec<DueArticle>> {
    let mut due: Vec<DueArticle> = reviews::due_by(c, soon_until, DUE_LIST_MAX)?
        .into_iter()
        .filter(|a| scopes.is_empty() || scopes.iter().any(|s| s.covers(&a.host, &a.path)))
        .filter_map(|article| {
            let (due_at, reason) = article.review_due(now)?;
            Some(DueArticle {
                overdue: due_at <= now,
                article,
                due_at,
                reason,
            })
        })
        .collect();
    due.sort_by_key(|d| (!d.overdue, d.due_at, d.article.id));
    Ok(due)
}

fn find_article(c: &mut DbConn, id: ArticleId) -> Result<Article, ApiError> {
    articles::get(c, id.get())?.ok_or_else(|| ApiError::not_found(ArticleId::WHAT))
}
