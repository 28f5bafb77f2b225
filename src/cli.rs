//! The `flagpole` command.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use chrono::Utc;
use clap::{Parser, Subcommand};
use tokio::sync::Notify;

use crate::config::Settings;
use crate::db;
use crate::digest::{Digests, IsoWeek};
use crate::domain::EditorId;
use crate::startup::Application;
use crate::{editors, telemetry};

#[derive(Debug, Parser)]
#[command(
    name = "flagpole",
    version,
    about = "Reader feedback for articles that must be right."
)]
pub struct Cli {
    /// A TOML file layered over the built-in defaults (config/default.toml).
    #[arg(
        long,
        short,
        global = true,
        value_name = "FILE",
        env = "FLAGPOLE_CONFIG"
    )]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server and its background workers.
    Serve,
    /// Apply pending database migrations, then exit.
    Migrate,
    /// Load and validate the configuration, print it with secrets redacted, then exit.
    CheckConfig,
    /// Manage API bearer tokens.
    Token {
        #[command(subcommand)]
        action: TokenAction,
    },
    /// Make a consistent copy of the SQLite database while it serves (PostgreSQL: use pg_dump).
    Backup {
        /// The new file to write; it must not exist yet.
        path: PathBuf,
    },
    /// Privacy requests.
    Privacy {
        #[command(subcommand)]
        action: PrivacyAction,
    },
    /// Manage editors: who receives alerts and signs in to the dashboard.
    Editor {
        #[command(subcommand)]
        action: EditorAction,
    },
    /// The weekly digest: print it, or queue it now.
    Digest {
        #[command(subcommand)]
        action: DigestAction,
    },
}

#[derive(Debug, Subcommand)]
pub enum DigestAction {
    /// Print the digest without sending anything.
    Preview {
        /// The ISO week, e.g. 2026-W47. Default: the week just ended (in digest.time_zone).
        #[arg(long)]
        week: Option<IsoWeek>,
        /// Only this editor's digest, even if they turned it off. Default: every active editor
        /// who receives it.
        #[arg(long, value_name = "EMAIL")]
        editor: Option<String>,
        /// Print the HTML part instead of the plain text.
        #[arg(long)]
        html: bool,
    },
    /// Queue the digest for every active editor who receives it. An editor whose digest for the
    /// week is queued already (by this command or by `serve`) does not get a second one. A
    /// running `flagpole serve` sends it.
    Send {
        /// The ISO week, e.g. 2026-W47. Default: the week just ended (in digest.time_zone).
        #[arg(long)]
        week: Option<IsoWeek>,
    },
}

