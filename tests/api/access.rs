//! Walks the access table in README.md: it must list every route the code registers, and every
//! route must refuse everyone below its level without giving out data.

use std::path::Path;

use crate::helpers::{spawn_app, Backend};

struct Row {
    methods: Vec<String>,
    route: String,
    who: String,
}

fn table() -> Vec<Row> {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let start = readme
        .find("<!-- access-table -->")
        .expect("the access table");
    let end = readme.find("<!-- /access-table -->").expect("its end");
    readme[start..end]
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| method"))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split('|').map(str::trim).collect();
            Row {
                methods: cells[0].split(',').map(|m| m.trim().to_string()).collect(),
                route: cells[1].trim_matches('`').to_string(),
                who: cells[2].split_whitespace().next().unwrap_or("").to_string(),
            }
        })
        .collect()
}

/// Every `resource("…")` in the route tables of the code.
fn registered() -> Vec<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let re = regex::Regex::new(r#"resource\("([^"]*)"\)"#).unwrap();
    let mut routes = Vec::new();
    for (file, prefix) in [("startup.rs", ""), ("dashboard/mod.rs", "/dashboard")] {
        let text = std::fs::read_to_string(src.join(file)).unwrap();
        routes.extend(
            re.captures_iter(&text)
                .map(|c| format!("{prefix}{}", &c[1])),
        );
    }
    routes
}

#[test]
fn the_table_lists_every_route() {
    let listed: Vec<String> = table().into_iter().map(|r| r.route).collect();
    let routes = registered();
    assert!(routes.len() > 30, "found the route tables: {routes:?}");
    for route in routes {
        assert!(
            listed.contains(&route),
            "{route} is missing from README.md's access table"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_refuses_everyone_below_its_level() {
    let app = spawn_app(Backend::Sqlite, |_| {}).await;
    let password = "a long enough passphrase";
    let target = app.settings.database.url.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = flagpole::db::open(&target).unwrap();
        let new =
            flagpole::editors::new_editor("Ed", "ed@example.org", false, &[], true, true).unwrap();
        flagpole::db::editors::add(&mut conn, &new, flagpole::db::now()).unwrap();
        let hash = flagpole::auth::passwords::hash("a long enough passphrase").unwrap();
        flagpole::db::editors::set_password_hash(
            &mut conn,
            "ed@example.org",
            &hash,
            flagpole::db::now(),
        )
        .unwrap();
    })
    .await
    .unwrap();
    let editor = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = editor
        .post(app.url("/dashboard/login"))
        .form(&[("email", "ed@example.org"), ("password", password)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let anonymous = &app.client;
    let token = app.token("access").await;

    for row in table() {
        let path = row
            .route
            .replace("{id}", "1")
            .replace("{token}", "not-a-token");
        for method in &row.methods {
            let method: reqwest::Method = method.parse().unwrap();
            let send = |client: &reqwest::Client, bearer: Option<&str>| {
                let mut req = client.request(method.clone(), app.url(&path));
                if let Some(t) = bearer {
                    req = req.bearer_auth(t);
                }
                req.send()
            };
            let what = format!("{method} {path}");
            match row.who.as_str() {
                "token" => {
                    for (who, r) in [
                        ("anonymous", send(anonymous, None).await.unwrap()),
                        ("an editor's session", send(&editor, None).await.unwrap()),
                        (
                            "a wrong token",
                            send(anonymous, Some("fp_wrong")).await.unwrap(),
                        ),
                    ] {
                        assert_eq!(r.status(), 401, "{what} for {who}");
                    }
                    assert_ne!(
                        send(anonymous, Some(&token)).await.unwrap().status(),
                        401,
                        "{what} with a token"
                    );
                }
                "editor" | "admin" => {
                    for (who, r) in [
                        ("anonymous", send(anonymous, None).await.unwrap()),
                        ("an API token", send(anonymous, Some(&token)).await.unwrap()),
                    ] {
                        assert_eq!(r.status(), 303, "{what} for {who}");
                        let to = r.headers()["location"].to_str().unwrap().to_string();
                        assert!(to.starts_with("/dashboard/login"), "{what} for {who}: {to}");
                    }
                    let as_editor = send(&editor, None).await.unwrap().status().as_u16();
                    if row.who == "admin" {
                        assert_eq!(as_editor, 403, "{what} for an editor");
                    } else {
                        assert!(
                            ![303, 401, 403].contains(&as_editor),
                            "{what} must admit an editor: {as_editor}"
                        );
                    }
                }
                "public" | "link" => {
                    let status = send(anonymous, None).await.unwrap().status().as_u16();
                    assert!(status != 401 && status != 403, "{what} is public: {status}");
                }
                other => panic!("unknown level {other:?} for {what}"),
            }
        }
    }
}
