//! Builds the running service: database pool and migrations, the ingest writer, background
//! tasks and the HTTP server. Tests build it on port 0 and read the port back.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_cors::Cors;
use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method, StatusCode};
use actix_web::middleware::{
    from_fn, Compress, DefaultHeaders, ErrorHandlerResponse, ErrorHandlers, Next,
};
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer, ResponseError};

use tokio::sync::watch;

use crate::alerts::{self, Alerting, Trigger};
use crate::auth::oidc::Oidc;
use crate::auth::Sessions;
use crate::catalogue::Catalogue;
use crate::config::Settings;
use crate::db::{self, articles, Db, Pool};
use crate::digest::{self, Digests};
use crate::domain::SiteRules;
use crate::errors::ApiError;
use crate::http::BodyLimit;
use crate::ingest::visitor::Visitors;
use crate::ingest::writer::{Rules as WriteRules, Writer};
use crate::ingest::Ingest;
use crate::lanes::{LaneSettings, Sorter};
use crate::mail::delivery::Mailer;
use crate::mail::Outbox;
use crate::problems::store as problems;
use crate::reviews::Reviews;
use crate::triage::Triage;
use crate::webhooks::send::Sender as WebhookSender;
use crate::webhooks::Webhooks;
use crate::{dashboard, editors, ingest, openapi, ops, reviews, telemetry, triage, widget};

const HOURLY: Duration = Duration::from_secs(3600);
/// How long a submission key is remembered: a retry comes within seconds; a day is generous.
const SUBMISSION_KEY_HOURS: i64 = 24;
const RATE_LIMIT_SWEEP: Duration = Duration::from_secs(60);
const METRICS_UPKEEP: Duration = Duration::from_secs(5);

pub struct Application {
    port: u16,
    server: actix_web::dev::Server,
    writer_threads: Vec<std::thread::JoinHandle<()>>,
    pool: Pool,
    sorter: Arc<Sorter>,
    ingest: web::Data<Ingest>,
    sessions: web::Data<Sessions>,
    alerting: Arc<Alerting>,
    mailer: Mailer,
    webhook_sender: WebhookSender,
    erase_email_after_days: i64,
    digests: Digests,
    /// The catalogue and how often `serve` syncs it; None: never by itself.
    catalogue: Option<(Catalogue, Duration)>,
}

