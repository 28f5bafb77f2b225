//! The closed sets flagpole stores and sends by stable text identifiers. Each is a Rust enum all
//! the way to the database (see `crate::db::types`, and the CHECK constraints in the migrations),
//! so an unknown value is refused where it enters, never carried around as a string.

/// An enum whose variants are stored, sent and configured by stable text identifiers: serde,
/// the OpenAPI schema and the database all use the same identifier. The identifier is taken as a
/// token tree, not a `literal` fragment: utoipa does not see through the invisible group a
/// `literal` fragment is passed in, and documented the Rust variant names instead.
macro_rules! stable_ids {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident = $id:tt),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize, utoipa::ToSchema,
            diesel::AsExpression, diesel::FromSqlRow,
        )]
        #[diesel(sql_type = diesel::sql_types::Text)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $id)] $variant),+
        }

        impl $name {
            pub const ALL: [$name; <[&str]>::len(&[$($id),+])] = [$($name::$variant),+];

            /// The stable identifier.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $id),+
                }
            }

            pub fn parse(s: &str) -> Option<$name> {
                match s {
                    $($id => Some($name::$variant),)+
                    _ => None,
                }
            }

            /// Every identifier, for error messages: "a, b or c".
            pub fn choices() -> String {
                let ids = [$($id),+];
                match ids.split_last() {
                    Some((last, [])) => last.to_string(),
                    Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
                    None => String::new(),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

stable_ids! {
    /// What a reader says is wrong with an article. The identifiers are stable: they are stored,
    /// sent by the widget and used in config.
    pub enum Category {
        Inaccurate = "inaccurate",
        Outdated = "outdated",
        Unclear = "unclear",
        /// Could cause a reader harm (a wrong dose, say): alerts at once and sorts first.
        Harmful = "harmful",
        BrokenLink = "broken_link",
        Typo = "typo",
        Other = "other",
    }
}

impl Category {
    /// How editors read it in e-mails and pages.
    pub fn label(self) -> &'static str {
        match self {
            Category::Inaccurate => "Inaccurate",
            Category::Outdated => "Out of date",
            Category::Unclear => "Unclear",
            Category::Harmful => "Could cause harm",
            Category::BrokenLink => "Broken link",
            Category::Typo => "Typo",
            Category::Other => "Other",
        }
    }
}

stable_ids! {
    /// Where a report is in triage. `new` and `acknowledged` are open: they count towards the
    /// article's open reports and its attention score.
    pub enum ReportStatus {
        New = "new",
        Acknowledged = "acknowledged",
        Resolved = "resolved",
        Dismissed = "dismissed",
        Spam = "spam",
    }
}

impl ReportStatus {
    pub const OPEN: [ReportStatus; 2] = [ReportStatus::New, ReportStatus::Acknowledged];

    pub fn is_open(self) -> bool {
        ReportStatus::OPEN.contains(&self)
    }

    /// How editors read it.
    pub fn label(self) -> &'static str {
        match self {
            ReportStatus::New => "New",
            ReportStatus::Acknowledged => "Acknowledged",
            ReportStatus::Resolved => "Resolved",
            ReportStatus::Dismissed => "Dismissed",
            ReportStatus::Spam => "Spam",
        }
    }
}

stable_ids! {
    /// What was missing, picked after a "No" vote.
    pub enum Reason {
        Inaccurate = "inaccurate",
        Outdated = "outdated",
        Unclear = "unclear",
        Missing = "missing",
        Other = "other",
    }
}

stable_ids! {
    /// What an editor may do: administrators also manage editors, tokens and the outbox.
    pub enum Role {
        Admin = "admin",
        Editor = "editor",
    }
}

stable_ids! {
    /// Where an outgoing e-mail is: waiting (`pending`), claimed by a worker (`sending`), or done.
    pub enum OutboxStatus {
        Pending = "pending",
        Sending = "sending",
        Sent = "sent",
        Failed = "failed",
    }
}

stable_ids! {
    /// What an outgoing e-mail is.
    pub enum MailKind {
        /// An article crossed an alert rule.
        Alert = "alert",
        /// The weekly digest.
        Digest = "digest",
        /// A thank-you to a reader whose report was resolved.
        Reply = "reply",
        /// A one-time link inviting someone to become an editor.
        Invitation = "invitation",
        /// A one-time link to choose a new password.
        PasswordReset = "password_reset",
    }
}

stable_ids! {
    /// What a one-time account link (sent by e-mail) lets its holder do.
    pub enum LinkPurpose {
        /// Accept an invitation: choose a first password.
        Invitation = "invitation",
        /// Choose a new password after forgetting the old one.
        PasswordReset = "password_reset",
    }
}

stable_ids! {
    /// What a webhook subscription can be told about.
    pub enum WebhookEvent {
        /// An article crossed an alert rule (the moments alert e-mails are queued).
        AlertFired = "alert.fired",
        /// A report reached the editors' queue (not spam, noise or the other lanes).
        ReportCreated = "report.created",
        /// An editor resolved a problem (or a report that belongs to none).
        ProblemResolved = "problem.resolved",
        /// The weekly digest was queued for the editors.
        DigestReady = "digest.ready",
        /// Sent on request from the dashboard or `flagpole webhook test`; never subscribed to.
        Test = "webhook.test",
    }
}

impl WebhookEvent {
    /// The events a subscription can name (every one but the test).
    pub const SUBSCRIBABLE: [WebhookEvent; 4] = [
        WebhookEvent::AlertFired,
        WebhookEvent::ReportCreated,
        WebhookEvent::ProblemResolved,
        WebhookEvent::DigestReady,
    ];
}

