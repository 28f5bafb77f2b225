//! The `flagpole` command.
//!
//! Exit codes: 0 success (also when a reader closes our standard output early, as `| head`
//! does), 1 any failure, 2 bad configuration, 64 (EX_USAGE) a command line clap refuses.

use std::fmt;
use std::future::Future;
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use chrono::Utc;
use clap::{Parser, Subcommand};
use tokio::sync::Notify;

use crate::auth::tokens;
use crate::config::Settings;
use crate::db;
use crate::digest::{Digests, IsoWeek};
use crate::domain::{EditorId, WebhookId};
use crate::startup::Application;
use crate::{editors, telemetry};

/// What `flagpole --version` prints after the name: the package version and the git commit it
/// was built from (build.rs; "unknown" outside a git checkout).
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("FLAGPOLE_GIT_COMMIT"),
    ")"
);

#[derive(Debug, Parser)]
#[command(
    name = "flagpole",
    version = VERSION,
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
    /// The catalogue of articles, from the sitemaps in sites.catalogue.
    Catalogue {
        #[command(subcommand)]
        action: CatalogueAction,
    },
    /// Manage webhook subscriptions (events posted to a URL, Slack or Teams).
    Webhook {
        #[command(subcommand)]
        action: WebhookAction,
    },
}

#[derive(Debug, Subcommand)]
pub enum WebhookAction {
    /// Subscribe a URL to events and print its signing secret once. The URL must be https and
    /// resolve to a public address unless webhooks.allow_private_targets is set.
    Add {
        /// Where to post, e.g. a Slack or Teams incoming-webhook URL.
        url: String,
        /// Comma-separated: alert.fired, report.created, problem.resolved, digest.ready.
        #[arg(long, value_name = "EVENT,…")]
        events: String,
        /// json (flagpole's payload), slack or teams.
        #[arg(long, default_value = "json")]
        format: String,
        /// Include what readers wrote (json format only; never e-mail addresses).
        #[arg(long)]
        include_text: bool,
    },
    /// List subscriptions (never their secrets).
    List,
    /// Remove a subscription and its queued deliveries.
    Remove {
        /// The subscription's id, from `flagpole webhook list`.
        id: WebhookId,
    },
    /// Send a signed test event to a subscription now and say what the receiver answered.
    Test {
        /// The subscription's id, from `flagpole webhook list`.
        id: WebhookId,
    },
}