impl Application {
    /// Connects, migrates (unless configured not to), starts the writer and binds the port.
    pub fn build(settings: Settings) -> anyhow::Result<Application> {
        telemetry::init_metrics();
        let target = settings.database.url.clone();
        let (pool, manager) = db::connect(
            &target,
            settings.database.pool_size,
            Duration::from_secs(settings.database.connect_timeout_secs),
        )?;
        let review_policies = Arc::new(settings.review.policies());
        {
            let mut conn = pool.get()?;
            if settings.database.migrate_on_start {
                for version in conn.run_migrations()? {
                    tracing::info!(version, "applied migration");
                }
            } else if conn.has_pending_migrations()? {
                tracing::warn!("migrations are pending: run `flagpole migrate`; /readyz says not ready until then");
            }
            // The review policies may have changed since the last start.
            if !conn.has_pending_migrations()? {
                let changed = db::reviews::refresh_due_dates(&mut conn, &review_policies)?;
                if changed > 0 {
                    tracing::info!(articles = changed, "review due dates recomputed");
                }
            }
            if !conn.has_pending_migrations()? {
                // After the migration that added problems this groups every existing report;
                // afterwards only what editors moved into the queue since the last run.
                let grouped = problems::group_ungrouped(&mut conn, crate::db::now())?;
                if grouped > 0 {
                    tracing::info!(grouped, "grouped reports into problems");
                }
            }
        }
        if settings.limits.spam_link_count.is_some() {
            tracing::warn!("limits.spam_link_count is no longer used: links are one of the signals that sort reports into lanes; remove it from your configuration");
        }
        let alerting = Arc::new(Alerting::from_settings(&settings));
        // As with the lessons below: with migrations pending the table may not exist yet, and
        // the sweeper's next refresh loads the list.
        if let Err(error) = alerting.webhooks.refresh(&mut *pool.get()?) {
            tracing::warn!(%error, "webhook subscriptions not loaded yet");
        }
        let mailer = Mailer::new(&settings.smtp)?;
        let webhook_sender = WebhookSender::new(&settings.webhooks)?;
        let digests = Digests::from_settings(&settings, alerting.queued.clone())
            .with_webhooks(alerting.webhooks.clone());
        let writers = match (settings.database.writers, &target) {
            (0, crate::config::DatabaseTarget::Sqlite(_)) => 1,
            (0, crate::config::DatabaseTarget::Postgres(_)) => 2,
            (n, _) => n,
        };
        let rules = Arc::new(WriteRules {
            alerting: alerting.clone(),
            vote_cap: Some(settings.limits.votes_per_address_per_article).filter(|cap| *cap > 0),
            review_policies: review_policies.clone(),
        });
        let (writer, writer_threads) = Writer::start(manager, rules, writers)?;
        let listener = TcpListener::bind(settings.server.bind).map_err(|e| {
            anyhow::anyhow!(
                "server.bind: cannot listen on {}: {e}",
                settings.server.bind
            )
        })?;
        let port = listener.local_addr()?.port();

        let settings = Arc::new(settings);
        let sites = Arc::new(settings.sites.rules());
        let db = Db::new(pool.clone());
        let sorter = Arc::new(Sorter::new(lane_settings(&settings)));
        // With migrations pending the lessons table may not exist yet: the corpus alone sorts
        // until the sweeper's next refresh finds it.
        if let Err(error) = sorter.refresh(&mut *pool.get()?) {
            tracing::warn!(%error, "editors' lessons not loaded yet; sorting with the corpus alone");
        }
        let catalogue = Catalogue::new(
            db.clone(),
            settings.clone(),
            sites.clone(),
            review_policies.clone(),
        );
        let ingest = web::Data::new(Ingest::new(
            settings.clone(),
            sites.clone(),
            sorter.clone(),
            writer,
            Visitors::new(pool.clone()),
        ));
        let sessions = web::Data::new(Sessions::new(db.clone()));
        let oidc = web::Data::new(Oidc::new(db.clone(), &settings)?);
        let services = Services {
            sites: web::Data::from(sites.clone()),
            settings: web::Data::from(settings.clone()),
            db: web::Data::new(db.clone()),
            ingest: ingest.clone(),
            triage: web::Data::new(Triage::new(
                db.clone(),
                alerting.clone(),
                sorter.clone(),
                review_policies.clone(),
            )),
            sorter: web::Data::from(sorter.clone()),
            reviews: web::Data::new(Reviews::new(db.clone(), review_policies.clone())),
            outbox: web::Data::new(Outbox::new(db.clone(), alerting.queued.clone())),
            webhooks: web::Data::new(Webhooks::new(
                db.clone(),
                alerting.webhooks.clone(),
                settings.webhooks.allow_private_targets,
            )),
            sessions: sessions.clone(),
            oidc,
            body_limit: BodyLimit {
                bytes: settings.limits.max_body_bytes,
                time: Duration::from_secs(settings.limits.body_timeout_secs),
            },
        };

        let mut server = HttpServer::new(move || {
            let sites = sites.clone();
            let cors = Cors::default()
                .allowed_origin_fn(move |origin, _| {
                    origin
                        .to_str()
                        .ok()
                        .and_then(|o| url::Url::parse(o).ok())
                        .and_then(|u| u.host_str().map(|h| sites.host_allowed(h)))
                        .unwrap_or(false)
                })
                .allowed_methods(["GET", "POST"])
                .allowed_headers([
                    header::CONTENT_TYPE,
                    header::HeaderName::from_static("idempotency-key"),
                ])
                .block_on_origin_mismatch(false)
                .max_age(86_400);
            App::new()
                .app_data(services.settings.clone())
                .app_data(services.sites.clone())
                .app_data(services.db.clone())
                .app_data(services.ingest.clone())
                .app_data(services.triage.clone())
                .app_data(services.sorter.clone())
                .app_data(services.reviews.clone())
                .app_data(services.outbox.clone())
                .app_data(services.webhooks.clone())
                .app_data(services.sessions.clone())
                .app_data(services.oidc.clone())
                .app_data(services.body_limit)
                .wrap(from_fn(head_as_get))
                .wrap(from_fn(crate::http::uri::refuse_long_uri))
                .wrap(
                    ErrorHandlers::new()
                        .handler(StatusCode::METHOD_NOT_ALLOWED, method_not_allowed),
                )
                .wrap(cors)
                .wrap(Compress::default())
                .wrap(
                    DefaultHeaders::new()
                        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
                        .add((header::REFERRER_POLICY, "no-referrer")),
                )
                .wrap(from_fn(telemetry::observe))
                .configure(routes)
                .default_service(web::to(not_found))
        })
        .listen(listener)?
        .shutdown_timeout(settings.server.shutdown_timeout_secs)
        // The caller decides what stops the server (`flagpole serve`: SIGINT or SIGTERM, both
        // graceful); actix-web's own handlers would stop it at once on Ctrl-C.
        .disable_signals();
        if settings.server.workers > 0 {
            server = server.workers(settings.server.workers);
        }
        Ok(Application {
            port,
            server: server.run(),
            writer_threads,
            pool,
            sorter,
            ingest,
            sessions,
            alerting,
            mailer,
            webhook_sender,
            erase_email_after_days: settings.privacy.erase_email_after_days,
            digests,
            catalogue: (catalogue.configured() && settings.catalogue.sync_interval_hours > 0).then(
                || {
                    (
                        catalogue,
                        Duration::from_secs(settings.catalogue.sync_interval_hours * 3600),
                    )
                },
            ),
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stops the server: `stop(true)` lets in-flight requests finish (up to
    /// `server.shutdown_timeout_secs`), after which `run_until_stopped` returns.
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until stopped through [`Application::handle`], lets in-flight requests finish,
    /// then stops the background work and returns.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let pool = self.pool.clone();
        let alerting = self.alerting.clone();
        let erase_after = self.erase_email_after_days;
        let refresher = tokio::spawn(async move {
            let mut tick = tokio::time::interval(HOURLY);
            loop {
                tick.tick().await;
                let pool = pool.clone();
                let alerting = alerting.clone();
                let done =
                    tokio::task::spawn_blocking(move || hourly(&pool, &alerting, erase_after))
                        .await;
                match done {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => tracing::warn!(error = %e, "hourly refresh failed"),
                    Err(e) => tracing::warn!(error = %e, "hourly refresh panicked"),
                }
            }
        });
        let upkeep = tokio::spawn(async {
            let mut tick = tokio::time::interval(METRICS_UPKEEP);
            loop {
                tick.tick().await;
                telemetry::metrics_upkeep();
            }
        });
        let (stop_delivery, stop) = watch::channel(false);
        let scheduler = self
            .digests
            .enabled
            .then(|| tokio::spawn(digest::run(self.pool.clone(), self.digests, stop.clone())));
        let webhook_delivery = tokio::spawn(crate::delivery::run(
            self.pool.clone(),
            self.webhook_sender,
            self.alerting.webhooks.queued(),
            stop.clone(),
        ));
        let delivery = tokio::spawn(crate::delivery::run(
            self.pool.clone(),
            self.mailer,
            self.alerting.queued.clone(),
            stop,
        ));
        let (ingest, sessions) = (self.ingest.clone(), self.sessions.clone());
        let (pool, sorter) = (self.pool.clone(), self.sorter.clone());
        let hooks = self.alerting.webhooks.clone();
        let sweeper = tokio::spawn(async move {
            let mut tick = tokio::time::interval(RATE_LIMIT_SWEEP);
            loop {
                tick.tick().await;
                ingest.forget_idle();
                sessions.forget_idle();
                // Lessons stored by other instances, and new spam.
                let (pool, sorter, hooks) = (pool.clone(), sorter.clone(), hooks.clone());
                // And reports an editor moved into the queue, grouped into problems; and webhook
                // subscriptions changed by another instance or the CLI.
                let refreshed = tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
                    let mut conn = pool.get()?;
                    sorter.refresh(&mut conn)?;
                    hooks.refresh(&mut conn)?;
                    problems::group_ungrouped(&mut conn, crate::db::now())?;
                    Ok(())
                })
                .await;
                if let Ok(Err(e)) = refreshed {
                    tracing::warn!(error = %e, "cannot refresh the lanes classifier or group reports");
                }
            }
        });

        let cataloguer = self.catalogue.map(|(catalogue, every)| {
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(every);
                loop {
                    tick.tick().await;
                    match catalogue.sync(&mut log_progress).await {
                        Ok(s) => tracing::info!(
                            listed = s.listed,
                            new = s.new,
                            changed = s.changed,
                            skipped = s.skipped.len(),
                            failed = s.errors.len(),
                            "catalogue synced"
                        ),
                        Err(e) => tracing::warn!(error = %e, "catalogue sync failed"),
                    }
                }
            })
        });
        let served = self.server.await;
        if let Some(cataloguer) = cataloguer {
            cataloguer.abort();
        }
        refresher.abort();
        upkeep.abort();
        // Let the delivery worker finish the e-mail in hand, so none is left half-sent; a digest
        // run being queued finishes its transaction or rolls it back.
        let _ = stop_delivery.send(true);
        let _ = tokio::time::timeout(Duration::from_secs(20), delivery).await;
        let _ = tokio::time::timeout(Duration::from_secs(20), webhook_delivery).await;
        if let Some(scheduler) = scheduler {
            let _ = tokio::time::timeout(Duration::from_secs(5), scheduler).await;
        }
        sweeper.abort();
        // Every acknowledged write was committed before its answer; waiting for the writer
        // thread is tidiness, not safety, so it is bounded.
        let writers = self.writer_threads;
        let _ = tokio::time::timeout(
            Duration::from_secs(5),
            tokio::task::spawn_blocking(move || writers.into_iter().for_each(|w| drop(w.join()))),
        )
        .await;
        tracing::info!("flagpole stopped");
        Ok(served?)
    }
}

