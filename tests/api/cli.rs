//! The `flagpole` command as an operator uses it.

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

fn flagpole(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_flagpole"));
    cmd.current_dir(dir).args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run flagpole")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn check_config_shows_settings_without_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let out = flagpole(
        dir.path(),
        &["check-config"],
        &[(
            "FLAGPOLE__DATABASE__URL",
            "postgres://app:hunter2@db.internal:5432/flagpole",
        )],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("postgres://app:REDACTED@db.internal:5432/flagpole"),
        "{stdout}"
    );
    assert!(!stdout.contains("hunter2") && !text(&out.stderr).contains("hunter2"));
}

#[test]
fn bad_configuration_is_one_clear_line_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("site.toml");
    std::fs::write(&file, "[server]\nbindd = \"0.0.0.0:80\"\n").unwrap();
    type Case<'a> = (Vec<&'a str>, Vec<(&'a str, &'a str)>, &'a str);
    let cases: Vec<Case> = vec![
        (
            vec!["--config", file.to_str().unwrap(), "check-config"],
            vec![],
            "server.bindd",
        ),
        (
            vec!["check-config"],
            vec![("FLAGPOLE__SERVER__BIND", "localhost")],
            "server.bind",
        ),
        (
            vec!["check-config"],
            vec![("FLAGPOLE__DATABASE__URL", "mysql://x/y")],
            "database.url",
        ),
        (
            vec!["check-config"],
            vec![("FLAGPOLE__LIMITS__PER_MINUTE", "lots")],
            "limits.per_minute",
        ),
        (
            vec!["check-config"],
            vec![("FLAGPOLE__DIGEST__TIME_ZONE", "Europe/Londn")],
            "digest.time_zone",
        ),
        (
            vec!["check-config"],
            vec![("FLAGPOLE__DIGEST__WEEKDAY", "mondy")],
            "digest.weekday",
        ),
        (
            vec!["--config", "/nonexistent/flagpole.toml", "check-config"],
            vec![],
            "/nonexistent/flagpole.toml",
        ),
    ];
    for (args, env, key) in cases {
        let out = flagpole(dir.path(), &args, &env);
        assert_eq!(out.status.code(), Some(2), "{args:?} {env:?}");
        let stderr = text(&out.stderr);
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
        assert!(stderr.contains(key), "{key} not named in: {stderr}");
    }
}

#[test]
fn a_database_that_is_down_fails_fast_with_the_drivers_message() {
    let dir = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let out = flagpole(
        dir.path(),
        &["migrate"],
        &[(
            "FLAGPOLE__DATABASE__URL",
            "postgres://nobody@127.0.0.1:1/none",
        )],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("database.url: cannot connect"),
        "{}",
        text(&out.stderr)
    );
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[test]
fn migrate_and_tokens_on_a_fresh_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = flagpole(dir.path(), &["migrate"], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("applied"));
    assert!(dir.path().join("data/flagpole.db").exists());
    let out = flagpole(dir.path(), &["migrate"], &[]);
    assert_eq!(text(&out.stdout).trim(), "database is up to date");

    let out = flagpole(dir.path(), &["token", "create", "cms"], &[]);
    assert!(out.status.success());
    let token = text(&out.stdout).trim().to_string();
    assert!(token.starts_with("fp_") && token.len() > 40, "{token}");
    let out = flagpole(dir.path(), &["token", "create", "cms"], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("exists already"));

    let listed = text(&flagpole(dir.path(), &["token", "list"], &[]).stdout);
    assert!(listed.contains("cms") && listed.contains("active") && !listed.contains(&token));
    // Only a hash is stored.
    let db = std::fs::read(dir.path().join("data/flagpole.db")).unwrap();
    let wal = std::fs::read(dir.path().join("data/flagpole.db-wal")).unwrap_or_default();
    let needle = token.as_bytes();
    assert!(!db.windows(needle.len()).any(|w| w == needle));
    assert!(!wal.windows(needle.len()).any(|w| w == needle));

    assert!(flagpole(dir.path(), &["token", "revoke", "cms"], &[])
        .status
        .success());
    let out = flagpole(dir.path(), &["token", "revoke", "cms"], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&flagpole(dir.path(), &["token", "list"], &[]).stdout).contains("revoked"));
}