#[derive(Debug, Subcommand)]
pub enum PrivacyAction {
    /// Remove an e-mail address everywhere flagpole stored it: on reports, and every e-mail to it
    /// in the outbox.
    Erase {
        #[arg(long)]
        email: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum EditorAction {
    /// Add an editor.
    Add {
        /// Their e-mail address (alerts go here; they sign in with it).
        email: String,
        /// Their name, as shown in the audit trail.
        #[arg(long)]
        name: String,
        /// Make them an administrator (manages editors and tokens).
        #[arg(long)]
        admin: bool,
        /// A host or host/path prefix they own, e.g. health.example.org/medicines. Repeat for
        /// several. Alerts for an owned article go to its owners only.
        #[arg(long = "owns", value_name = "SCOPE")]
        owns: Vec<String>,
        /// Do not send them alert e-mails.
        #[arg(long)]
        no_alerts: bool,
        /// Do not send them the weekly digest.
        #[arg(long)]
        no_digest: bool,
    },
    /// List editors.
    List,
    /// Stop an editor receiving e-mail and signing in (their history stays).
    Disable { email: String },
    /// Undo `disable`.
    Enable { email: String },
    /// Set an editor's password, read from a prompt (or from standard input when it is not a
    /// terminal), never from the command line.
    SetPassword { email: String },
}

#[derive(Debug, Subcommand)]
pub enum TokenAction {
    /// Create a token and print it once; only its hash is stored.
    Create {
        /// A name for who or what uses it, e.g. "cms-sync".
        name: String,
    },
    /// Revoke the active token with this name.
    Revoke { name: String },
    /// List tokens (names and dates; never the tokens themselves).
    List,
}

/// Runs the command line; the exit code is 0 on success, 2 for bad configuration, 1 otherwise.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load(cli.config.as_deref()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("flagpole: {e}");
            return ExitCode::from(2);
        }
    };
    telemetry::init_logs(&settings.telemetry);
    match execute(cli.command, settings) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("flagpole: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn execute(command: Command, settings: Settings) -> anyhow::Result<()> {
    match command {
        Command::Serve => serve(settings),
        Command::Migrate => {
            let mut conn = open(&settings)?;
            let applied = conn.run_migrations()?;
            if applied.is_empty() {
                println!("database is up to date");
            }
            for version in applied {
                println!("applied {version}");
            }
            Ok(())
        }
        Command::CheckConfig => {
            print!("{}", toml_of(&settings.redacted())?);
            eprintln!("configuration is valid");
            Ok(())
        }
        Command::Backup { path } => {
            let mut conn = open(&settings)?;
            conn.backup_to(&path)?;
            println!("backed up to {}", path.display());
            Ok(())
        }
        Command::Privacy {
            action: PrivacyAction::Erase { email },
        } => {
            let mut conn = open(&settings)?;
            ensure_migrated(&mut conn)?;
            let erased = crate::privacy::erase_address(&mut conn, &email)?;
            println!(
                "erased {email}: {} report(s), {} e-mail(s) in the outbox",
                erased.reports, erased.emails
            );
            Ok(())
        }
        Command::Editor { action } => {
            let mut conn = open(&settings)?;
            ensure_migrated(&mut conn)?;
            editor(&mut conn, action)
        }
        Command::Digest { action } => {
            let mut conn = open(&settings)?;
            ensure_migrated(&mut conn)?;
            digest(&mut conn, &settings, action)
        }
        Command::Token { action } => {
            let mut conn = open(&settings)?;
            ensure_migrated(&mut conn)?;
            match action {
                TokenAction::Create { name } => {
                    let name = crate::auth::tokens::check_name(&name).map_err(cli_error)?;
                    let token = crate::auth::tokens::create(&mut conn, name).map_err(cli_error)?;
                    eprintln!("Created token {name:?}. Store it now: it is not shown again.");
                    println!("{token}");
                }
                TokenAction::Revoke { name } => {
                    crate::auth::tokens::revoke(&mut conn, &name).map_err(cli_error)?;
                    println!("revoked {name:?}");
                }
                TokenAction::List => {
                    for t in crate::auth::tokens::list(&mut conn).map_err(cli_error)? {
                        let state = match t.revoked_at {
                            Some(at) => format!("revoked {}", at.format("%Y-%m-%d %H:%M")),
                            None => "active".to_string(),
                        };
                        let used = t
                            .last_used_at
                            .map(|at| at.format("%Y-%m-%d %H:%M").to_string())
                            .unwrap_or_else(|| "never".into());
                        println!(
                            "{}\tcreated {}\tlast used {used}\t{state}",
                            t.name,
                            t.created_at.format("%Y-%m-%d %H:%M")
                        );
                    }
                }
            }
            Ok(())
        }
    }
}