/// The classifier's settings from `[lanes]`, with the sites' own hosts.
fn lane_settings(settings: &Settings) -> LaneSettings {
    let defaults = LaneSettings::default();
    LaneSettings {
        allowed_hosts: settings.sites.allowed_hosts.clone(),
        trusted_sources: settings
            .lanes
            .trusted_sources
            .clone()
            .unwrap_or(defaults.trusted_sources),
        near_copy_similarity: settings.lanes.near_copy_similarity,
        lesson_weight: settings.lanes.lesson_weight,
        ..defaults
    }
}

/// What every handler may ask for, registered once per worker.
#[derive(Clone)]
struct Services {
    sites: web::Data<SiteRules>,
    settings: web::Data<Settings>,
    db: web::Data<Db>,
    ingest: web::Data<Ingest>,
    triage: web::Data<Triage>,
    sorter: web::Data<Sorter>,
    reviews: web::Data<Reviews>,
    outbox: web::Data<Outbox>,
    webhooks: web::Data<Webhooks>,
    sessions: web::Data<Sessions>,
    oidc: web::Data<Oidc>,
    body_limit: BodyLimit,
}

/// A background catalogue sync reports failures to the log; the rest is in its summary.
fn log_progress(p: crate::catalogue::Progress) {
    use crate::catalogue::{Outcome, Progress};
    match p {
        Progress::SitemapFailed { url, error } => {
            tracing::warn!(sitemap = url, error, "catalogue: sitemap not read")
        }
        Progress::Page {
            url,
            outcome: Outcome::Failed(error),
            ..
        } => tracing::warn!(
            page = url,
            error = error.as_str(),
            "catalogue: page not read"
        ),
        _ => {}
    }
}

