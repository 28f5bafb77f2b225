//! The outbox as editors and operators see it: what is waiting, what failed and why, and putting
//! a failed e-mail back in the queue. (Writing to it happens in each capability's own
//! transaction; sending is `delivery`.)

use std::sync::Arc;

use tokio::sync::Notify;

use crate::db::outbox::{self, OutboxRow};
use crate::db::Db;
use crate::domain::{OutboxId, OutboxStatus};
use crate::errors::ApiError;

#[derive(Clone)]
pub struct Outbox {
    db: Db,
    /// Wakes the delivery worker.
    queued: Arc<Notify>,
}

impl Outbox {
    pub fn new(db: Db, queued: Arc<Notify>) -> Outbox {
        Outbox { db, queued }
    }

    /// Wakes the delivery worker for e-mails just queued (it polls anyway; this is sooner).
    pub fn wake(&self) {
        self.queued.notify_one();
    }

    /// Newest first, optionally of one status.
    pub async fn list(
        &self,
        status: Option<OutboxStatus>,
        limit: i64,
    ) -> Result<Vec<OutboxRow>, ApiError> {
        self.db
            .run(move |c| Ok(outbox::list(c, status, limit)?))
            .await
    }

    /// How many e-mails are in each status (every status present).
    pub async fn counts(&self) -> Result<Vec<(OutboxStatus, i64)>, ApiError> {
        let stored = self.db.run(|c| Ok(outbox::counts(c)?)).await?;
        Ok(OutboxStatus::ALL
            .iter()
            .map(|status| {
                let n = stored
                    .iter()
                    .find(|(s, _)| s == status)
                    .map_or(0, |(_, n)| *n);
                (*status, n)
            })
            .collect())
    }

    /// Puts a failed e-mail back in the queue, due now, and wakes the delivery worker.
    pub async fn retry(&self, id: OutboxId) -> Result<(), ApiError> {
        let retried = self
            .db
            .run(move |c| Ok(outbox::retry(c, id.get(), crate::db::now())?))
            .await?;
        if !retried {
            return Err(ApiError::not_found("failed e-mail"));
        }
        self.queued.notify_one();
        Ok(())
    }
}
