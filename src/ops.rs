//! Operations endpoints: liveness, readiness and Prometheus metrics.

use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::db::Db;
use crate::errors::ApiError;
use crate::mail::Outbox;
use crate::telemetry;

/// Alive: the process answers. Touches nothing else, so it stays cheap under load.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// Ready for traffic: the database answers and its schema is current.
pub async fn readyz(db: web::Data<Db>) -> HttpResponse {
    let check = db
        .run(|conn| {
            conn.ping()?;
            conn.has_pending_migrations().map_err(ApiError::unavailable)
        })
        .await;
    match check {
        Ok(false) => HttpResponse::Ok().json(json!({"status": "ready"})),
        Ok(true) => HttpResponse::ServiceUnavailable()
            .json(json!({"status": "not_ready", "reason": "database migrations are pending"})),
        Err(_) => HttpResponse::ServiceUnavailable()
            .json(json!({"status": "not_ready", "reason": "database unreachable"})),
    }
}

pub async fn metrics(db: web::Data<Db>, outbox: web::Data<Outbox>) -> HttpResponse {
    let pool = db.pool().state();
    metrics::gauge!("flagpole_db_pool_connections").set(pool.connections as f64);
    metrics::gauge!("flagpole_db_pool_idle").set(pool.idle_connections as f64);
    // Failed e-mails stay visible here until someone retries or clears them.
    if let Ok(counts) = outbox.counts().await {
        for (status, n) in counts {
            metrics::gauge!("flagpole_outbox_emails", "status" => status.as_str()).set(n as f64);
        }
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(telemetry::render_metrics())
}
