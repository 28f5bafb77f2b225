//! E-mail out: the SMTP transport and the outbox delivery worker, and the frame every e-mail
//! shares (`templates`). Each capability writes its own e-mails into the outbox.
//!
//! May import: `config`, `db`, `delivery` (the shared retry loop), `domain`. Imports no other
//! capability.

pub mod delivery;
pub mod outbox;
pub mod templates;

pub use outbox::Outbox;

/// The domain of our own Message-IDs: the public URL's host.
pub fn message_id_domain(public_url: &str) -> String {
    url::Url::parse(public_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_else(|| "flagpole.invalid".into())
}
