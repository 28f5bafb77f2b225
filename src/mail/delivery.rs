//! The outbox's channel for the shared delivery loop (`crate::delivery`): each e-mail is sent over
//! SMTP with lettre. Connection failures and 4xx answers are retried; a 5xx answer fails it for
//! good. A repeat after a crash carries the same Message-ID.

use std::time::Duration;

use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;

use crate::config::{SmtpSettings, SmtpTls};
use crate::db::outbox::{self, OutboxRow};
use crate::db::{DbConn, Pool};
use crate::delivery::{Attempt, Channel, Mark, RetryPolicy};
use crate::domain::scrub::redact_email_addresses;

pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    settings: SmtpSettings,
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
}

impl Channel for Mailer {
    type Row = OutboxRow;
    const METRIC: &'static str = "flagpole_emails_total";
    const WHAT: &'static str = "e-mail";

    fn policy(&self) -> RetryPolicy {
        RetryPolicy {
            max_attempts: self.settings.max_attempts,
            retry_base_secs: self.settings.retry_base_secs,
            timeout_secs: self.settings.timeout_secs,
            poll_secs: self.settings.poll_secs,
        }
    }

    fn claim(
        conn: &mut DbConn,
        now: chrono::NaiveDateTime,
        lease: chrono::TimeDelta,
        limit: i64,
    ) -> diesel::QueryResult<Vec<OutboxRow>> {
        outbox::claim_due(conn, now, lease, limit)
    }

    fn mark(conn: &mut DbConn, id: i64, mark: Mark) -> diesel::QueryResult<()> {
        let sent = matches!(mark, Mark::Sent(_));
        outbox::mark(conn, id, mark)?;
        if sent {
            outbox::forget_one_time_link(conn, id)?;
        }
        Ok(())
    }

    fn id_and_attempts(row: &OutboxRow) -> (i64, i32) {
        (row.id, row.attempts)
    }

    fn kind(row: &OutboxRow) -> &'static str {
        row.kind.as_str()
    }

    async fn attempt(&self, _: &Pool, row: &OutboxRow) -> Attempt {
        self.send(row).await
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
