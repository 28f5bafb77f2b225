//! Requests generated from our own OpenAPI document by schemathesis (PyPI): no 5xx, and every
//! answer matches the schema, status codes and content types it declares.

use std::process::Command;

use crate::helpers::{spawn_app, Backend};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_requests_find_no_server_error_or_schema_break() {
    // `python3 -m schemathesis.cli` is the same program as `st`, and needs no PATH entry.
    let schemathesis = || {
        let mut cmd = Command::new("python3");
        cmd.args(["-m", "schemathesis.cli"]);
        cmd
    };
    let present = schemathesis()
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !present {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("CI=true but schemathesis is not installed: .ci/run installs it with pip");
        }
        eprintln!("skipping: pip install schemathesis");
        return;
    }
    let app = spawn_app(Backend::Sqlite, |s| s.limits.rate_limit_enabled = false).await;
    let token = app.token("schemathesis").await;
    let out = tokio::task::spawn_blocking({
        let address = app.address.clone();
        move || {
            schemathesis()
                .args(["run", &format!("{address}/api/v1/openapi.json"), "--url", &address])
                .args(["-H", &format!("Authorization: Bearer {token}")])
                .args(["--max-examples", "30", "--seed", "1"])
                .args([
                    "--checks",
                    "not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance",
                ])
                .env("NO_COLOR", "1")
                .output()
                .expect("run schemathesis")
        }
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let summary = stdout
        .lines()
        .find(|l| l.contains(" generated, "))
        .unwrap_or("no summary");
    eprintln!("schemathesis: {}", summary.trim());
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        summary.contains("passed") && !summary.contains("failed"),
        "{summary}"
    );
}
