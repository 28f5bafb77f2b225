use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a reader says is wrong with an article. The identifiers are stable: they are stored, sent
/// by the widget and used in config.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Inaccurate,
    Outdated,
    Unclear,
    /// Could cause a reader harm (a wrong dose, say): alerts at once and sorts first.
    Harmful,
    BrokenLink,
    Typo,
    Other,
}

impl Category {
    pub const ALL: [Category; 7] = [
        Category::Inaccurate,
        Category::Outdated,
        Category::Unclear,
        Category::Harmful,
        Category::BrokenLink,
        Category::Typo,
        Category::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Inaccurate => "inaccurate",
            Category::Outdated => "outdated",
            Category::Unclear => "unclear",
            Category::Harmful => "harmful",
            Category::BrokenLink => "broken_link",
            Category::Typo => "typo",
            Category::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == s)
    }

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

/// Where a report is in triage. `new` and `acknowledged` are open: they count towards the
/// article's open reports and its attention score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    New,
    Acknowledged,
    Resolved,
    Dismissed,
    Spam,
}

impl ReportStatus {
    pub const ALL: [ReportStatus; 5] = [
        ReportStatus::New,
        ReportStatus::Acknowledged,
        ReportStatus::Resolved,
        ReportStatus::Dismissed,
        ReportStatus::Spam,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportStatus::New => "new",
            ReportStatus::Acknowledged => "acknowledged",
            ReportStatus::Resolved => "resolved",
            ReportStatus::Dismissed => "dismissed",
            ReportStatus::Spam => "spam",
        }
    }

    pub fn parse(s: &str) -> Option<ReportStatus> {
        ReportStatus::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The stored identifiers of the open statuses, for queries.
    pub const OPEN_IDS: [&'static str; 2] = ["new", "acknowledged"];

    pub fn is_open(self) -> bool {
        matches!(self, ReportStatus::New | ReportStatus::Acknowledged)
    }
}

/// What was missing, picked after a "No" vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    Inaccurate,
    Outdated,
    Unclear,
    Missing,
    Other,
}

impl Reason {
    pub const ALL: [Reason; 5] = [
        Reason::Inaccurate,
        Reason::Outdated,
        Reason::Unclear,
        Reason::Missing,
        Reason::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Inaccurate => "inaccurate",
            Reason::Outdated => "outdated",
            Reason::Unclear => "unclear",
            Reason::Missing => "missing",
            Reason::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|c| c.as_str() == s)
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
            assert_eq!(ReportStatus::OPEN_IDS.contains(&s.as_str()), s.is_open());
        }
        for r in Reason::ALL {
            assert_eq!(Reason::parse(r.as_str()), Some(r));
        }
    }
}
