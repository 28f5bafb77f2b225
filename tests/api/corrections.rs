//! Public corrections: written by an editor when resolving a report (API or dashboard), published
//! per article as cacheable JSON that the allowed hosts' pages may fetch, and in an Atom feed.

use serde_json::{json, Value};

use crate::dashboard::{add_user, post, sign_in};
use crate::each_backend;
use crate::helpers::{article, error_code, Backend};

async fn corrections_are_published_as_json_and_atom(backend: Backend) {
    let app = crate::helpers::spawn_app(backend, |s| {
        s.server.public_url = "https://feedback.example.org".parse().unwrap();
    })
    .await;
    let token = app.token("t").await;
    let url = article("/medicines/ibuprofen?utm_source=x");
    let first = app.report("r1", &url, "inaccurate").await["report_id"]
        .as_i64()
        .unwrap();
    let second = app.report("r2", &url, "outdated").await["report_id"]
        .as_i64()
        .unwrap();

    // Only a resolution may publish a correction, and it is checked like a note.
    for body in [
        json!({"status": "acknowledged", "public_correction": "We fixed it."}),
        json!({"public_correction": "We fixed it."}),
        json!({"status": "resolved", "public_correction": "bell\u{7}"}),
    ] {
        let (status, _, field) = error_code(app.patch_report(&token, first, &body).await).await;
        assert_eq!(
            (status, field.as_deref()),
            (422, Some("public_correction")),
            "{body}"
        );
    }
    let r = app
        .patch_report(
            &token,
            first,
            &json!({"status": "resolved", "note": "internal",
                    "public_correction": "The maximum daily dose was 3,200 mg; it is 1,200 mg <without> a prescription."}),
        )
        .await;
    assert_eq!(r.status(), 200);

    // The dashboard's resolve action carries one too.
    add_user(&app, "lee@example.org", false).await;
    let (client, csrf) = sign_in(&app, "lee@example.org").await;
    let r = post(
        &client,
        &app,
        &format!("/dashboard/reports/{second}"),
        &[
            ("csrf", csrf.as_str()),
            ("action", "resolve"),
            ("public_correction", "Updated for the 2026 guideline."),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);

    // Public: no token; the canonical URL; newest first; cacheable.
    let r = app
        .client
        .get(app.url("/api/v1/public/corrections"))
        .query(&[("article_url", url.as_str())])
        .header("origin", "http://localhost")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "http://localhost"
    );
    assert!(r.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("public"));
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["article_url"], "http://localhost/medicines/ibuprofen");
    let texts: Vec<&str> = body["corrections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        [
            "Updated for the 2026 guideline.",
            "The maximum daily dose was 3,200 mg; it is 1,200 mg <without> a prescription."
        ]
    );
    assert!(body["corrections"][0]["published_at"].is_string());
    assert!(body.as_object().unwrap().contains_key("last_reviewed_at"));

    // Another site's page may not read it; an unknown article has none; bad input is named.
    let r = app
        .client
        .get(app.url("/api/v1/public/corrections"))
        .query(&[("article_url", url.as_str())])
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert!(r.headers().get("access-control-allow-origin").is_none());
    let none: Value = app
        .client
        .get(app.url("/api/v1/public/corrections"))
        .query(&[("article_url", article("/never-seen").as_str())])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(none["corrections"], json!([]));
    for (query, status, field) in [
        ("article_url=https://evil.example/x", 403, "article_url"),
        ("", 422, "article_url"),
        ("article_url=not%20a%20url", 422, "article_url"),
    ] {
        let r = app
            .client
            .get(app.url(&format!("/api/v1/public/corrections?{query}")))
            .send()
            .await
            .unwrap();
        let (got, _, named) = error_code(r).await;
        assert_eq!((got, named.as_deref()), (status, Some(field)), "{query}");
    }

    // The feed is well-formed Atom with both entries, newest first.
    let r = app
        .client
        .get(app.url("/corrections.atom"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/atom+xml"));
    let xml = r.text().await.unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("the feed parses as XML");
    let feed = doc.root_element();
    assert_eq!(
        feed.tag_name().namespace(),
        Some("http://www.w3.org/2005/Atom")
    );
    assert_eq!(feed.tag_name().name(), "feed");
    let child = |n: roxmltree::Node, name: &str| {
        n.children()
            .find(|c| c.has_tag_name(name))
            .and_then(|c| c.text())
            .map(str::to_string)
    };
    assert_eq!(
        child(feed, "id").as_deref(),
        Some("https://feedback.example.org/corrections.atom")
    );
    let entries: Vec<roxmltree::Node> = feed
        .children()
        .filter(|c| c.has_tag_name("entry"))
        .collect();
    assert_eq!(entries.len(), 2);
    assert_eq!(
        child(entries[0], "content").as_deref(),
        Some("Updated for the 2026 guideline.")
    );
    assert_eq!(
        child(entries[1], "content").as_deref(),
        Some("The maximum daily dose was 3,200 mg; it is 1,200 mg <without> a prescription.")
    );
    let link = entries[0]
        .children()
        .find(|c| c.has_tag_name("link"))
        .and_then(|l| l.attribute("href"));
    assert_eq!(link, Some("http://localhost/medicines/ibuprofen"));
    for e in &entries {
        assert!(child(*e, "updated").is_some() && child(*e, "id").is_some());
    }
    assert!(
        !xml.contains("internal"),
        "the internal note is not published"
    );
}
each_backend!(corrections_are_published_as_json_and_atom);
