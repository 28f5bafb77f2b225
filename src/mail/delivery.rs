//! The outbox delivery worker. It claims due e-mails with a lease, sends each over SMTP with
//! lettre, and records the outcome: sent; retried later with exponential backoff and jitter
//! (connection failures and 4xx answers); or failed (a 5xx answer, or the last attempt).
//!
//! A crash between the SMTP server accepting a message and the worker recording it leaves the
//! row leased; when the lease runs out it is sent again. The window is the time of one database
//! write, and the repeat carries the same Message-ID, so receiving systems can tell.

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;
use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;
use tokio::sync::{watch, Notify};

use crate::config::{SmtpSettings, SmtpTls};
use crate::db::outbox::{self, OutboxRow};
use crate::db::{self, Pool};
use crate::domain::scrub::redact_email_addresses;

/// How many e-mails one claim takes.
const CLAIM_BATCH: i64 = 10;

pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    settings: SmtpSettings,
}

/// What became of one attempt.
#[derive(Debug)]
enum Attempt {
    Sent,
    /// Worth trying again later (server down, 4xx, time-out).
    Transient(String),
    /// Will never work (5xx, or a message that cannot be built).
    Permanent(String),
}

impl Mailer {
    pub fn new(settings: &SmtpSettings) -> anyhow::Result<Mailer> {
        let builder = match settings.tls {
            SmtpTls::None => {
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host)
            }
            SmtpTls::Starttls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&settings.host)
                    .map_err(|e| anyhow::anyhow!("smtp.host: {e}"))?
            }
            SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&settings.host)
                .map_err(|e| anyhow::anyhow!("smtp.host: {e}"))?,
        };
        let mut builder = builder
            .port(settings.port)
            .timeout(Some(Duration::from_secs(settings.timeout_secs)));
        if !settings.username.is_empty() {
            builder = builder.credentials(Credentials::new(
                settings.username.clone(),
                settings.password.expose_secret().to_string(),
            ));
        }
        Ok(Mailer {
            transport: builder.build(),
            from: settings.from.clone(),
            settings: settings.clone(),
        })
    }

    /// One attempt. What the SMTP server says can name the recipient (a reader, for a reply):
    /// it is logged and kept with addresses redacted.
    async fn send(&self, row: &OutboxRow) -> Attempt {
        let message = match self.build(row) {
            Ok(m) => m,
            Err(e) => {
                return Attempt::Permanent(redact_email_addresses(&format!(
                    "cannot build the message: {e}"
                )))
            }
        };
        match self.transport.send(message).await {
            Ok(_) => Attempt::Sent,
            Err(e) if e.is_permanent() => {
                Attempt::Permanent(redact_email_addresses(&e.to_string()))
            }
            Err(e) => Attempt::Transient(redact_email_addresses(&e.to_string())),
        }
    }

    fn build(&self, row: &OutboxRow) -> anyhow::Result<Message> {
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(row.recipient.parse()?)
            .subject(row.subject.clone())
            .message_id(Some(row.message_id.clone()))
            .header(AutoSubmitted);
        if let Some(url) = &row.unsubscribe_url {
            builder = builder
                .header(ListUnsubscribe(format!("<{url}>")))
                .header(ListUnsubscribePost);
        }
        Ok(builder.multipart(MultiPart::alternative_plain_html(
            row.body_text.clone(),
            row.body_html.clone(),
        ))?)
    }

    /// When to try again after `attempts` failed attempts: base × 2^(attempts−1), plus up to a
    /// quarter more at random so that many failed e-mails do not all retry at once.
    fn backoff(&self, attempts: i32) -> TimeDelta {
        let exp = attempts.clamp(1, 20) as u32 - 1;
        let base = self.settings.retry_base_secs.max(1) as f64 * 2f64.powi(exp as i32);
        let capped = base.min(6.0 * 3600.0);
        let jitter = capped * 0.25 * rand::random::<f64>();
        TimeDelta::milliseconds(((capped + jitter) * 1000.0) as i64)
    }

    fn lease(&self) -> TimeDelta {
        TimeDelta::seconds(self.settings.timeout_secs as i64 * 4 + 30)
    }
}