stable_ids! {
    /// How a webhook's body is shaped: flagpole's own versioned JSON, a Slack incoming-webhook
    /// message, or a Microsoft Teams incoming-webhook card.
    pub enum WebhookFormat {
        Json = "json",
        Slack = "slack",
        Teams = "teams",
    }
}

stable_ids! {
    /// What happened to an article as a whole (beside the reports' own audit trails).
    pub enum ArticleEventKind {
        Reviewed = "reviewed",
    }
}

stable_ids! {
    /// Where a report goes. Only the queue counts (open reports, attention, alerts, the digest);
    /// the other lanes are one click away.
    pub enum Lane {
        /// A problem with the article: the editor's work.
        Queue = "queue",
        /// A reader asking for personal medical advice or help.
        Question = "question",
        /// A problem with the website, not the article.
        Site = "site",
        /// Praise, opinion, a story, a request for another article.
        Comment = "comment",
        /// Tests, gibberish, nothing to act on.
        Noise = "noise",
        Spam = "spam",
    }
}

impl Lane {
    /// How editors read it on tabs and in e-mails.
    pub fn label(self) -> &'static str {
        match self {
            Lane::Queue => "Queue",
            Lane::Question => "Questions",
            Lane::Site => "Website problems",
            Lane::Comment => "Comments",
            Lane::Noise => "Noise",
            Lane::Spam => "Spam",
        }
    }
}

/// Why a report is in its lane: a stable code (for filters and tests) and a sentence for editors.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct LaneReason {
    /// e.g. `external_links`, `offers_service`, `asks_advice`, `moved_by_editor`.
    pub code: String,
    /// e.g. "2 links to domains outside your sites (a.shop, b.com)".
    pub text: String,
}

/// The reasons a report is in its lane, strongest first (stored as JSON).
#[derive(
    Debug,
    Clone,
    Default,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    diesel::AsExpression,
    diesel::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
#[serde(transparent)]
pub struct LaneReasons(pub Vec<LaneReason>);

stable_ids! {
    /// What a reader submitted.
    pub enum SubmissionKind {
        Vote = "vote",
        Report = "report",
    }
}

stable_ids! {
    /// The orders the article listing offers.
    pub enum ArticleSort {
        /// Harmful reports first, then open reports weighted by recency, then low helpfulness.
        Attention = "attention",
        /// Most open reports first.
        Reports = "reports",
        /// Least helpful first (Bayesian average).
        Helpfulness = "helpfulness",
        /// Most recent feedback first.
        Recent = "recent",
    }
}

stable_ids! {
    /// Which articles a listing shows, by their open reports.
    pub enum ArticleState {
        /// At least one open report.
        Open = "open",
        /// At least one open harmful report.
        Harmful = "harmful",
        /// No open report.
        Clear = "clear",
    }
}

stable_ids! {
    /// What a review of an article found.
    pub enum ReviewOutcome {
        /// Checked; nothing needed changing.
        NoChange = "no_change",
        /// Corrected in places.
        Corrected = "corrected",
        /// Rewritten.
        Rewritten = "rewritten",
    }
}

impl ReviewOutcome {
    pub fn label(self) -> &'static str {
        match self {
            ReviewOutcome::NoChange => "No change",
            ReviewOutcome::Corrected => "Corrected",
            ReviewOutcome::Rewritten => "Rewritten",
        }
    }
}

stable_ids! {
    /// Who recorded a review: an editor (dashboard, API), or the page itself (its schema.org
    /// `lastReviewed`, read by the catalogue).
    pub enum ReviewSource {
        Editor = "editor",
        Page = "page",
    }
}

stable_ids! {
    /// Which articles a listing shows by their review date.
    pub enum ReviewDue {
        /// Due now or earlier: by policy, or pulled forward by an open harmful, inaccurate or
        /// outdated report.
        Overdue = "overdue",
        /// Not overdue, but due within `review.due_soon_days`.
        DueSoon = "due_soon",
    }
}

stable_ids! {
    /// Why an article's review is due when it is.
    pub enum DueReason {
        /// The review policy's interval since the last review (or the first sighting).
        Policy = "policy",
        /// An open harmful, inaccurate or outdated report: due now.
        ReaderReport = "reader_report",
    }
}

impl DueReason {
    pub fn label(self) -> &'static str {
        match self {
            DueReason::Policy => "review interval",
            DueReason::ReaderReport => "open reader report",
        }
    }
}

stable_ids! {
    /// Whether a report's quoted passage is still on the article's page.
    pub enum PassageStatus {
        /// No text of the page is known yet, or the report quotes nothing.
        Unknown = "unknown",
        /// Still on the page, in the revision checked.
        OnPage = "on_page",
        /// No longer on the page: possibly fixed in the revision checked.
        Gone = "gone",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_round_trip() {
        for c in Category::ALL {
            assert_eq!(Category::parse(c.as_str()), Some(c));
            assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
        }
        for s in ReportStatus::ALL {
            assert_eq!(ReportStatus::parse(s.as_str()), Some(s));
        }
        for r in Reason::ALL {
            assert_eq!(Reason::parse(r.as_str()), Some(r));
        }
        assert_eq!(Category::parse("Harmful"), None, "identifiers are exact");
        assert_eq!(Role::choices(), "admin or editor");
        assert_eq!(
            serde_json::from_str::<Category>("\"broken_link\"").unwrap(),
            Category::BrokenLink
        );
    }
}
