//! Typed settings: the built-in `config/default.toml`, then an optional `--config` file, then
//! `FLAGPOLE__SECTION__KEY` environment variables. Every struct refuses unknown keys so a typo is a
//! start-up error naming the key, not a silently ignored line.
//!
//! Values deserialise straight into the types the code uses (`SocketAddr`, `Url`, `Tz`,
//! `Mailbox`, [`DatabaseTarget`], [`DigestHour`]), so what passed loading needs no second parse
//! and has nothing to fall back to. Secrets (the SMTP password, a PostgreSQL URL's password) are
//! `SecretString`s: they never appear in `Debug` output, and `check-config` prints them as
//! `REDACTED`.
//!
//! This module imports no capability: only `domain` (report categories, for alert rules).

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use chrono::{NaiveTime, Timelike};
use chrono_tz::Tz;
use figment::providers::{Env, Format, Toml};
use figment::Figment;
use ipnet::IpNet;
use lettre::message::Mailbox;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use url::Url;

use crate::domain::{Category, ReviewPolicies, ReviewPolicy, Scope, SiteRules};

const DEFAULTS: &str = include_str!("../config/default.toml");

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub sites: SiteSettings,
    pub privacy: PrivacySettings,
    pub limits: LimitSettings,
    pub alerts: AlertSettings,
    pub digest: DigestSettings,
    pub review: ReviewSettings,
    pub catalogue: CatalogueSettings,
    pub smtp: SmtpSettings,
    pub webhooks: WebhookSettings,
    pub telemetry: TelemetrySettings,
    pub lanes: LaneConfig,
    pub auth: AuthSettings,
}

/// How editors sign in to the dashboard: passwords, single sign-on through an OpenID provider
/// (`[auth.oidc]`), or both.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    /// Off: the sign-in page shows only single sign-on, and a password is refused even where
    /// an editor has one.
    pub passwords: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oidc: Option<OidcSettings>,
}

/// `[auth.oidc]`: the OpenID provider editors sign in with.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OidcSettings {
    /// The provider's issuer, exactly as its discovery document (at
    /// `<issuer>/.well-known/openid-configuration`) spells it: a string, not a `Url`, because
    /// `Url` would add a trailing slash the ID tokens' `iss` does not have.
    pub issuer: String,
    pub client_id: String,
    #[serde(serialize_with = "redacted")]
    pub client_secret: SecretString,
    /// The provider's name on the sign-in button: "Sign in with <display_name>".
    #[serde(default = "default_oidc_name")]
    pub display_name: String,
    /// E-mail domains whose verified addresses become editors (role editor, owning nothing) on
    /// their first sign-in. Empty: only existing editors may sign in.
    #[serde(default)]
    pub allowed_domains: Vec<String>,
    /// Scopes asked for besides `openid` (always asked for).
    #[serde(default = "default_oidc_scopes")]
    pub scopes: Vec<String>,
}

fn default_oidc_name() -> String {
    "single sign-on".into()
}

fn default_oidc_scopes() -> Vec<String> {
    vec!["email".into(), "profile".into()]
}

/// How reports are sorted into lanes (see `crate::lanes`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LaneConfig {
    /// Domains whose links count as evidence of a real report; None: the built-in list.
    pub trusted_sources: Option<Vec<String>>,
    /// Two texts sharing at least this share of their 5-grams are near-copies.
    pub near_copy_similarity: f32,
    /// How many corpus examples one editor's lesson counts as.
    pub lesson_weight: f32,
    /// What a reader who asked for personal advice, or described an emergency, is told.
    pub signposting: Vec<Signposting>,
}

/// One signposting text: for article hosts (`*` for any, `*.example.org` for subdomains) and a
/// page language (`*` for any).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Signposting {
    pub hosts: Vec<String>,
    pub lang: String,
    pub text: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    #[serde(deserialize_with = "socket_addr")]
    pub bind: SocketAddr,
    pub public_url: Url,
    pub trusted_proxies: Vec<IpNet>,
    pub workers: usize,
    pub shutdown_timeout_secs: u64,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    /// Relative SQLite paths are resolved against the config file's directory by `load`.
    pub url: DatabaseTarget,
    pub migrate_on_start: bool,
    pub pool_size: u32,
    pub connect_timeout_secs: u64,
    pub writers: usize,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SiteSettings {
    pub allowed_hosts: Vec<String>,
    pub tracking_params: Vec<String>,
    pub query_params: Vec<String>,
    /// `[[sites.catalogue]]`: the sitemaps that list the articles.
    pub catalogue: Vec<CatalogueSitemap>,
}

