//! What every request handler shares.

use std::sync::Arc;

use actix_web::web;

use crate::alerts::Alerting;
use crate::config::Settings;
use crate::dashboard::LoginLimits;
use crate::db::writer::Writer;
use crate::db::{DbConn, Pool};
use crate::domain::SiteRules;
use crate::errors::ApiError;
use crate::ingest::client::RateLimits;
use crate::ingest::visitor::Visitors;

#[derive(Clone)]
pub struct AppState {
    pub settings: Arc<Settings>,
    pub pool: Pool,
    pub writer: Writer,
    pub sites: Arc<SiteRules>,
    pub rate_limits: Option<Arc<RateLimits>>,
    pub visitors: Arc<Visitors>,
    pub alerting: Arc<Alerting>,
    pub login_limits: Arc<LoginLimits>,
}

impl AppState {
    /// Runs blocking database work on the blocking thread pool, never on the async executor.
    pub async fn db<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
    {
        let pool = self.pool.clone();
        web::block(move || {
            let mut conn = pool.get()?;
            f(&mut conn)
        })
        .await?
    }
}