#[test]
fn every_command_has_help() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["migrate", "--help"],
        vec!["check-config", "--help"],
        vec!["token", "--help"],
        vec!["token", "create", "--help"],
        vec!["token", "revoke", "--help"],
        vec!["editor", "--help"],
        vec!["editor", "add", "--help"],
        vec!["editor", "set-password", "--help"],
    ] {
        let out = flagpole(dir.path(), &args, &[]);
        assert!(out.status.success(), "{args:?}");
        let help = text(&out.stdout);
        assert!(
            help.contains("Usage:") && help.contains("--config"),
            "{args:?}: {help}"
        );
    }
}

/// `serve` answers, and SIGTERM lets it finish and exit 0.
#[test]
fn serve_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_flagpole"))
        .current_dir(dir.path())
        .arg("serve")
        .env("FLAGPOLE__SERVER__BIND", "127.0.0.1:0")
        .env("FLAGPOLE__TELEMETRY__LOG_FORMAT", "json")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let port = loop {
        let line = lines.next().expect("serve logs a listening line").unwrap();
        if line.contains("flagpole listening") {
            let v: serde_json::Value = serde_json::from_str(&line).unwrap();
            break v["fields"]["port"].as_u64().unwrap();
        }
    };
    let send = |request: String| {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", port as u16)).unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        (answer, stream.local_addr().unwrap().to_string())
    };
    let (answer, _) = send("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".into());
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let body =
        r#"{"article_url":"http://localhost/logged","helpful":false,"comment":"PRIVATE-NOTE-81"}"#;
    let (answer, reader_address) = send(format!(
        "POST /api/v1/votes HTTP/1.1\r\nHost: x\r\nUser-Agent: AgentSmith-77\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    ));
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");

    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let log: Vec<String> = lines.map_while(Result::ok).collect();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    // The log tells what happened without what the reader wrote or who they are.
    let log = log.join("\n");
    assert!(log.contains("/api/v1/votes"), "{log}");
    for secret in ["PRIVATE-NOTE-81", "AgentSmith-77", &reader_address] {
        assert!(!log.contains(secret), "{secret} logged:\n{log}");
    }
}

#[test]
fn editors_are_managed_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = flagpole(
        dir.path(),
        &[
            "editor",
            "add",
            "Sam@Example.org",
            "--name",
            "Sam Jones",
            "--owns",
            "health.example.org/medicines",
        ],
        &[],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("added Sam Jones <sam@example.org> as editor"));
    let out = flagpole(
        dir.path(),
        &["editor", "add", "sam@example.org", "--name", "Again"],
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("exists already"));
    let out = flagpole(
        dir.path(),
        &["editor", "add", "not-an-address", "--name", "X"],
        &[],
    );
    assert_eq!(out.status.code(), Some(1));

    let list = text(&flagpole(dir.path(), &["editor", "list"], &[]).stdout);
    assert!(list.contains("sam@example.org\tSam Jones\teditor\tactive\talerts:on\tdigest:on\towns:health.example.org/medicines\tpassword:unset"), "{list}");

    assert!(
        flagpole(dir.path(), &["editor", "disable", "sam@example.org"], &[])
            .status
            .success()
    );
    assert!(text(&flagpole(dir.path(), &["editor", "list"], &[]).stdout).contains("\tdisabled\t"));
    assert!(
        flagpole(dir.path(), &["editor", "enable", "sam@example.org"], &[])
            .status
            .success()
    );
    assert_eq!(
        flagpole(
            dir.path(),
            &["editor", "disable", "nobody@example.org"],
            &[]
        )
        .status
        .code(),
        Some(1)
    );

    // The password comes from standard input, never from the command line.
    let set_password = |password: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_flagpole"))
            .current_dir(dir.path())
            .args(["editor", "set-password", "sam@example.org"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(format!("{password}\n").as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let short = set_password("short");
    assert_eq!(short.status.code(), Some(1));
    assert!(text(&short.stderr).contains("at least 12 characters"));
    let ok = set_password("a long enough passphrase");
    assert!(ok.status.success(), "{}", text(&ok.stderr));
    assert!(text(&flagpole(dir.path(), &["editor", "list"], &[]).stdout).contains("password:set"));
    let db = std::fs::read(dir.path().join("data/flagpole.db")).unwrap();
    let wal = std::fs::read(dir.path().join("data/flagpole.db-wal")).unwrap_or_default();
    let needle = b"a long enough passphrase";
    assert!(!db.windows(needle.len()).any(|w| w == needle));
    assert!(!wal.windows(needle.len()).any(|w| w == needle));
}
