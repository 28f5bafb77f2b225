//! E-mail out: the templates, the SMTP transport and the outbox delivery worker.

pub mod delivery;
pub mod templates;