#[derive(Debug, Subcommand)]
pub enum CatalogueAction {
    /// Read the sitemaps and fetch every page that is new or whose <lastmod> changed, politely
    /// (see [catalogue] in the configuration). Progress goes to standard error, the summary to
    /// standard output; a page that fails is listed in the summary and the rest go on.
    Sync,
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
        /// The e-mail address to remove.
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
    /// Invite an editor: adds them and e-mails them a one-time link (valid 72 hours) to choose
    /// their password. The running server's outbox sends it.
    Invite {
        /// Their e-mail address (the invitation goes here; they sign in with it).
        email: String,
        /// Their name, as shown in the dashboard and the audit trail.
        #[arg(long)]
        name: String,
        /// Make them an administrator (manages editors and tokens).
        #[arg(long)]
        admin: bool,
        /// A host or host/path prefix they own. Repeat for several.
        #[arg(long = "owns", value_name = "SCOPE")]
        owns: Vec<String>,
    },
    /// List editors.
    List,
    /// Change an editor's name.
    SetName {
        /// The editor's e-mail address.
        email: String,
        /// Their new name.
        name: String,
    },
    /// Change an editor's role.
    SetRole {
        /// The editor's e-mail address.
        email: String,
        /// `admin` or `editor`. The last administrator cannot be made an editor.
        role: String,
    },
    /// Replace what an editor owns; with no SCOPE, they own nothing (and hear about articles
    /// nobody owns).
    SetScopes {
        /// The editor's e-mail address.
        email: String,
        /// Hosts or host/path prefixes, e.g. health.example.org/medicines.
        scopes: Vec<String>,
    },
    /// Choose which e-mails an editor receives.
    SetEmail {
        /// The editor's e-mail address.
        email: String,
        /// Alert e-mails: on or off.
        #[arg(long, value_parser = ["on", "off"])]
        alerts: String,
        /// The weekly digest: on or off.
        #[arg(long, value_parser = ["on", "off"])]
        digest: String,
    },
    /// Remove an editor: their sessions end, they cannot sign in or receive e-mail, and their
    /// history keeps their name. The last administrator cannot be removed.
    Remove {
        /// The editor's e-mail address.
        email: String,
    },
    /// Stop an editor receiving e-mail and signing in (their history stays).
    Disable {
        /// The editor's e-mail address.
        email: String,
    },
    /// Undo `disable`.
    Enable {
        /// The editor's e-mail address.
        email: String,
    },
    /// Set an editor's password, read from a prompt (or from standard input when it is not a
    /// terminal), never from the command line.
    SetPassword {
        /// The editor's e-mail address.
        email: String,
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
    Revoke {
        /// The name the token was created with.
        name: String,
    },
    /// List tokens (names and dates; never the tokens themselves).
    List,
}

/// A command line clap refuses (sysexits.h's EX_USAGE); 2 means bad configuration.
const EX_USAGE: u8 = 64;

/// Runs the command line and returns its exit code (see the module doc).
pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // `--help` and `--version` come this way too, as answers on stdout.
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(EX_USAGE)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let settings = match Settings::load(cli.config.as_deref()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("flagpole: {e}");
            return ExitCode::from(2);
        }
    };
    telemetry::init_logs(&settings.telemetry);
    let mut out = Out(io::stdout());
    match execute(cli.command, settings, &mut out).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.downcast_ref::<StdoutClosed>().is_some() => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("flagpole: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Standard output closed by its reader: `flagpole digest preview | head` has what it wanted, so
/// the command stops quietly and exits 0, as `cat` or `grep` do.
#[derive(Debug, thiserror::Error)]
#[error("standard output is closed")]
struct StdoutClosed;

/// Where commands print their results. Rust ignores SIGPIPE, so writing to a closed pipe is an
/// error (which `println!` turns into a panic); here it becomes [`StdoutClosed`].
struct Out<W>(W);

impl<W: Write> Out<W> {
    fn line(&mut self, args: fmt::Arguments<'_>) -> anyhow::Result<()> {
        self.text(args)?;
        self.text(format_args!("\n"))
    }

    fn text(&mut self, args: fmt::Arguments<'_>) -> anyhow::Result<()> {
        self.0.write_fmt(args).map_err(stdout_error)
    }

    fn flush(&mut self) -> anyhow::Result<()> {
        self.0.flush().map_err(stdout_error)
    }
}

fn stdout_error(e: io::Error) -> anyhow::Error {
    if e.kind() == io::ErrorKind::BrokenPipe {
        StdoutClosed.into()
    } else {
        anyhow::Error::new(e).context("cannot write to standard output")
    }
}

/// `say!(out, "format", args…)`: one line of a command's output.
macro_rules! say {
    ($out:expr, $($arg:tt)*) => {
        $out.line(format_args!($($arg)*))?
    };
}

type Stdout = Out<io::Stdout>;

fn execute(command: Command, settings: Settings, out: &mut Stdout) -> anyhow::Result<()> {
    match command {
        Command::Serve => serve(settings),
        Command::Migrate => {
            // With `serve`, the only command that may create the database.
            let mut conn = db::open(&settings.database.url)?;
            let applied = conn.run_migrations()?;
            if applied.is_empty() {
                say!(out, "database is up to date");
            }
            for version in applied {
                say!(out, "applied {version}");
            }
            let grouped = crate::problems::store::group_ungrouped(&mut conn, db::now())?;
            if grouped > 0 {
                say!(out, "grouped {grouped} report(s) into problems");
            }
            Ok(())
        }
        Command::CheckConfig => {
            out.text(format_args!("{}", toml::to_string_pretty(&settings)?))?;
            eprintln!("configuration is valid");
            Ok(())
        }
        Command::Backup { path } => {
            let mut conn = db::open_existing(&settings.database.url)?;
            conn.backup_to(&path)?;
            say!(out, "backed up to {}", path.display());
            Ok(())
        }
        Command::Privacy {
            action: PrivacyAction::Erase { email },
        } => {
            let mut conn = open_migrated(&settings)?;
            let erased = crate::privacy::erase_address(&mut conn, &email)?;
            say!(
                out,
                "erased {email}: {} report(s), {} e-mail(s) in the outbox",
                erased.reports,
                erased.emails
            );
            Ok(())
        }
        Command::Editor { action } => {
            editor(&mut open_migrated(&settings)?, &settings, action, out)
        }
        Command::Digest { action } => {
            digest(&mut open_migrated(&settings)?, &settings, action, out)
        }
        Command::Token { action } => token(&mut open_migrated(&settings)?, action, out),
        Command::Catalogue {
            action: CatalogueAction::Sync,
        } => catalogue_sync(settings, out),
        Command::Webhook { action } => {
            webhook(&mut open_migrated(&settings)?, &settings, action, out)
        }
    }
}

/// A webhook service error as one line naming the argument it is about.
fn webhook_error(e: crate::errors::ApiError) -> anyhow::Error {
    match e.field.as_deref() {
        Some("url") => anyhow::anyhow!("URL: {}", e.message),
        Some(field) => anyhow::anyhow!("--{field}: {}", e.message),
        None => anyhow::anyhow!(e.message),
    }
}

fn webhook(
    conn: &mut db::DbConn,
    settings: &Settings,
    action: WebhookAction,
    out: &mut Stdout,
) -> anyhow::Result<()> {
    use crate::webhooks::service::{self, NewWebhook};
    match action {
        WebhookAction::Add {
            url,
            events,
            format,
            include_text,
        } => {
            let new = NewWebhook {
                url,
                events,
                format,
                include_text,
            };
            let w = service::add(conn, &new, settings.webhooks.allow_private_targets)
                .map_err(webhook_error)?;
            eprintln!(
                "Subscribed webhook {} ({}) to {}. Its signing secret follows; store it now: it is not shown again.",
                w.id, w.url, w.events
            );
            say!(out, "{}", w.secret);
        }
        WebhookAction::List => {
            for w in crate::db::webhooks::list(conn)? {
                say!(
                    out,
                    "{}\t{}\t{}\t{}\t{}\tadded {}",
                    w.id,
                    w.url,
                    w.events,
                    w.format,
                    if w.include_text {
                        "with reader text"
                    } else {
                        "no reader text"
                    },
                    w.created_at.format("%Y-%m-%d %H:%M")
                );
            }
        }
        WebhookAction::Remove { id } => {
            service::remove(conn, id).map_err(webhook_error)?;
            say!(out, "removed webhook {id}");
        }
        WebhookAction::Test { id } => {
            let hooks = crate::webhooks::Hooks::new(settings.server.public_url.as_str());
            let delivery = service::queue_test(conn, &hooks, id).map_err(webhook_error)?;
            let attempt = service::deliver_now(conn, &settings.webhooks, &delivery)?;
            match attempt {
                crate::delivery::Attempt::Sent => {
                    say!(out, "delivered test {} to webhook {id}", delivery.id)
                }
                crate::delivery::Attempt::Transient(why) => anyhow::bail!(
                    "webhook {id}: test {} not delivered: {why} (it stays queued; `flagpole serve` retries it)",
                    delivery.id
                ),
                crate::delivery::Attempt::Permanent(why) => anyhow::bail!(
                    "webhook {id}: test {} not delivered: {why}",
                    delivery.id
                ),
            }
        }
    }
    Ok(())
}

fn catalogue_sync(settings: Settings, out: &mut Stdout) -> anyhow::Result<()> {
    use crate::catalogue::{Catalogue, Outcome, Progress};
    if settings.sites.catalogue.is_empty() {
        anyhow::bail!(
            "sites.catalogue: no sitemap configured; add [[sites.catalogue]] with sitemap = \"https://…/sitemap.xml\""
        );
    }
    drop(open_migrated(&settings)?);
    let (pool, _) = db::connect(
        &settings.database.url,
        2,
        std::time::Duration::from_secs(settings.database.connect_timeout_secs),
    )?;
    let sites = Arc::new(settings.sites.rules());
    let policies = Arc::new(settings.review.policies());
    let catalogue = Catalogue::new(db::Db::new(pool), Arc::new(settings), sites, policies);
    let mut show = |p: Progress| match p {
        Progress::Sitemap { url, pages: 0 } => eprintln!("sitemap index {url}"),
        Progress::Sitemap { url, pages } => eprintln!("sitemap {url}: {pages} pages"),
        Progress::SitemapFailed { url, error } => eprintln!("sitemap {url}: {error}"),
        Progress::Page {
            n,
            of,
            url,
            outcome,
        } => {
            let what = match outcome {
                Outcome::New { revision } => format!("new, revision {revision}"),
                Outcome::Changed { revision, gone: 0 } => format!("new revision {revision}"),
                Outcome::Changed { revision, gone } => {
                    format!("new revision {revision}; {gone} reported passage(s) gone")
                }
                Outcome::Same => "same revision".into(),
                Outcome::Unchanged => "unchanged (lastmod)".into(),
                Outcome::Skipped(why) => format!("skipped: {why}"),
                Outcome::Failed(error) => format!("failed: {error}"),
            };
            eprintln!("[{n}/{of}] {url}: {what}");
        }
    };
    let summary = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(catalogue.sync(&mut show))?;
    say!(
        out,
        "catalogue: {} sitemap(s), {} page(s) listed: {} new, {} changed, {} same, {} unchanged, {} skipped, {} failed; {} reported passage(s) gone",
        summary.sitemaps,
        summary.listed,
        summary.new,
        summary.changed,
        summary.same,
        summary.unchanged,
        summary.skipped.len(),
        summary.errors.len(),
        summary.passages_gone
    );
    for (url, why) in &summary.skipped {
        say!(out, "skipped {url}: {why}");
    }
    for (url, error) in &summary.errors {
        say!(out, "failed {url}: {error}");
    }
    Ok(())
}

fn token(conn: &mut db::DbConn, action: TokenAction, out: &mut Stdout) -> anyhow::Result<()> {
    match action {
        TokenAction::Create { name } => {
            let name = tokens::check_name(&name).map_err(cli_error)?;
            let token = tokens::create(conn, name).map_err(cli_error)?;
            eprintln!("Created token {name:?}. Store it now: it is not shown again.");
            say!(out, "{token}");
        }
        TokenAction::Revoke { name } => {
            tokens::revoke(conn, &name).map_err(cli_error)?;
            say!(out, "revoked {name:?}");
        }
        TokenAction::List => {
            for t in tokens::list(conn).map_err(cli_error)? {
                let state = match t.revoked_at {
                    Some(at) => format!("revoked {}", at.format("%Y-%m-%d %H:%M")),
                    None => "active".to_string(),
                };
                let used = t
                    .last_used_at
                    .map(|at| at.format("%Y-%m-%d %H:%M").to_string())
                    .unwrap_or_else(|| "never".into());
                say!(
                    out,
                    "{}\tcreated {}\tlast used {used}\t{state}",
                    t.name,
                    t.created_at.format("%Y-%m-%d %H:%M")
                );
            }
        }
    }
    Ok(())
}

fn editor(
    conn: &mut db::DbConn,
    settings: &Settings,
    action: EditorAction,
    out: &mut Stdout,
) -> anyhow::Result<()> {
    let find = |conn: &mut db::DbConn, email: &str| {
        editors::by_email(conn, email)
            .map(|e| EditorId(e.id))
            .map_err(cli_error)
    };
    match action {
        EditorAction::Invite {
            email,
            name,
            admin,
            owns,
        } => {
            let new = editors::new_editor(&name, &email, admin, &owns, true, true)
                .map_err(anyhow::Error::msg)?;
            editors::accounts::invite(conn, &new, "", settings.server.public_url.as_str())
                .map_err(cli_error)?;
            say!(
                out,
                "invited {} <{}> as {}; the link in the e-mail works for {} hours",
                new.name,
                new.email,
                new.role,
                editors::accounts::INVITATION_HOURS
            );
        }
        EditorAction::SetName { email, name } => {
            let id = find(conn, &email)?;
            editors::set_name(conn, id, &name).map_err(cli_error)?;
            say!(out, "{email} is now called {}", name.trim());
        }
        EditorAction::SetRole { email, role } => {
            let role = crate::domain::Role::parse(&role)
                .ok_or_else(|| anyhow::anyhow!("ROLE: {role:?} is neither admin nor editor"))?;
            let id = find(conn, &email)?;
            editors::set_role(conn, id, role).map_err(cli_error)?;
            say!(out, "{email} is now {role}");
        }
        EditorAction::SetScopes { email, scopes } => {
            let id = find(conn, &email)?;
            editors::set_scopes(conn, id, &scopes).map_err(cli_error)?;
            say!(
                out,
                "{email} owns {}",
                if scopes.is_empty() {
                    "nothing".to_string()
                } else {
                    scopes.join(", ")
                }
            );
        }
        EditorAction::SetEmail {
            email,
            alerts,
            digest,
        } => {
            let id = find(conn, &email)?;
            editors::set_subscriptions(conn, id, alerts == "on", digest == "on")
                .map_err(cli_error)?;
            say!(out, "{email}: alerts {alerts}, digest {digest}");
        }
        EditorAction::Remove { email } => {
            let id = find(conn, &email)?;
            editors::remove(conn, id).map_err(cli_error)?;
            say!(
                out,
                "removed {email}; their sessions are ended and their history keeps their name"
            );
        }
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
            say!(out, "added {} <{}> as {}", new.name, new.email, new.role);
        }
        EditorAction::List => {
            for e in db::editors::list(conn)? {
                let scopes: Vec<String> = e.scopes.iter().map(|s| s.to_string()).collect();
                say!(
                    out,
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
            let id = find(conn, &email)?;
            editors::set_active(conn, id, false).map_err(cli_error)?;
            say!(out, "disabled {email}; their sessions are ended");
        }
        EditorAction::Enable { email } => {
            let id = find(conn, &email)?;
            editors::set_active(conn, id, true).map_err(cli_error)?;
            say!(out, "enabled {email}");
        }
        EditorAction::SetPassword { email } => {
            let editor = editors::by_email(conn, &email).map_err(cli_error)?;
            let password = read_password()?;
            editors::set_password(conn, EditorId(editor.id), &password).map_err(cli_error)?;
            say!(
                out,
                "password set for {}; their sessions are ended",
                editor.email
            );
        }
    }
    Ok(())
}

/// A service's refusal as one line for the terminal.
fn cli_error(e: crate::errors::ApiError) -> anyhow::Error {
    match e.field {
        Some(field) => anyhow::anyhow!("{field}: {}", e.message),
        None => anyhow::anyhow!(e.message),
    }
}

fn digest(
    conn: &mut db::DbConn,
    settings: &Settings,
    action: DigestAction,
    out: &mut Stdout,
) -> anyhow::Result<()> {
    // `digest send` tells webhook subscriptions `digest.ready` as `serve` would (once a week,
    // whichever queues it first); a running `serve` delivers it.
    let hooks = Arc::new(crate::webhooks::Hooks::new(
        settings.server.public_url.as_str(),
    ));
    hooks.refresh(conn)?;
    let digests = Digests::from_settings(settings, Arc::new(Notify::new())).with_webhooks(hooks);
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
                    say!(
                        out,
                        "<!-- To: {} <{}>; Subject: {} -->",
                        editor.name,
                        editor.email,
                        email.subject
                    );
                    say!(out, "{}", email.html);
                } else {
                    if i > 0 {
                        say!(out, "{}", "=".repeat(72));
                    }
                    say!(
                        out,
                        "To: {} <{}>\nSubject: {}\n\n{}",
                        editor.name,
                        editor.email,
                        email.subject,
                        email.text
                    );
                }
            }
        }
        DigestAction::Send { week } => {
            // A week named with --week is queued whatever it is: the operator asked for it. The
            // default, like the scheduler, skips a week that ended before this installation.
            let week = match week {
                Some(week) => week,
                None => {
                    let week = default_week();
                    if let Some(installed) = digests.installed_after(conn, week)? {
                        say!(
                            out,
                            "nothing queued: {week} ended before flagpole was installed here ({}); \
                             name it with --week to queue it all the same",
                            installed.format("%Y-%m-%d %H:%M UTC")
                        );
                        return Ok(());
                    }
                    week
                }
            };
            let q = digests.enqueue_week(conn, week, Utc::now())?;
            say!(
                out,
                "queued {} digests for {week} ({} queued already)",
                q.queued,
                q.already
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
        let bind = settings.server.bind;
        let app = Application::build(settings)?;
        tracing::info!(%bind, port = app.port(), version = VERSION, "flagpole listening");
        let stop = stop_signal()?;
        let server = app.handle();
        actix_web::rt::spawn(async move {
            let signal = stop.await;
            tracing::info!(
                signal,
                "stopping: no new connections, in-flight requests may finish"
            );
            server.stop(true).await;
        });
        app.run_until_stopped().await
    })
}

/// Resolves at the first SIGINT (Ctrl-C) or SIGTERM, with its name. Both stop `serve` gracefully;
/// actix-web's own handling, which this replaces, made Ctrl-C a forced stop that dropped
/// in-flight requests. The handlers are installed before this returns, so a signal that comes
/// before the future is first polled still counts.
fn stop_signal() -> io::Result<impl Future<Output = &'static str>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => "SIGINT",
            _ = terminate.recv() => "SIGTERM",
        }
    })
}

/// The database for every command but `serve` and `migrate`: it must exist (see
/// `db::open_existing`); pending migrations are applied.
fn open_migrated(settings: &Settings) -> anyhow::Result<db::DbConn> {
    let mut conn = db::open_existing(&settings.database.url)?;
    conn.run_migrations()?;
    Ok(conn)
}
