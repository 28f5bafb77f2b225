//! Requests generated from our own OpenAPI document by schemathesis (PyPI), with every check it
//! has (its default, the same set as `--checks all`; that flag on the command line would also
//! override the one per-operation exception in `schemathesis.toml`): no 5xx, every answer matches
//! the schema, status codes, content types and headers it declares, requests the document allows
//! are accepted and those it forbids refused, and so on; on both backends. `schemathesis.toml`
//! beside this file says where the document cannot say everything, and why.

use std::process::Command;

use crate::each_backend;

const CONFIG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/api/schemathesis.toml");
use crate::helpers::{spawn_app, Backend};

async fn generated_requests_find_no_server_error_or_schema_break(backend: Backend) {
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
    let app = spawn_app(backend, |s| s.limits.rate_limit_enabled = false).await;
    let token = app.token("schemathesis").await;
    let out = tokio::task::spawn_blocking({
        let address = app.address.clone();
        move || {
            schemathesis()
                .args(["--config-file", CONFIG])
                .args([
                    "run",
                    &format!("{address}/api/v1/openapi.json"),
                    "--url",
                    &address,
                ])
                .args(["-H", &format!("Authorization: Bearer {token}")])
                .args(["--max-examples", "30", "--seed", "1"])
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
each_backend!(generated_requests_find_no_server_error_or_schema_break);