/// Runs until `stop` turns true, finishing the e-mail in hand first.
pub async fn run(pool: Pool, mailer: Mailer, queued: Arc<Notify>, mut stop: watch::Receiver<bool>) {
    let mailer = Arc::new(mailer);
    let poll = Duration::from_secs(mailer.settings.poll_secs);
    while !*stop.borrow() {
        let claimed = {
            let pool = pool.clone();
            let lease = mailer.lease();
            tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<OutboxRow>> {
                let mut conn = pool.get()?;
                Ok(outbox::claim_due(&mut conn, db::now(), lease, CLAIM_BATCH)?)
            })
            .await
        };
        let rows = match claimed {
            Ok(Ok(rows)) => rows,
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "cannot claim e-mails");
                Vec::new()
            }
            Err(e) => {
                tracing::error!(error = %e, "claiming e-mails panicked");
                Vec::new()
            }
        };
        if rows.is_empty() {
            tokio::select! {
                _ = queued.notified() => {}
                _ = tokio::time::sleep(poll) => {}
                _ = stop.changed() => {}
            }
            continue;
        }
        for row in rows {
            let attempt = mailer.send(&row).await;
            record(&pool, &mailer, &row, attempt).await;
        }
    }
}

async fn record(pool: &Pool, mailer: &Mailer, row: &OutboxRow, attempt: Attempt) {
    let (id, attempts, kind) = (row.id, row.attempts, row.kind);
    let max = mailer.settings.max_attempts;
    let retry_at = db::now() + mailer.backoff(attempts);
    let pool = pool.clone();
    let outcome = tokio::task::spawn_blocking(move || -> anyhow::Result<&'static str> {
        let mut conn = pool.get()?;
        let now = db::now();
        Ok(match attempt {
            Attempt::Sent => {
                outbox::mark_sent(&mut conn, id, now)?;
                "sent"
            }
            Attempt::Transient(e) if attempts < max => {
                tracing::warn!(outbox_id = id, attempts, error = %e, "e-mail not sent; will retry");
                outbox::mark_retry(&mut conn, id, retry_at, &e)?;
                "retry"
            }
            Attempt::Transient(e) | Attempt::Permanent(e) => {
                tracing::error!(outbox_id = id, attempts, error = %e, "e-mail failed for good");
                outbox::mark_failed(&mut conn, id, &e)?;
                "failed"
            }
        })
    })
    .await;
    match outcome {
        Ok(Ok(result)) => {
            metrics::counter!("flagpole_emails_total", "kind" => kind.as_str(), "result" => result)
                .increment(1)
        }
        Ok(Err(e)) => tracing::error!(outbox_id = id, error = %e, "cannot record e-mail outcome"),
        Err(e) => tracing::error!(outbox_id = id, error = %e, "recording e-mail outcome panicked"),
    }
}

/// `Auto-Submitted: auto-generated` (RFC 3834): no vacation replies, please.
#[derive(Clone)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }
    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(AutoSubmitted)
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".into())
    }
}

#[derive(Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }
    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribe(s.to_string()))
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// RFC 8058 one-click unsubscribe: mail clients may POST to the List-Unsubscribe URL.
#[derive(Clone)]
struct ListUnsubscribePost;

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }
    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribePost)
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".into())
    }
}

/// An in-memory transport for unit tests of what an e-mail says: the message is built exactly as
/// the delivery worker builds it and sent through lettre's stub transport, which keeps it.
#[cfg(test)]
pub(crate) mod in_memory {
    use lettre::transport::stub::AsyncStubTransport;
    use lettre::AsyncTransport;

    use super::Mailer;
    use crate::config::Settings;
    use crate::db::outbox::OutboxRow;
    use crate::domain::{MailKind, OutboxStatus};
    use crate::mail::templates::Email;

    /// The message as it would go over the wire, headers and MIME parts included.
    pub async fn sent(kind: MailKind, to: &str, email: Email, unsubscribe: Option<&str>) -> String {
        let settings = Settings::load(None).expect("default settings");
        let mailer = Mailer::new(&settings.smtp).expect("mailer");
        let now = crate::db::now();
        let row = OutboxRow {
            id: 1,
            kind,
            dedupe_key: None,
            alert_id: None,
            recipient: to.to_string(),
            subject: email.subject,
            body_text: email.text,
            body_html: email.html,
            message_id: "<test.1@flagpole.test>".into(),
            unsubscribe_url: unsubscribe.map(str::to_string),
            status: OutboxStatus::Pending,
            attempts: 0,
            next_attempt_at: now,
            lease_until: None,
            last_error: None,
            created_at: now,
            sent_at: None,
        };
        let transport = AsyncStubTransport::new_ok();
        transport
            .send(mailer.build(&row).expect("message builds"))
            .await
            .expect("the stub accepts");
        let mut messages = transport.messages().await;
        messages.pop().expect("one message").1
    }
}