/// Every route, in one table.
fn routes(cfg: &mut web::ServiceConfig) {
    use web::{get, patch, post, resource};
    cfg.service(dashboard::scope())
        .service(resource("/healthz").route(get().to(ops::healthz)))
        .service(resource("/readyz").route(get().to(ops::readyz)))
        .service(resource("/metrics").route(get().to(ops::metrics)))
        .service(resource("/api/v1/openapi.json").route(get().to(openapi::document)))
        // The widget readers see, its no-JavaScript markup and the demo page.
        .service(resource("/widget.js").route(get().to(widget::script)))
        .service(resource("/widget/demo").route(get().to(widget::demo)))
        .service(resource("/widget/noscript").route(get().to(widget::noscript_snippet)))
        .service(resource("/widget/strings/{file}").route(get().to(widget::strings)))
        // Public ingestion (the widget and the HTML forms).
        .service(resource("/api/v1/votes").route(post().to(ingest::api::post_vote)))
        .service(
            resource("/api/v1/reports")
                .route(post().to(ingest::api::post_report))
                .route(get().to(triage::api::list_reports)),
        )
        .service(resource("/f/vote").route(post().to(ingest::form::post_vote)))
        .service(resource("/f/report").route(post().to(ingest::form::post_report)))
        // From the link in every e-mail; the token in the path is the credential.
        .service(
            resource("/unsubscribe/{token}")
                .route(get().to(editors::unsubscribe::confirm))
                .route(post().to(editors::unsubscribe::unsubscribe)),
        )
        // Bearer-token read and triage API.
        .service(resource("/api/v1/articles").route(get().to(triage::api::list_articles)))
        .service(resource("/api/v1/articles/{id}").route(get().to(triage::api::get_article)))
        .service(
            resource("/api/v1/articles/{id}/reviewed")
                .route(post().to(reviews::api::mark_reviewed)),
        )
        .service(
            resource("/api/v1/articles/{id}/reviews")
                .route(get().to(reviews::api::list_reviews))
                .route(post().to(reviews::api::post_review)),
        )
        .service(resource("/api/v1/outbox").route(get().to(triage::api::list_outbox)))
        .service(resource("/api/v1/problems").route(get().to(triage::api::list_problems)))
        .service(
            resource("/api/v1/problems/{id}")
                .route(get().to(triage::api::get_problem))
                .route(patch().to(triage::api::patch_problem)),
        )
        // Public corrections: for the publisher's pages, cacheable.
        .service(
            resource("/api/v1/public/corrections")
                .route(get().to(reviews::public::article_corrections)),
        )
        .service(resource("/corrections.atom").route(get().to(reviews::public::feed)))
        .service(
            resource("/api/v1/reports/{id}")
                .route(get().to(triage::api::get_report))
                .route(patch().to(triage::api::patch_report)),
        );
}

