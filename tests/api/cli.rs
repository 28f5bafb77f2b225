//! The `flagpole` command as an operator uses it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, ChildStderr, Command, Output, Stdio};
use std::time::{Duration, Instant};

use clap::CommandFactory;

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

/// A real `flagpole serve` in `dir` on a free port, logging (JSON unless `env` says otherwise)
/// to a pipe: the process, its port and the rest of its log.
pub fn start_serve(
    dir: &std::path::Path,
    env: &[(&str, &str)],
) -> (Child, u16, std::io::Lines<BufReader<ChildStderr>>) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_flagpole"));
    cmd.current_dir(dir)
        .arg("serve")
        .env("FLAGPOLE__SERVER__BIND", "127.0.0.1:0")
        .env("FLAGPOLE__TELEMETRY__LOG_FORMAT", "json")
        .env_remove("RUST_LOG")
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let port = loop {
        let line = lines.next().expect("serve logs a listening line").unwrap();
        if line.contains("flagpole listening") {
            break match serde_json::from_str::<serde_json::Value>(&line) {
                Ok(v) => v["fields"]["port"].as_u64().unwrap() as u16,
                // The pretty format: `… flagpole listening bind=127.0.0.1:0 port=40123 version=…`.
                Err(_) => {
                    let (_, rest) = line.split_once("port=").expect("port=");
                    let port = rest.split_whitespace().next().unwrap_or_default();
                    port.parse().expect("a port number")
                }
            };
        }
    };
    (child, port, lines)
}

pub fn signal(child: &Child, name: &str) {
    let kill = Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
}

/// `serve` answers, and SIGTERM lets it finish and exit 0.
#[test]
fn serve_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, port, lines) = start_serve(dir.path(), &[]);
    let send = |request: String| {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
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

    signal(&child, "TERM");
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
    assert!(flagpole(dir.path(), &["migrate"], &[]).status.success());
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

/// Ctrl-C drains like SIGTERM: a request whose body is still arriving when SIGINT comes is
/// answered and stored, no new connection is accepted, and the process exits 0.
#[test]
fn sigint_lets_an_in_flight_request_finish() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, port, lines) = start_serve(
        dir.path(),
        &[("FLAGPOLE__SERVER__SHUTDOWN_TIMEOUT_SECS", "20")],
    );
    let body = r#"{"article_url":"http://localhost/in-flight","helpful":true}"#;
    let (first, rest) = body.split_at(20);
    let mut slow = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        slow,
        "POST /api/v1/votes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{first}",
        body.len()
    )
    .unwrap();
    slow.flush().unwrap();
    // The request is being served (its handler waits for the body) when the signal comes.
    std::thread::sleep(Duration::from_millis(500));
    signal(&child, "INT");
    // Once the server has stopped accepting, new connections are refused...
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_ok() {
        assert!(Instant::now() < deadline, "still accepting after SIGINT");
        std::thread::sleep(Duration::from_millis(50));
    }
    // ...while the slow request, a second later, still gets its answer.
    std::thread::sleep(Duration::from_secs(1));
    slow.write_all(rest.as_bytes()).unwrap();
    let mut answer = String::new();
    slow.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");

    let log: Vec<String> = lines.map_while(Result::ok).collect();
    let status = child.wait().unwrap();
    let log = log.join("\n");
    assert_eq!(status.code(), Some(0), "{log}");
    assert!(
        log.contains("SIGINT") && log.contains("flagpole stopped"),
        "{log}"
    );
    assert!(!log.contains("forced"), "{log}");
}