impl SiteSettings {
    /// The rules article URLs are checked and canonicalised by.
    pub fn rules(&self) -> SiteRules {
        SiteRules {
            allowed_hosts: self.allowed_hosts.clone(),
            tracking_params: self.tracking_params.clone(),
            query_params: self.query_params.clone(),
        }
    }
}

/// One `[[sites.catalogue]]` entry: a sitemap (or sitemap index; `.xml.gz` too).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct CatalogueSitemap {
    pub sitemap: Url,
}

/// How the catalogue fetches pages.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogueSettings {
    /// `flagpole serve` syncs the catalogue this often; 0: only `flagpole catalogue sync`.
    pub sync_interval_hours: u64,
    /// Pause between two requests to the same host, in milliseconds.
    pub delay_ms: u64,
    /// Give up on a request (connecting and reading the whole body) after this many seconds.
    pub timeout_secs: u64,
    /// A page larger than this is not read.
    pub max_page_bytes: usize,
    /// A sitemap larger than this (uncompressed) is not read.
    pub max_sitemap_bytes: usize,
    /// The User-Agent header; empty: `flagpole-catalogue/VERSION (+server.public_url)`.
    pub user_agent: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PrivacySettings {
    pub scrub_free_text: bool,
    pub erase_email_after_days: i64,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LimitSettings {
    pub rate_limit_enabled: bool,
    pub per_minute: u32,
    pub burst: u32,
    pub max_body_bytes: usize,
    pub body_timeout_secs: u64,
    pub max_url_chars: usize,
    pub max_title_chars: usize,
    pub max_comment_chars: usize,
    pub max_quote_chars: usize,
    pub max_details_chars: usize,
    pub max_email_chars: usize,
    pub max_revision_chars: usize,
    /// No longer used (links are one of the lanes' signals); accepted so that an older
    /// configuration still loads, and warned about at start-up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spam_link_count: Option<usize>,
    pub votes_per_address_per_article: u32,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AlertSettings {
    pub enabled: bool,
    pub cooldown_hours: i64,
    pub max_per_host_per_hour: u32,
    pub rules: Vec<AlertRule>,
}

/// One alert rule; `kind` picks which figures it watches.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum AlertRule {
    OpenReports {
        name: String,
        /// The threshold, in what `count` counts.
        min_reports: i64,
        window_days: i64,
        #[serde(default)]
        count: OpenCount,
    },
    NotHelpfulShare {
        name: String,
        min_share: f64,
        min_votes: i64,
        window_days: i64,
    },
    Immediate {
        name: String,
        categories: Vec<Category>,
    },
}

/// What an `open_reports` rule counts among the open reports in its window.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum OpenCount {
    /// Distinct readers (one reader's three reports count once; five readers of one problem
    /// count five). The default: how many people ran into something.
    #[default]
    Readers,
    /// Distinct problems (five readers of one wrong dose count once).
    Problems,
    /// Every report, as before problems existed.
    Reports,
}

impl OpenCount {
    /// The counted thing, plural, for e-mails.
    pub fn plural(self) -> &'static str {
        match self {
            OpenCount::Readers => "readers with open reports",
            OpenCount::Problems => "open problems",
            OpenCount::Reports => "open reports",
        }
    }
}

