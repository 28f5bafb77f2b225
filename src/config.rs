//! Typed settings: the built-in `config/default.toml`, then an optional `--config` file, then
//! `FLAGPOLE__SECTION__KEY` environment variables. Every struct refuses unknown keys so a typo is a
//! start-up error naming the key, not a silently ignored line.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::providers::{Env, Format, Toml};
use figment::Figment;
use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use url::Url;

use crate::domain::Category;

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
    pub smtp: SmtpSettings,
    pub telemetry: TelemetrySettings,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    pub bind: String,
    pub public_url: String,
    pub trusted_proxies: Vec<IpNet>,
    pub workers: usize,
    pub shutdown_timeout_secs: u64,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    pub url: String,
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
    pub max_url_chars: usize,
    pub max_title_chars: usize,
    pub max_comment_chars: usize,
    pub max_quote_chars: usize,
    pub max_details_chars: usize,
    pub max_email_chars: usize,
    pub max_revision_chars: usize,
    pub spam_link_count: usize,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AlertSettings {
    pub enabled: bool,
    pub cooldown_hours: i64,
    pub rules: Vec<AlertRule>,
}

/// One alert rule; `kind` picks which figures it watches.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum AlertRule {
    OpenReports {
        name: String,
        min_reports: i64,
        window_days: i64,
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
    pub hour: u32,
    pub time_zone: String,
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

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub username: String,
    pub password: String,
    pub from: String,
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

/// Which database a URL names; decided once, from the scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseTarget {
    Sqlite(PathBuf),
    Postgres(String),
}

/// A configuration problem, phrased as one line that names the key.
#[derive(Debug, thiserror::Error)]
#[error("configuration error: {0}")]
pub struct ConfigError(pub String);

impl Settings {
    /// Layers defaults, the optional file and the environment, then validates.
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
        let settings: Settings = figment.extract().map_err(|errors| {
            let first = errors.into_iter().next();
            ConfigError(match first {
                Some(e) => describe_figment_error(&e),
                None => "unknown error".to_string(),
            })
        })?;
        settings.validate()?;
        Ok(settings)
    }

    /// Settings as `check-config` shows them: secrets replaced.
    pub fn redacted(&self) -> Settings {
        let mut copy = self.clone();
        copy.database.url = redact_url(&self.database.url);
        if !copy.smtp.password.is_empty() {
            copy.smtp.password = "REDACTED".into();
        }
        copy
    }

    pub fn bind_addr(&self) -> SocketAddr {
        // validate() has parsed it already.
        self.server
            .bind
            .parse()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 8080)))
    }

    pub fn database_target(&self) -> Result<DatabaseTarget, ConfigError> {
        parse_database_url(&self.database.url)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let bad = |key: &str, msg: String| Err(ConfigError(format!("{key}: {msg}")));
        if let Err(e) = self.server.bind.parse::<SocketAddr>() {
            return bad(
                "server.bind",
                format!("{e} (expected HOST:PORT, e.g. 127.0.0.1:8080)"),
            );
        }
        match Url::parse(&self.server.public_url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {}
            Ok(_) => {
                return bad(
                    "server.public_url",
                    "must be an http:// or https:// URL".into(),
                )
            }
            Err(e) => return bad("server.public_url", format!("{e}")),
        }
        self.database_target()?;
        if self.database.writers > 1 && matches!(self.database_target()?, DatabaseTarget::Sqlite(_))
        {
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
        if self.privacy.erase_email_after_days < 0 {
            return bad(
                "privacy.erase_email_after_days",
                "must not be negative".into(),
            );
        }
        self.validate_alerts()?;
        crate::digest::Schedule::from_settings(&self.digest)?;
        if !(1..=50).contains(&self.digest.items_per_section) {
            return bad(
                "digest.items_per_section",
                "must be between 1 and 50".into(),
            );
        }
        if self.digest.min_votes_for_drop < 1 {
            return bad("digest.min_votes_for_drop", "must be at least 1".into());
        }
        if self.smtp.from.parse::<lettre::message::Mailbox>().is_err() {
            return bad(
                "smtp.from",
                format!(
                    "{:?} is not an address like \"flagpole <alerts@example.org>\"",
                    self.smtp.from
                ),
            );
        }
        if self.smtp.host.trim().is_empty() {
            return bad("smtp.host", "must name the SMTP server".into());
        }
        if self.smtp.max_attempts < 1 || self.smtp.poll_secs == 0 {
            return bad(
                "smtp.max_attempts",
                "max_attempts and poll_secs must be at least 1".into(),
            );
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

pub fn parse_database_url(raw: &str) -> Result<DatabaseTarget, ConfigError> {
    let bad = |msg: &str| Err(ConfigError(format!("database.url: {msg}")));
    if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
        return match Url::parse(raw) {
            Ok(u) if u.host().is_some() || u.query().is_some_and(|q| q.contains("host=")) => {
                Ok(DatabaseTarget::Postgres(raw.to_string()))
            }
            Ok(_) => bad("a postgres:// URL needs a host"),
            Err(e) => bad(&format!("malformed postgres URL ({e})")),
        };
    }
    if let Some(path) = raw.strip_prefix("sqlite://") {
        if path.is_empty() || path == ":memory:" {
            return bad(
                "sqlite:// needs a file path (an in-memory database would lose every vote)",
            );
        }
        return Ok(DatabaseTarget::Sqlite(PathBuf::from(path)));
    }
    bad("expected sqlite://PATH or postgres://USER@HOST/DB")
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

    #[test]
    fn defaults_load_and_validate() {
        let s = Settings::load(None).expect("defaults are valid");
        assert_eq!(s.server.bind, "127.0.0.1:8080");
        assert_eq!(
            s.database_target().unwrap(),
            DatabaseTarget::Sqlite(PathBuf::from("data/flagpole.db"))
        );
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db:5432/flagpole"),
            "postgres://app:REDACTED@db:5432/flagpole"
        );
    }

    #[test]
    fn digest_settings_are_checked() {
        let mut s = Settings::load(None).expect("defaults");
        s.digest.time_zone = "Europe/Londn".into();
        let err = s.validate().unwrap_err().to_string();
        assert!(err.contains("digest.time_zone"), "{err}");
        s.digest.time_zone = "America/New_York".into();
        s.digest.hour = 24;
        let err = s.validate().unwrap_err().to_string();
        assert!(err.contains("digest.hour"), "{err}");
    }

    #[test]
    fn unknown_database_scheme_is_refused() {
        let err = parse_database_url("mysql://x/y").unwrap_err();
        assert!(err.to_string().contains("database.url"), "{err}");
    }
}