fn editor(conn: &mut db::DbConn, action: EditorAction) -> anyhow::Result<()> {
    match action {
        EditorAction::Add {
            email,
            name,
            admin,
            owns,
            no_alerts,
            no_digest,
        } => {
            let new = editors::new_editor(&name, &email, admin, &owns, !no_alerts, !no_digest)
                .map_err(anyhow::Error::msg)?;
            editors::add(conn, &new).map_err(cli_error)?;
            println!("added {} <{}> as {}", new.name, new.email, new.role);
        }
        EditorAction::List => {
            for e in db::editors::list(conn)? {
                let scopes: Vec<String> = e.scopes.iter().map(|s| s.to_string()).collect();
                println!(
                    "{}\t{}\t{}\t{}\talerts:{}\tdigest:{}\towns:{}\tpassword:{}",
                    e.email,
                    e.name,
                    e.role,
                    if e.active { "active" } else { "disabled" },
                    if e.wants_alerts { "on" } else { "off" },
                    if e.wants_digest { "on" } else { "off" },
                    if scopes.is_empty() {
                        "-".to_string()
                    } else {
                        scopes.join(",")
                    },
                    if e.password_hash.is_some() {
                        "set"
                    } else {
                        "unset"
                    },
                );
            }
        }
        EditorAction::Disable { email } => {
            let id = EditorId(editors::by_email(conn, &email).map_err(cli_error)?.id);
            editors::set_active(conn, id, false).map_err(cli_error)?;
            println!("disabled {email}; their sessions are ended");
        }
        EditorAction::Enable { email } => {
            let id = EditorId(editors::by_email(conn, &email).map_err(cli_error)?.id);
            editors::set_active(conn, id, true).map_err(cli_error)?;
            println!("enabled {email}");
        }
        EditorAction::SetPassword { email } => {
            let editor = editors::by_email(conn, &email).map_err(cli_error)?;
            let password = read_password()?;
            editors::set_password(conn, EditorId(editor.id), &password).map_err(cli_error)?;
            println!(
                "password set for {}; their sessions are ended",
                editor.email
            );
        }
    }
    Ok(())
}

fn digest(conn: &mut db::DbConn, settings: &Settings, action: DigestAction) -> anyhow::Result<()> {
    let digests = Digests::from_settings(settings, Arc::new(Notify::new()))?;
    let default_week = || digests.schedule.week_just_ended(Utc::now());
    match action {
        DigestAction::Preview { week, editor, html } => {
            let week = week.unwrap_or_else(default_week);
            let recipients = match editor {
                Some(email) => {
                    let email = email.to_ascii_lowercase();
                    match db::editors::by_email(conn, &email)? {
                        Some(e) => vec![e],
                        None => anyhow::bail!("no editor with e-mail {email}"),
                    }
                }
                None => db::editors::active(conn)?
                    .into_iter()
                    .filter(|e| e.wants_digest)
                    .collect(),
            };
            if recipients.is_empty() {
                anyhow::bail!("no active editor receives the digest; name one with --editor");
            }
            let emails = digests.render(conn, week, &recipients)?;
            for (i, (editor, email)) in recipients.iter().zip(emails).enumerate() {
                if html {
                    println!(
                        "<!-- To: {} <{}>; Subject: {} -->",
                        editor.name, editor.email, email.subject
                    );
                    println!("{}", email.html);
                } else {
                    if i > 0 {
                        println!("{}", "=".repeat(72));
                    }
                    println!(
                        "To: {} <{}>\nSubject: {}\n\n{}",
                        editor.name, editor.email, email.subject, email.text
                    );
                }
            }
        }
        DigestAction::Send { week } => {
            let week = week.unwrap_or_else(default_week);
            let q = digests.enqueue_week(conn, week, Utc::now())?;
            println!(
                "queued {} digests for {week} ({} queued already)",
                q.queued, q.already
            );
        }
    }
    Ok(())
}

/// From a prompt on a terminal (twice, to catch typos), else the first line of standard input.
fn read_password() -> anyhow::Result<String> {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("New password: ")?;
        let second = rpassword::prompt_password("Again: ")?;
        if first != second {
            anyhow::bail!("the passwords differ");
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        Ok(line.trim_end_matches(['\r', '\n']).to_string())
    }
}

fn serve(settings: Settings) -> anyhow::Result<()> {
    actix_web::rt::System::new().block_on(async move {
        let bind = settings.server.bind.clone();
        let app = Application::build(settings)?;
        tracing::info!(bind, port = app.port(), "flagpole listening");
        app.run_until_stopped().await
    })
}

fn open(settings: &Settings) -> anyhow::Result<db::DbConn> {
    db::open(&settings.database_target()?)
}

fn ensure_migrated(conn: &mut db::DbConn) -> anyhow::Result<()> {
    conn.run_migrations()?;
    Ok(())
}

/// A service's refusal as one line for the terminal.
fn cli_error(e: crate::errors::ApiError) -> anyhow::Error {
    anyhow::anyhow!(e.message)
}

fn toml_of(settings: &Settings) -> anyhow::Result<String> {
    Ok(toml::to_string_pretty(settings)?)
}
