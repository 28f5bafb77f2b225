//! E-mail out: the templates (alerts, the weekly digest), the SMTP transport and the outbox
//! delivery worker.

pub mod delivery;
pub mod digest;
pub mod templates;

/// The domain of our own Message-IDs: the public URL's host.
pub fn message_id_domain(public_url: &str) -> String {
    url::Url::parse(public_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_else(|| "flagpole.invalid".into())
}