/// Only `serve` and `migrate` create a database. Every other command names the file it looked
/// for, exits 1 and leaves nothing behind.
#[test]
fn other_commands_do_not_create_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let expected = std::path::absolute(dir.path().join("data/flagpole.db")).unwrap();
    for args in [
        vec!["editor", "add", "sam@example.org", "--name", "Sam"],
        vec!["editor", "list"],
        vec!["token", "create", "cms"],
        vec!["digest", "preview"],
        vec!["digest", "send"],
        vec!["privacy", "erase", "--email", "pat@example.org"],
        vec!["backup", "copy.db"],
    ] {
        let out = flagpole(dir.path(), &args, &[]);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains(&format!("no database at {}", expected.display())),
            "{args:?}: {stderr}"
        );
        assert!(stderr.contains("flagpole migrate"), "{stderr}");
        assert!(!dir.path().join("data").exists(), "{args:?} created data/");
        assert!(!dir.path().join("copy.db").exists());
    }
}

/// A relative SQLite path in a config file is relative to that file, so commands run from
/// elsewhere (the defect: `editor add` from another directory made a new, empty database there)
/// find the same database; `FLAGPOLE_CONFIG` works like `--config`.
#[test]
fn a_relative_database_path_is_relative_to_the_config_file() {
    let home = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let config = home.path().join("flagpole.toml");
    std::fs::write(&config, "[database]\nurl = \"sqlite://db/feedback.db\"\n").unwrap();
    let config = config.to_str().unwrap();

    let out = flagpole(home.path(), &["--config", config, "migrate"], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(home.path().join("db/feedback.db").exists());

    let out = flagpole(
        elsewhere.path(),
        &[
            "--config",
            config,
            "editor",
            "add",
            "sam@example.org",
            "--name",
            "Sam",
        ],
        &[],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = flagpole(
        elsewhere.path(),
        &["editor", "list"],
        &[("FLAGPOLE_CONFIG", config)],
    );
    assert!(
        text(&out.stdout).contains("sam@example.org"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(std::fs::read_dir(elsewhere.path()).unwrap().count(), 0);

    // check-config shows where it is.
    let out = flagpole(elsewhere.path(), &["--config", config, "check-config"], &[]);
    let shown = format!(
        "sqlite://{}",
        std::path::absolute(home.path().join("db/feedback.db"))
            .unwrap()
            .display()
    );
    assert!(text(&out.stdout).contains(&shown), "{}", text(&out.stdout));
}

/// A command line clap refuses exits 64 (EX_USAGE), apart from 2 (bad configuration); help and
/// the version are answers (0).
#[test]
fn usage_errors_exit_64() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        vec![],
        vec!["frobnicate"],
        vec!["token"],
        vec!["editor", "add", "sam@example.org"],
        vec!["serve", "--verbose"],
        vec!["digest", "preview", "--week", "2026-W99"],
    ] {
        let out = flagpole(dir.path(), &args, &[]);
        assert_eq!(out.status.code(), Some(64), "{args:?}");
        // Said on stderr (an error, or the help when no command is given).
        let stderr = text(&out.stderr);
        assert!(
            stderr.starts_with("error: ") || stderr.contains("Usage:"),
            "{args:?}"
        );
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    for args in [vec!["--help"], vec!["--version"], vec!["token", "--help"]] {
        let out = flagpole(dir.path(), &args, &[]);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert!(!out.stdout.is_empty());
    }
}

/// `flagpole --version` names the release and the commit it was built from, so an operator can
/// say exactly what runs (and find it in CHANGELOG.md).
#[test]
fn version_names_the_release_and_the_commit() {
    let dir = tempfile::tempdir().unwrap();
    let out = flagpole(dir.path(), &["--version"], &[]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out.stdout);
    let shape =
        regex::Regex::new(r"^flagpole (\S+) \(commit ([0-9a-f]{7,40}|unknown)\)\n$").unwrap();
    let caps = shape
        .captures(&stdout)
        .unwrap_or_else(|| panic!("unexpected --version output: {stdout:?}"));
    assert_eq!(&caps[1], env!("CARGO_PKG_VERSION"));
    // Built from a git checkout (as this test is, unless from a tarball): the commit is HEAD's.
    let head = Command::new("git")
        .args(["-C", env!("CARGO_MANIFEST_DIR"), "rev-parse", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| text(&o.stdout).trim().to_string());
    match head {
        Some(head) => assert!(
            head.starts_with(&caps[2]),
            "--version names commit {} but HEAD is {head}",
            &caps[2]
        ),
        None => assert_eq!(&caps[2], "unknown"),
    }
}

/// The example production configuration in deploy/ is one an operator can start from: it loads,
/// and says what README's Deploying section says it does.
#[test]
fn the_example_production_configuration_loads() {
    let dir = tempfile::tempdir().unwrap();
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/production.toml");
    let out = flagpole(
        dir.path(),
        &["--config", file.to_str().unwrap(), "check-config"],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    for shown in [
        r#"bind = "127.0.0.1:8080""#,
        r#"public_url = "https://feedback.example-health.org/""#,
        r#""127.0.0.1/32""#,
        r#"url = "sqlite:///var/lib/flagpole/flagpole.db""#,
        r#"password = "REDACTED""#,
        r#"log_format = "json""#,
    ] {
        assert!(stdout.contains(shown), "{shown} not in:\n{stdout}");
    }
    assert!(!stdout.contains("change-me"));
}

/// Every argument of every command says what it is, in `--help` too.
#[test]
fn every_argument_has_help_text() {
    fn walk(cmd: &clap::Command, path: &str) {
        for arg in cmd.get_arguments() {
            let id = arg.get_id().as_str();
            if id != "help" && id != "version" {
                assert!(
                    arg.get_help().is_some_and(|h| !h.to_string().is_empty()),
                    "{path}: argument {id} has no help"
                );
            }
        }
        for sub in cmd.get_subcommands() {
            walk(sub, &format!("{path} {}", sub.get_name()));
        }
    }
    walk(&flagpole::cli::Cli::command(), "flagpole");

    let dir = tempfile::tempdir().unwrap();
    for (args, arg, description) in [
        (
            vec!["token", "revoke"],
            "<NAME>",
            "The name the token was created with",
        ),
        (
            vec!["editor", "disable"],
            "<EMAIL>",
            "The editor's e-mail address",
        ),
        (
            vec!["editor", "enable"],
            "<EMAIL>",
            "The editor's e-mail address",
        ),
        (
            vec!["privacy", "erase"],
            "--email <EMAIL>",
            "The e-mail address to remove",
        ),
    ] {
        let args = [args, vec!["--help"]].concat();
        let help = text(&flagpole(dir.path(), &args, &[]).stdout);
        assert!(
            help.lines()
                .any(|l| l.contains(arg) && l.contains(description)),
            "{args:?}: {help}"
        );
    }
}

/// `flagpole digest preview | head`: a reader that stops reading ends the command quietly.
#[test]
fn a_closed_stdout_ends_a_command_quietly() {
    let dir = tempfile::tempdir().unwrap();
    assert!(flagpole(dir.path(), &["migrate"], &[]).status.success());
    // Enough digests that the output cannot fit in the pipe before the reader goes away.
    let target = flagpole::config::DatabaseTarget::Sqlite(dir.path().join("data/flagpole.db"));
    let mut conn = flagpole::db::open_existing(&target).unwrap();
    for i in 0..60 {
        let email = format!("editor{i}@example.org");
        let new = flagpole::editors::new_editor(&email, &email, false, &[], true, true).unwrap();
        flagpole::db::editors::add(&mut conn, &new, flagpole::db::now()).unwrap();
    }
    drop(conn);

    let mut child = Command::new(env!("CARGO_BIN_EXE_flagpole"))
        .current_dir(dir.path())
        .args(["digest", "preview", "--html"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    // The reader (and with it the pipe) is gone, like `head` after its lines.
    assert!(first.starts_with("<!-- To: "), "{first}");
    let out = child.wait_with_output().unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        !stderr.contains("panicked") && !stderr.contains("Broken pipe"),
        "{stderr}"
    );
}
