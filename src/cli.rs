//! The `flagpole` command.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::Settings;
use crate::db::{self, tokens};
use crate::startup::Application;
use crate::telemetry;

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
        Command::Token { action } => {
            let mut conn = open(&settings)?;
            ensure_migrated(&mut conn)?;
            match action {
                TokenAction::Create { name } => {
                    let name = name.trim();
                    if name.is_empty() || name.len() > 100 {
                        anyhow::bail!("a token name must be 1 to 100 characters");
                    }
                    let token = tokens::create(&mut conn, name, db::now())?;
                    eprintln!("Created token {name:?}. Store it now: it is not shown again.");
                    println!("{token}");
                }
                TokenAction::Revoke { name } => {
                    tokens::revoke(&mut conn, &name, db::now())?;
                    println!("revoked {name:?}");
                }
                TokenAction::List => {
                    for t in tokens::list(&mut conn)? {
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

fn toml_of(settings: &Settings) -> anyhow::Result<String> {
    Ok(toml::to_string_pretty(settings)?)
}