impl AlertRule {
    pub fn name(&self) -> &str {
        match self {
            AlertRule::OpenReports { name, .. }
            | AlertRule::NotHelpfulShare { name, .. }
            | AlertRule::Immediate { name, .. } => name,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DigestSettings {
    pub enabled: bool,
    pub weekday: DigestWeekday,
    pub hour: DigestHour,
    pub time_zone: Tz,
    pub items_per_section: usize,
    pub min_votes_for_drop: i64,
}

/// The day the digest goes out; spelled out in config (`"monday"`).
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum DigestWeekday {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl DigestWeekday {
    pub fn to_chrono(self) -> chrono::Weekday {
        match self {
            DigestWeekday::Monday => chrono::Weekday::Mon,
            DigestWeekday::Tuesday => chrono::Weekday::Tue,
            DigestWeekday::Wednesday => chrono::Weekday::Wed,
            DigestWeekday::Thursday => chrono::Weekday::Thu,
            DigestWeekday::Friday => chrono::Weekday::Fri,
            DigestWeekday::Saturday => chrono::Weekday::Sat,
            DigestWeekday::Sunday => chrono::Weekday::Sun,
        }
    }
}

/// The hour of the day the digest is queued (0–23, on the hour); anything else is refused when
/// the configuration loads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct DigestHour(NaiveTime);

impl DigestHour {
    pub fn time(self) -> NaiveTime {
        self.0
    }
}

impl TryFrom<u32> for DigestHour {
    type Error = String;

    fn try_from(hour: u32) -> Result<DigestHour, String> {
        NaiveTime::from_hms_opt(hour, 0, 0)
            .map(DigestHour)
            .ok_or_else(|| format!("{hour} is not an hour between 0 and 23"))
    }
}

impl From<DigestHour> for u32 {
    fn from(hour: DigestHour) -> u32 {
        hour.0.hour()
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewSettings {
    /// The interval for articles no policy covers.
    pub default_interval_days: i64,
    /// "Due soon" means due within this many days.
    pub due_soon_days: i64,
    pub policies: Vec<ReviewPolicySetting>,
}

/// `[[review.policies]]`: review articles under `scope` (a host, or host/path) every
/// `interval_days` days.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ReviewPolicySetting {
    pub scope: String,
    pub interval_days: i64,
}

impl ReviewSettings {
    /// The policies as the code applies them (validated when the configuration loaded).
    pub fn policies(&self) -> ReviewPolicies {
        let policies = self
            .policies
            .iter()
            .filter_map(|p| {
                Some(ReviewPolicy {
                    scope: Scope::parse(&p.scope).ok()?,
                    interval_days: p.interval_days,
                })
            })
            .collect();
        ReviewPolicies::new(policies, self.default_interval_days, self.due_soon_days)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        // About 270 years: beyond that a due date leaves the range of a timestamp.
        const MAX_DAYS: i64 = 100_000;
        if !(1..=MAX_DAYS).contains(&self.default_interval_days) {
            return Err(ConfigError(format!(
                "review.default_interval_days: must be between 1 and {MAX_DAYS}"
            )));
        }
        if !(0..=MAX_DAYS).contains(&self.due_soon_days) {
            return Err(ConfigError(format!(
                "review.due_soon_days: must be between 0 and {MAX_DAYS}"
            )));
        }
        let mut seen = std::collections::HashSet::new();
        for p in &self.policies {
            let scope = Scope::parse(&p.scope)
                .map_err(|why| ConfigError(format!("review.policies: scope {why}")))?;
            if !(1..=MAX_DAYS).contains(&p.interval_days) {
                return Err(ConfigError(format!(
                    "review.policies: {scope}: interval_days must be between 1 and {MAX_DAYS}"
                )));
            }
            if !seen.insert(scope.to_string()) {
                return Err(ConfigError(format!(
                    "review.policies: {scope} has two policies"
                )));
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub username: String,
    #[serde(serialize_with = "redacted")]
    pub password: SecretString,
    #[serde(deserialize_with = "mailbox")]
    pub from: Mailbox,
    pub timeout_secs: u64,
    pub max_attempts: i32,
    pub retry_base_secs: u64,
    pub poll_secs: u64,
}

/// Webhook deliveries (see `crate::webhooks`): retried like e-mails.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookSettings {
    /// Accept subscriptions to http:// URLs and to addresses on loopback, private or
    /// link-local networks. Off: only https:// URLs that resolve to public addresses.
    pub allow_private_targets: bool,
    /// Seconds to wait for the receiver (connecting and answering) before an attempt fails.
    pub timeout_secs: u64,
    pub max_attempts: i32,
    pub retry_base_secs: u64,
    pub poll_secs: u64,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    None,
    Starttls,
    Tls,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TelemetrySettings {
    pub log_format: LogFormat,
    pub log_level: String,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Pretty,
    Json,
}

/// `database.url`: which database, decided once from the scheme. A PostgreSQL URL may carry a
/// password, so it is held as a secret: `Debug`, `Display` and `Serialize` (what `check-config`
/// prints) show it with the password as REDACTED; only [`DatabaseTarget::expose_url`] and the
/// connection itself see it.
#[derive(Clone)]
pub enum DatabaseTarget {
    Sqlite(PathBuf),
    Postgres(SecretString),
}

impl DatabaseTarget {
    /// The URL with its password, for handing to another process (tests, scripts).
    pub fn expose_url(&self) -> String {
        match self {
            DatabaseTarget::Sqlite(path) => format!("sqlite://{}", path.display()),
            DatabaseTarget::Postgres(url) => url.expose_secret().to_string(),
        }
    }

    /// A relative SQLite path joined to `dir`; anything else unchanged.
    fn relative_to(self, dir: &Path) -> DatabaseTarget {
        match self {
            DatabaseTarget::Sqlite(path) if path.is_relative() => {
                DatabaseTarget::Sqlite(dir.join(path))
            }
            other => other,
        }
    }
}

impl FromStr for DatabaseTarget {
    type Err = String;

    fn from_str(raw: &str) -> Result<DatabaseTarget, String> {
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            // The parser's messages never quote the URL, so the password stays out of them.
            return match Url::parse(raw) {
                Ok(u) if u.host().is_some() || u.query().is_some_and(|q| q.contains("host=")) => {
                    Ok(DatabaseTarget::Postgres(raw.into()))
                }
                Ok(_) => Err("a postgres:// URL needs a host".into()),
                Err(e) => Err(format!("malformed postgres URL ({e})")),
            };
        }
        if let Some(path) = raw.strip_prefix("sqlite://") {
            if path.is_empty() || path == ":memory:" {
                return Err(
                    "sqlite:// needs a file path (an in-memory database would lose every vote)"
                        .into(),
                );
            }
            return Ok(DatabaseTarget::Sqlite(PathBuf::from(path)));
        }
        Err("expected sqlite://PATH or postgres://USER@HOST/DB".into())
    }
}

impl fmt::Display for DatabaseTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatabaseTarget::Sqlite(path) => write!(f, "sqlite://{}", path.display()),
            DatabaseTarget::Postgres(url) => f.write_str(&redact_url(url.expose_secret())),
        }
    }
}

impl fmt::Debug for DatabaseTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseTarget({self})")
    }
}

impl PartialEq for DatabaseTarget {
    fn eq(&self, other: &DatabaseTarget) -> bool {
        match (self, other) {
            (DatabaseTarget::Sqlite(a), DatabaseTarget::Sqlite(b)) => a == b,
            (DatabaseTarget::Postgres(a), DatabaseTarget::Postgres(b)) => {
                a.expose_secret() == b.expose_secret()
            }
            _ => false,
        }
    }
}

impl Eq for DatabaseTarget {}

impl<'de> Deserialize<'de> for DatabaseTarget {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<DatabaseTarget, D::Error> {
        // Through a SecretString, so the raw URL never sits in an ordinary String.
        let raw = SecretString::deserialize(deserializer)?;
        raw.expose_secret()
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

impl Serialize for DatabaseTarget {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

fn socket_addr<'de, D: Deserializer<'de>>(deserializer: D) -> Result<SocketAddr, D::Error> {
    parse_expecting(deserializer, "HOST:PORT, e.g. 127.0.0.1:8080")
}

fn mailbox<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Mailbox, D::Error> {
    parse_expecting(
        deserializer,
        "an address like \"flagpole <alerts@example.org>\"",
    )
}

/// A string parsed with `FromStr`, with an error that says what was expected: the parsers' own
/// messages ("invalid input") do not.
fn parse_expecting<'de, D, T>(deserializer: D, expected: &str) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: FromStr,
    T::Err: fmt::Display,
{
    let raw = String::deserialize(deserializer)?;
    raw.parse()
        .map_err(|e| serde::de::Error::custom(format!("{raw:?} is not {expected} ({e})")))
}

/// How `check-config` shows a secret: REDACTED, or empty when it is not set.
fn redacted<S: Serializer>(secret: &SecretString, serializer: S) -> Result<S::Ok, S::Error> {
    let shown = if secret.expose_secret().is_empty() {
        ""
    } else {
        "REDACTED"
    };
    serializer.serialize_str(shown)
}

/// A configuration problem, phrased as one line that names the key.
#[derive(Debug, thiserror::Error)]
#[error("configuration error: {0}")]
pub struct ConfigError(pub String);

impl Settings {
    /// Layers defaults, the optional file and the environment, then validates. A relative SQLite
    /// path is resolved against the directory of `file` (whichever layer set it), so every
    /// command given the same file finds the same database wherever it is run from; without a
    /// file it stays relative to the current directory.
    pub fn load(file: Option<&Path>) -> Result<Settings, ConfigError> {
        let mut figment = Figment::from(Toml::string(DEFAULTS));
        if let Some(path) = file {
            // figment silently skips a missing file; an operator who names one means it.
            std::fs::metadata(path).map_err(|e| {
                ConfigError(format!("cannot read config file {}: {e}", path.display()))
            })?;
            figment = figment.merge(Toml::file(path));
        }
        figment = figment.merge(Env::prefixed("FLAGPOLE__").split("__"));
        let mut settings: Settings = figment.extract().map_err(|errors| {
            let first = errors.into_iter().next();
            ConfigError(match first {
                Some(e) => describe_figment_error(&e),
                None => "unknown error".to_string(),
            })
        })?;
        if let Some(path) = file {
            let dir = config_dir(path)?;
            settings.database.url = settings.database.url.relative_to(&dir);
        }
        settings.validate()?;
        Ok(settings)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let bad = |key: &str, msg: String| Err(ConfigError(format!("{key}: {msg}")));
        let public = &self.server.public_url;
        if !matches!(public.scheme(), "http" | "https") || public.host().is_none() {
            return bad(
                "server.public_url",
                "must be an http:// or https:// URL".into(),
            );
        }
        if self.database.writers > 1 && matches!(self.database.url, DatabaseTarget::Sqlite(_)) {
            return bad(
                "database.writers",
                "SQLite allows one writer; use 0 (automatic) or 1".into(),
            );
        }
        if self.database.pool_size == 0 {
            return bad("database.pool_size", "must be at least 1".into());
        }
        if self.sites.allowed_hosts.is_empty() {
            return bad(
                "sites.allowed_hosts",
                "must list at least one host, or no feedback can be accepted".into(),
            );
        }
        for host in &self.sites.allowed_hosts {
            let bare = host.strip_prefix("*.").unwrap_or(host);
            if bare.is_empty() || bare.contains(['/', ':', ' ']) || bare != bare.to_lowercase() {
                return bad(
                    "sites.allowed_hosts",
                    format!("{host:?} is not a lower-case host name (no scheme, port or path)"),
                );
            }
        }
        if self.limits.per_minute == 0 || self.limits.burst == 0 {
            return bad(
                "limits.per_minute",
                "per_minute and burst must be at least 1".into(),
            );
        }
        if self.limits.max_body_bytes < 1024 {
            return bad("limits.max_body_bytes", "must be at least 1024".into());
        }
        if self.limits.body_timeout_secs == 0 {
            return bad("limits.body_timeout_secs", "must be at least 1".into());
        }
        if self.privacy.erase_email_after_days < 0 {
            return bad(
                "privacy.erase_email_after_days",
                "must not be negative".into(),
            );
        }
        self.validate_alerts()?;
        self.validate_lanes()?;
        if !(1..=50).contains(&self.digest.items_per_section) {
            return bad(
                "digest.items_per_section",
                "must be between 1 and 50".into(),
            );
        }
        if self.digest.min_votes_for_drop < 1 {
            return bad("digest.min_votes_for_drop", "must be at least 1".into());
        }
        self.review.validate()?;
        self.validate_catalogue()?;
        if self.smtp.host.trim().is_empty() {
            return bad("smtp.host", "must name the SMTP server".into());
        }
        if self.smtp.max_attempts < 1 || self.smtp.poll_secs == 0 {
            return bad(
                "smtp.max_attempts",
                "max_attempts and poll_secs must be at least 1".into(),
            );
        }
        self.validate_auth()?;
        for (key, ok) in [
            ("webhooks.max_attempts", self.webhooks.max_attempts >= 1),
            ("webhooks.poll_secs", self.webhooks.poll_secs >= 1),
            ("webhooks.timeout_secs", self.webhooks.timeout_secs >= 1),
        ] {
            if !ok {
                return bad(key, "must be at least 1".into());
            }
        }
        if tracing_subscriber::EnvFilter::try_new(&self.telemetry.log_level).is_err() {
            return bad(
                "telemetry.log_level",
                format!("{:?} is not a valid filter", self.telemetry.log_level),
            );
        }
        Ok(())
    }
}

impl Settings {
    fn validate_auth(&self) -> Result<(), ConfigError> {
        let bad = |key: &str, msg: String| Err(ConfigError(format!("auth.{key}: {msg}")));
        let Some(oidc) = &self.auth.oidc else {
            if !self.auth.passwords {
                return bad(
                    "passwords",
                    "false needs [auth.oidc], or no one could sign in".into(),
                );
            }
            return Ok(());
        };
        let issuer = Url::parse(&oidc.issuer).ok();
        if !issuer.is_some_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some()) {
            return bad("oidc.issuer", "must be an http:// or https:// URL".into());
        }
        if oidc.client_id.trim().is_empty() {
            return bad("oidc.client_id", "must not be empty".into());
        }
        if oidc.display_name.trim().is_empty() {
            return bad("oidc.display_name", "must not be empty".into());
        }
        for domain in &oidc.allowed_domains {
            if domain.is_empty()
                || domain.contains(['@', '/', ':', ' ', '*'])
                || *domain != domain.to_lowercase()
            {
                return bad(
                    "oidc.allowed_domains",
                    format!("{domain:?} is not a lower-case domain (example.org, no @ or *)"),
                );
            }
        }
        if oidc.scopes.iter().any(|s| s.is_empty() || s.contains(' ')) {
            return bad(
                "oidc.scopes",
                "each scope is one word without spaces".into(),
            );
        }
        Ok(())
    }

    fn validate_lanes(&self) -> Result<(), ConfigError> {
        let bad = |key: &str, msg: &str| Err(ConfigError(format!("lanes.{key}: {msg}")));
        let lanes = &self.lanes;
        if !(lanes.near_copy_similarity > 0.0 && lanes.near_copy_similarity <= 1.0) {
            return bad("near_copy_similarity", "must be above 0 and at most 1");
        }
        if !(lanes.lesson_weight > 0.0 && lanes.lesson_weight.is_finite()) {
            return bad("lesson_weight", "must be a positive number");
        }
        for s in &lanes.signposting {
            if s.hosts.is_empty() || s.lang.trim().is_empty() {
                return bad(
                    "signposting",
                    "every entry needs hosts and a lang (\"*\" for any)",
                );
            }
            if s.text.trim().is_empty() || s.text.chars().count() > 500 {
                return bad("signposting", "every text must be 1 to 500 characters");
            }
        }
        Ok(())
    }

    fn validate_catalogue(&self) -> Result<(), ConfigError> {
        let sites = self.sites.rules();
        for entry in &self.sites.catalogue {
            let url = &entry.sitemap;
            if !matches!(url.scheme(), "http" | "https") {
                return Err(ConfigError(format!(
                    "sites.catalogue: {url} must be an http:// or https:// URL"
                )));
            }
            if !url.host_str().is_some_and(|h| sites.host_allowed(h)) {
                return Err(ConfigError(format!(
                    "sites.catalogue: {url} is not on a host in sites.allowed_hosts"
                )));
            }
        }
        let c = &self.catalogue;
        if c.timeout_secs == 0 {
            return Err(ConfigError(
                "catalogue.timeout_secs: must be at least 1".into(),
            ));
        }
        if c.max_page_bytes < 1024 || c.max_sitemap_bytes < 1024 {
            return Err(ConfigError(
                "catalogue.max_page_bytes: max_page_bytes and max_sitemap_bytes must be at least 1024"
                    .into(),
            ));
        }
        if c.user_agent.chars().any(|ch| ch.is_control()) {
            return Err(ConfigError(
                "catalogue.user_agent: must be one line of text".into(),
            ));
        }
        Ok(())
    }

    fn validate_alerts(&self) -> Result<(), ConfigError> {
        let bad = |msg: String| Err(ConfigError(format!("alerts.rules: {msg}")));
        if self.alerts.cooldown_hours < 0 {
            return Err(ConfigError(
                "alerts.cooldown_hours: must not be negative".into(),
            ));
        }
        let mut names = std::collections::HashSet::new();
        for rule in &self.alerts.rules {
            let name = rule.name();
            if name.trim().is_empty() || !names.insert(name) {
                return bad(format!("every rule needs a unique name ({name:?})"));
            }
            match rule {
                AlertRule::OpenReports {
                    min_reports,
                    window_days,
                    ..
                } => {
                    if *min_reports < 1 || *window_days < 1 {
                        return bad(format!(
                            "{name}: min_reports and window_days must be at least 1"
                        ));
                    }
                }
                AlertRule::NotHelpfulShare {
                    min_share,
                    min_votes,
                    window_days,
                    ..
                } => {
                    if !(0.0..=1.0).contains(min_share) || *min_votes < 1 || *window_days < 1 {
                        return bad(format!(
                            "{name}: min_share must be between 0 and 1, min_votes and window_days at least 1"
                        ));
                    }
                }
                AlertRule::Immediate { categories, .. } => {
                    if categories.is_empty() {
                        return bad(format!("{name}: list at least one category"));
                    }
                }
            }
        }
        Ok(())
    }
}

fn describe_figment_error(e: &figment::Error) -> String {
    let key = if e.path.is_empty() {
        String::new()
    } else {
        format!("{}: ", e.path.join("."))
    };
    let source = match &e.metadata {
        Some(md) => match &md.source {
            Some(src) => format!(" (from {src})"),
            None => format!(" (from {})", md.name),
        },
        None => String::new(),
    };
    format!("{key}{}{source}", e.kind)
}

/// The directory a config file's relative paths are relative to, as an absolute path so that
/// messages and `check-config` name the real place.
fn config_dir(file: &Path) -> Result<PathBuf, ConfigError> {
    let file = std::path::absolute(file).map_err(|e| {
        ConfigError(format!(
            "cannot resolve config file {}: {e}",
            file.display()
        ))
    })?;
    Ok(file.parent().map(Path::to_path_buf).unwrap_or_default())
}

fn redact_url(raw: &str) -> String {
    match Url::parse(raw) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("REDACTED"));
            u.to_string()
        }
        _ => raw.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Loads the defaults with `toml` as the `--config` file, from a directory of its own.
    fn load_with(toml: &str) -> (Result<Settings, ConfigError>, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("flagpole.toml");
        std::fs::write(&file, toml).unwrap();
        (Settings::load(Some(&file)), dir)
    }

    #[test]
    fn defaults_load_and_validate() {
        let s = Settings::load(None).expect("defaults are valid");
        assert_eq!(s.server.bind, SocketAddr::from(([127, 0, 0, 1], 8080)));
        assert_eq!(s.server.public_url.as_str(), "http://127.0.0.1:8080/");
        assert_eq!(s.digest.time_zone, chrono_tz::Europe::London);
        assert_eq!(u32::from(s.digest.hour), 8);
        assert_eq!(s.smtp.from.to_string(), "flagpole <flagpole@localhost>");
        // Without a config file a relative path stays relative to the current directory.
        assert_eq!(
            s.database.url,
            DatabaseTarget::Sqlite(PathBuf::from("data/flagpole.db"))
        );
    }

    #[test]
    fn a_relative_sqlite_path_is_relative_to_the_config_file() {
        let (s, dir) = load_with("[server]\nworkers = 1\n");
        let dir = std::path::absolute(dir.path()).unwrap();
        // The built-in default too: the file decides where "data/" is.
        assert_eq!(
            s.unwrap().database.url,
            DatabaseTarget::Sqlite(dir.join("data/flagpole.db"))
        );
        let (s, dir) = load_with("[database]\nurl = \"sqlite://db/feedback.db\"\n");
        let dir = std::path::absolute(dir.path()).unwrap();
        assert_eq!(
            s.unwrap().database.url,
            DatabaseTarget::Sqlite(dir.join("db/feedback.db"))
        );
        let (s, _dir) = load_with("[database]\nurl = \"sqlite:///srv/flagpole.db\"\n");
        assert_eq!(
            s.unwrap().database.url,
            DatabaseTarget::Sqlite(PathBuf::from("/srv/flagpole.db"))
        );
    }

    #[test]
    fn secrets_never_print() {
        let (s, _dir) = load_with(
            "[database]\nurl = \"postgres://app:s3cret@db:5432/flagpole\"\n\
             [smtp]\nusername = \"mailer\"\npassword = \"hunter2\"\n",
        );
        let s = s.expect("valid");
        assert_eq!(
            s.database.url.expose_url(),
            "postgres://app:s3cret@db:5432/flagpole"
        );
        assert_eq!(s.smtp.password.expose_secret(), "hunter2");
        let debug = format!("{s:?}");
        let shown = toml::to_string_pretty(&s).unwrap();
        for text in [&debug, &shown, &s.database.url.to_string()] {
            assert!(
                !text.contains("s3cret") && !text.contains("hunter2"),
                "{text}"
            );
        }
        assert!(
            shown.contains("url = \"postgres://app:REDACTED@db:5432/flagpole\""),
            "{shown}"
        );
        assert!(shown.contains("password = \"REDACTED\""), "{shown}");
        // An unset password shows as unset.
        let defaults = toml::to_string_pretty(&Settings::load(None).unwrap()).unwrap();
        assert!(defaults.contains("password = \"\""), "{defaults}");
    }

    #[test]
    fn single_sign_on_is_checked_and_its_secret_never_prints() {
        let oidc = "[auth.oidc]\nissuer = \"https://login.example.com\"\n\
                    client_id = \"flagpole\"\nclient_secret = \"oidc-s3cret\"\n";
        let (s, _dir) = load_with(oidc);
        let s = s.expect("valid");
        let o = s.auth.oidc.as_ref().expect("[auth.oidc]");
        // Kept exactly: a `Url` would add the slash that the provider's `iss` lacks.
        assert_eq!(o.issuer, "https://login.example.com");
        assert_eq!(o.display_name, "single sign-on");
        assert_eq!(o.scopes, ["email", "profile"]);
        assert!(s.auth.passwords && o.allowed_domains.is_empty());
        let shown = toml::to_string_pretty(&s).unwrap();
        assert!(!shown.contains("oidc-s3cret") && !format!("{s:?}").contains("oidc-s3cret"));
        assert!(shown.contains("client_secret = \"REDACTED\""), "{shown}");

        for (toml, key) in [
            ("[auth]\npasswords = false\n", "auth.passwords"),
            (
                "[auth.oidc]\nissuer = \"login.example.com\"\nclient_id = \"x\"\nclient_secret = \"\"\n",
                "auth.oidc.issuer",
            ),
            (
                "[auth.oidc]\nissuer = \"https://l.example\"\nclient_id = \" \"\nclient_secret = \"\"\n",
                "auth.oidc.client_id",
            ),
            (
                "[auth.oidc]\nissuer = \"https://l.example\"\nclient_id = \"x\"\nclient_secret = \"\"\n\
                 allowed_domains = [\"@Example.org\"]\n",
                "auth.oidc.allowed_domains",
            ),
        ] {
            let (loaded, _dir) = load_with(toml);
            let error = loaded.expect_err(toml).to_string();
            assert!(error.contains(key), "{toml}: {error}");
        }
    }

    #[test]
    fn typed_values_are_checked_when_loading_and_named() {
        for (toml, key) in [
            (
                "[digest]\ntime_zone = \"Europe/Londn\"\n",
                "digest.time_zone",
            ),
            ("[digest]\nhour = 24\n", "digest.hour"),
            ("[server]\nbind = \"localhost\"\n", "server.bind"),
            (
                "[server]\npublic_url = \"example.org\"\n",
                "server.public_url",
            ),
            (
                "[server]\npublic_url = \"ftp://example.org\"\n",
                "server.public_url",
            ),
            ("[smtp]\nfrom = \"flagpole\"\n", "smtp.from"),
            ("[database]\nurl = \"mysql://x/y\"\n", "database.url"),
            (
                "[database]\nurl = \"postgres://app:s3cret@/x\"\n",
                "database.url",
            ),
        ] {
            let err = load_with(toml).0.unwrap_err().to_string();
            assert!(err.contains(key), "{toml}: {err}");
            assert!(!err.contains("s3cret"), "{err}");
            assert_eq!(err.lines().count(), 1, "{err}");
        }
    }

    #[test]
    fn review_policies_are_checked_and_named() {
        let (s, _dir) = load_with(
            "[review]\ndue_soon_days = 14\n\
             [[review.policies]]\nscope = \"health.example.org/medicines\"\ninterval_days = 365\n",
        );
        let policies = s.expect("valid").review.policies();
        assert_eq!(
            policies.interval_days("health.example.org", "/medicines/x"),
            365
        );
        assert_eq!(
            policies.interval_days("health.example.org", "/conditions"),
            730
        );
        assert_eq!(policies.due_soon_days, 14);
        for (toml, key) in [
            (
                "[[review.policies]]\nscope = \"a b\"\ninterval_days = 1\n",
                "review.policies",
            ),
            (
                "[[review.policies]]\nscope = \"example.org\"\ninterval_days = 0\n",
                "review.policies",
            ),
            (
                "[[review.policies]]\nscope = \"example.org\"\n",
                "review.policies",
            ),
            ("[review]\ndue_soon_days = -1\n", "review.due_soon_days"),
        ] {
            let err = load_with(toml).0.unwrap_err().to_string();
            assert!(err.contains(key), "{toml}: {err}");
            assert_eq!(err.lines().count(), 1, "{err}");
        }
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db:5432/flagpole"),
            "postgres://app:REDACTED@db:5432/flagpole"
        );
    }
}
