//! The editor dashboard under `/dashboard`: server-rendered HTML (maud), a session per editor
//! (`session`), CSRF-checked forms, one small script for progressive enhancement, no build step.
//! Handlers extract and call the same services as the JSON API (`triage`, `editors`, `auth`,
//! `mail`); pages are `render_*` functions beside them.
//!
//! May import: `auth`, `config`, `db` (read models), `domain`, `editors`, `errors`, `http`,
//! `mail`, `reviews`, `triage`.

mod accounts;
mod actions;
mod admin;
mod articles;
mod export;
mod lanes;
mod layout;
mod login;
mod reviews;
mod session;
mod sso;
mod trend;
mod webhooks;

use actix_web::http::header;
use actix_web::middleware::DefaultHeaders;
use actix_web::{web, HttpResponse};

/// No inline script or style anywhere in the dashboard; nothing may frame it.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   form-action 'self'; frame-ancestors 'none'; base-uri 'none'; connect-src 'self'";

pub fn scope() -> actix_web::Scope<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    use web::{get, post, resource};
    web::scope("/dashboard")
        .wrap(
            DefaultHeaders::new()
                .add((header::CONTENT_SECURITY_POLICY, CSP))
                .add((header::X_FRAME_OPTIONS, "DENY"))
                // Not `no-referrer`: with it browsers send `Origin: null` on form posts, and the
                // CSRF check needs the real origin. Nothing leaves for other sites either way.
                .add((header::REFERRER_POLICY, "same-origin")),
        )
        .service(resource("").route(get().to(articles::list)))
        .service(
            resource("/login")
                .route(get().to(login::login_page))
                .route(post().to(login::login)),
        )
        .service(resource("/logout").route(post().to(login::logout)))
        .service(
            resource("/forgot")
                .route(get().to(accounts::forgot_page))
                .route(post().to(accounts::forgot)),
        )
        .service(
            resource("/password/{token}")
                .route(get().to(accounts::password_page))
                .route(post().to(accounts::choose_password)),
        )
        .service(resource("/sso").route(get().to(sso::start)))
        .service(resource("/sso/callback").route(get().to(sso::callback)))
        .service(resource("/articles/{id}").route(get().to(articles::article)))
        .service(resource("/articles/{id}/reviewed").route(post().to(actions::reviewed)))
        .service(resource("/lanes").route(get().to(lanes::page)))
        .service(resource("/lanes/reset").route(post().to(lanes::reset)))
        .service(resource("/articles/{id}/fixed").route(post().to(actions::fixed)))
        .service(resource("/reports/bulk").route(post().to(actions::bulk)))
        .service(resource("/reports/{id}").route(post().to(actions::act)))
        .service(resource("/problems/{id}").route(post().to(actions::act_on_problem)))
        .service(resource("/export/articles.csv").route(get().to(export::articles_csv)))
        .service(resource("/export/reports.csv").route(get().to(export::reports_csv)))
        .service(resource("/export/lane.csv").route(get().to(export::lane_csv)))
        .service(resource("/reviews").route(get().to(reviews::page)))
        .service(resource("/export/reviews.csv").route(get().to(reviews::csv)))
        .service(
            resource("/preferences")
                .route(get().to(admin::preferences_page))
                .route(post().to(admin::save_preferences)),
        )
        .service(
            resource("/editors")
                .route(get().to(admin::editors_page))
                .route(post().to(admin::add_editor)),
        )
        .service(
            resource("/editors/{id}")
                .route(get().to(admin::editor_page))
                .route(post().to(admin::change_editor)),
        )
        .service(resource("/editors/{id}/edit").route(post().to(admin::edit_editor)))
        .service(resource("/editors/{id}/invite").route(post().to(admin::reinvite_editor)))
        .service(resource("/editors/{id}/remove").route(post().to(admin::remove_editor)))
        .service(
            resource("/tokens")
                .route(get().to(admin::tokens_page))
                .route(post().to(admin::create_token)),
        )
        .service(resource("/tokens/revoke").route(post().to(admin::revoke_token)))
        .service(resource("/outbox").route(get().to(admin::outbox_page)))
        .service(resource("/outbox/{id}/retry").route(post().to(admin::retry)))
        .service(
            resource("/webhooks")
                .route(get().to(webhooks::page))
                .route(post().to(webhooks::add)),
        )
        .service(resource("/webhooks/{id}/test").route(post().to(webhooks::test)))
        .service(resource("/webhooks/{id}/remove").route(post().to(webhooks::remove)))
        .service(resource("/webhooks/deliveries/{id}/retry").route(post().to(webhooks::retry)))
        .service(resource("/assets/app.css").route(get().to(css)))
        .service(resource("/assets/app.js").route(get().to(js)))
}

async fn css() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(include_str!("app.css"))
}

async fn js() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/javascript; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(include_str!("app.js"))
}