/// Ages attention scores, and re-arms alert rules whose figures fell back below their threshold
/// as feedback left the window.
/// Also forgets reporters' e-mail addresses whose time is up.
fn hourly(pool: &Pool, alerting: &Alerting, erase_email_after_days: i64) -> anyhow::Result<()> {
    let mut conn = pool.get()?;
    let now = db::now();
    let erased = crate::privacy::erase_expired(&mut conn, erase_email_after_days, now)?;
    if erased > 0 {
        tracing::info!(reports = erased, "erased reporters' e-mail addresses");
    }
    db::votes::forget_addresses_before(&mut conn, now.date())?;
    db::submissions::forget_before(
        &mut conn,
        now - chrono::TimeDelta::hours(SUBMISSION_KEY_HOURS),
    )?;
    articles::refresh_all_report_scores(&mut conn, now)?;
    for id in db::alerts::disarmed_articles(&mut conn)? {
        conn.write_tx(|c| alerts::evaluate(c, alerting, id, Trigger::Tick, now))?;
    }
    Ok(())
}

/// Answers HEAD on every GET route, as HTTP requires: the request is routed as a GET. actix-web
/// does not do this by itself, and a route table with HEAD beside every GET would drift. The
/// body is never sent: actix-http decides that from the method on the wire.
async fn head_as_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    next.call(req).await
}

async fn not_found(req: HttpRequest) -> HttpResponse {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("nothing at {}", req.path()),
    )
    .error_response()
}

/// The JSON error in place of actix-web's empty 405, keeping its `Allow` header (the methods the
/// route has), which HTTP requires on a 405.
fn method_not_allowed<B>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let allow = res.headers().get(header::ALLOW).cloned();
    let (req, _) = res.into_parts();
    let mut response = ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("{} is not supported on {}", req.method(), req.path()),
    )
    .error_response();
    if let Some(allow) = allow {
        // Every GET route answers HEAD too (`head_as_get`).
        let methods = allow.to_str().unwrap_or("");
        let allow = if methods.split(", ").any(|m| m == "GET") && !methods.contains("HEAD") {
            header::HeaderValue::from_str(&format!("{methods}, HEAD")).unwrap_or(allow)
        } else {
            allow
        };
        response.headers_mut().insert(header::ALLOW, allow);
    }
    let res: ServiceResponse<EitherBody<B, BoxBody>> =
        ServiceResponse::new(req, response).map_into_right_body();
    Ok(ErrorHandlerResponse::Response(res))
}
