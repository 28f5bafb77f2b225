//! Logs and metrics. Every request gets an id (echoed in `x-request-id`), a span that log lines
//! inside it inherit, one summary line at info and a count and latency by route and status. What
//! readers wrote, their addresses and user agents are never logged: the summary names the
//! route pattern, not the URL.

use std::io::IsTerminal;
use std::sync::OnceLock;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tracing::Instrument;
use tracing_subscriber::EnvFilter;

use crate::config::{LogFormat, TelemetrySettings};

/// Installs the log subscriber once per process (tests start many apps in one process). Colours
/// only on a terminal: in a file or a log collector escape codes are noise. `RUST_LOG`
/// overrides `telemetry.log_level` (which the configuration has validated); an invalid
/// `RUST_LOG` is said in the log, not silently ignored.
pub fn init_logs(settings: &TelemetrySettings) {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        let (filter, bad_rust_log) = match std::env::var(EnvFilter::DEFAULT_ENV) {
            Ok(directives) => match EnvFilter::try_new(directives) {
                Ok(filter) => (filter, None),
                Err(e) => (EnvFilter::new(&settings.log_level), Some(e)),
            },
            Err(_) => (EnvFilter::new(&settings.log_level), None),
        };
        let builder = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_ansi(std::io::stderr().is_terminal())
            .with_writer(std::io::stderr);
        let _ = match settings.log_format {
            LogFormat::Json => builder.json().try_init(),
            LogFormat::Pretty => builder.try_init(),
        };
        if let Some(e) = bad_rust_log {
            tracing::warn!(error = %e, "RUST_LOG is not a valid filter; using telemetry.log_level");
        }
    });
}

fn prometheus() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Suffix("seconds".into()),
                &[
                    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                ],
            )
            .and_then(|b| {
                b.set_buckets_for_metric(
                    Matcher::Full("flagpole_write_batch_size".into()),
                    &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0],
                )
            });
        match builder.map(|b| b.build_recorder()) {
            Ok(recorder) => {
                let handle = recorder.handle();
                let _ = metrics::set_global_recorder(recorder);
                handle
            }
            Err(_) => PrometheusBuilder::new().build_recorder().handle(),
        }
    })
}

/// Makes sure the recorder exists before the first metric is recorded.
pub fn init_metrics() {
    prometheus();
}

/// Folds recorded histogram samples into their buckets. The exporter keeps raw samples until
/// then, so without this memory grows with traffic between scrapes.
pub fn metrics_upkeep() {
    prometheus().run_upkeep();
}

pub fn render_metrics() -> String {
    prometheus().render()
}

/// A metric label for the request method. A client may send any token as a method, and every
/// distinct label value is a new time series kept for the life of the process: only the methods
/// HTTP defines are named, anything else is `other`.
fn method_label(method: &Method) -> &'static str {
    const KNOWN: [Method; 9] = [
        Method::GET,
        Method::HEAD,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
        Method::OPTIONS,
        Method::CONNECT,
        Method::TRACE,
    ];
    KNOWN
        .iter()
        .find(|m| *m == method)
        .map_or("other", |m| m.as_str())
}

/// A metric label for the response status: a registered status code, or `other`.
fn status_label(status: StatusCode) -> String {
    match status.canonical_reason() {
        Some(_) => status.as_str().to_string(),
        None => "other".to_string(),
    }
}

/// Middleware: request id, span, summary log line and metrics.
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let request_id = format!("{:016x}", rand::random::<u64>());
    // The route pattern comes from our route table, never from the URL: a closed set.
    let route = req
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_string());
    let method = method_label(req.method());
    let span =
        tracing::info_span!("request", request_id = %request_id, method = %method, route = %route);
    let started = Instant::now();
    let mut response = next.call(req).instrument(span.clone()).await?;
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    // Whole microseconds, shown in milliseconds: 0.058, not 0.058106000000000005.
    let latency_ms = elapsed.as_micros() as f64 / 1000.0;
    span.in_scope(|| tracing::info!(status, latency_ms, "request finished"));
    let labels = [
        ("route", route),
        ("method", method.to_string()),
        ("status", status_label(response.status())),
    ];
    metrics::counter!("flagpole_http_requests_total", &labels).increment(1);
    metrics::histogram!("flagpole_http_request_duration_seconds", &labels)
        .record(elapsed.as_secs_f64());
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response
            .headers_mut()
            .insert(HeaderName::from_static("x-request-id"), value);
    }
    Ok(response)
}
