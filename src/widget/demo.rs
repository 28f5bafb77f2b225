//! `GET /widget/demo`: a sample health article with the widget embedded the way a publisher
//! would, including the no-JavaScript fallback.

use actix_web::{web, HttpRequest, HttpResponse};
use maud::{html, PreEscaped, DOCTYPE};

use super::{fallback_forms, script_version};
use crate::config::Settings;
use crate::http::client::requested_origin;
use crate::ingest::service::Ingest;

const STYLE: &str = "body{font:18px/1.6 Georgia,'Times New Roman',serif;color:#1b1b1b;background:#fff;margin:0}\
header{background:#005eb8;color:#fff;padding:.75rem 1rem;font:700 1.1rem system-ui,sans-serif}\
main{max-width:42rem;margin:0 auto;padding:1rem}h1{font:700 2rem/1.2 system-ui,sans-serif}\
h2{font:700 1.35rem system-ui,sans-serif;margin-top:2rem}.meta{color:#4c6272;font:.9rem system-ui,sans-serif}\
.callout{border-left:8px solid #005eb8;background:#eef7ff;padding:.75rem 1rem}";

pub async fn demo(
    req: HttpRequest,
    settings: web::Data<Settings>,
    ingest: web::Data<Ingest>,
) -> HttpResponse {
    // Forwarded host headers only from trusted proxies: the page puts its own address in the
    // widget's article URL.
    let (scheme, host) = requested_origin(&req, &settings.server.trusted_proxies);
    let origin = format!("{scheme}://{host}");
    let article_url = format!("{origin}/widget/demo");
    // What the fallback shows at #flagpole-help, as for any article on this host.
    let help = url::Url::parse(&article_url)
        .ok()
        .and_then(|u| {
            u.host_str()
                .map(|host| ingest.signposting(host, Some("en")))
        })
        .flatten();
    let ld = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "headline": "Iron deficiency anaemia",
        "dateModified": "2026-09-14",
        "lastReviewed": "2026-09-14"
    });
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "Iron deficiency anaemia – flagpole demo" }
                link rel="icon" href="data:,";
                meta property="article:modified_time" content="2026-09-14";
                script type="application/ld+json" { (PreEscaped(ld.to_string())) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header { "Example Health Library · flagpole demo" }
                main {
                    article {
                        h1 { "Iron deficiency anaemia" }
                        p class="meta" { "Page last reviewed: 14 September 2026 · Next review due: 14 September 2029" }
                        p { "Iron deficiency anaemia is caused by a lack of iron, often because of blood loss or pregnancy. It is treated with iron tablets and by treating the cause." }
                        h2 { "Symptoms" }
                        p { "Many people have no symptoms. Others feel tired and lack energy, are short of breath, notice a pounding or irregular heartbeat, or have pale skin." }
                        h2 { "Causes" }
                        p { "Common causes include heavy periods, pregnancy, bleeding in the stomach or intestines, and not getting enough iron from food." }
                        h2 { "Treatment" }
                        p { "A GP may prescribe ferrous sulfate tablets, usually taken once a day, and check a blood test again after 2 to 4 weeks. Treatment usually continues for about 3 months after levels are back to normal." }
                        p class="callout" { "Keep iron tablets out of the reach of children: an overdose can be very dangerous for a child." }
                        h2 { "Eating for iron" }
                        p { "Dark-green leafy vegetables, iron-fortified cereals, meat, dried fruit and pulses are good sources. Large amounts of tea and coffee can make it harder for the body to absorb iron." }
                    }
                    p class="meta" {
                        "This page shows the widget the way a publisher embeds it: one "
                        code { "<script>" } " element and one " code { "<div data-flagpole>" } ". "
                        "Select a sentence above, then use \u{201c}Report a problem\u{201d}: the passage is filled in for you."
                    }
                    div data-flagpole {}
                    noscript { (fallback_forms(&origin, &article_url, Some("en"), help.as_deref())) }
                }
                // English travels with the script: one request, and nothing fetched beside it.
                script src={ "/widget.js?lang=en&v=" (script_version()) } async {}
            }
        }
    };
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
             connect-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; \
             frame-ancestors 'none'",
        ))
        .body(page.into_string())
}
