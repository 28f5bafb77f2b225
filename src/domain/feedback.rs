//! A reader's vote or report once it has been checked: what ingest hands to storage.

use super::{ArticleUrl, Category, Lane, LaneReasons, Reason, ReportStatus};

/// Who voted, as far as flagpole can tell within one day: an HMAC of (client address, user agent,
/// article) under the day's salt (see `ingest::visitor`). Never empty.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VisitorKey(String);

impl VisitorKey {
    /// From the hex digest; an empty digest would make every reader one and is refused.
    pub fn from_hex(hex: String) -> Option<VisitorKey> {
        (!hex.is_empty()).then_some(VisitorKey(hex))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A validated vote, ready to store.
#[derive(Debug, Clone)]
pub struct NewVote {
    pub article: ArticleUrl,
    pub title: Option<String>,
    pub revision: Option<String>,
    pub helpful: bool,
    pub reasons: Vec<Reason>,
    pub comment: Option<String>,
    pub visitor_key: VisitorKey,
    /// The client's address (IPv6: its /64) and the article, keyed by the day's salt: how votes
    /// from one address are capped, whatever user agents it claims.
    pub address_key: VisitorKey,
    /// The client's key for this submission, if it sent one: a retry with the same key gets the
    /// first answer.
    pub submission_key: Option<String>,
}

/// A validated report, ready to store.
#[derive(Debug, Clone)]
pub struct NewReport {
    pub article: ArticleUrl,
    pub title: Option<String>,
    pub revision: Option<String>,
    pub category: Category,
    pub quote: Option<String>,
    pub details: Option<String>,
    /// Only present when the reader consented to be contacted.
    pub email: Option<String>,
    pub status: ReportStatus,
    pub lane: Lane,
    pub lane_reasons: LaneReasons,
    /// A MinHash of the scrubbed text, for near-copies of spam (None for short texts).
    pub fingerprint: Option<String>,
    /// The language of the page the reader was on.
    pub lang: Option<String>,
    pub visitor_key: VisitorKey,
    /// As for votes.
    pub submission_key: Option<String>,
}
