//! Review dates: which policy covers an article, when its next review is due, and why.

use chrono::{NaiveDateTime, TimeDelta};

use super::{Category, DueReason, Scope};

/// The categories whose open reports make an article's review due at once: a reader says it may
/// be wrong, not merely unclear.
pub const PULLS_REVIEW_FORWARD: [Category; 3] =
    [Category::Harmful, Category::Inaccurate, Category::Outdated];

/// Review every article under `scope` at least every `interval_days` days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewPolicy {
    pub scope: Scope,
    pub interval_days: i64,
}

/// The configured policies and the default for articles no policy covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewPolicies {
    /// Most specific first (a host/path before its host), so the first that covers wins.
    policies: Vec<ReviewPolicy>,
    default_interval_days: i64,
    /// "Due soon" means due within this many days.
    pub due_soon_days: i64,
}

impl Default for ReviewPolicies {
    fn default() -> ReviewPolicies {
        ReviewPolicies::new(Vec::new(), 730, 30)
    }
}

impl ReviewPolicies {
    pub fn new(
        mut policies: Vec<ReviewPolicy>,
        default_interval_days: i64,
        due_soon_days: i64,
    ) -> ReviewPolicies {
        // A longer path is a narrower section; among equals, keep the configured order.
        policies.sort_by_key(|p| std::cmp::Reverse(p.scope.path().len()));
        ReviewPolicies {
            policies,
            default_interval_days,
            due_soon_days,
        }
    }

    /// The interval of the most specific policy covering the article, else the default.
    pub fn interval_days(&self, host: &str, path: &str) -> i64 {
        self.policies
            .iter()
            .find(|p| p.scope.covers(host, path))
            .map_or(self.default_interval_days, |p| p.interval_days)
    }

    /// When the next review is due by policy: the last review (else the first sighting) plus
    /// the interval.
    pub fn due(&self, host: &str, path: &str, since: NaiveDateTime) -> NaiveDateTime {
        since + TimeDelta::days(self.interval_days(host, path))
    }

    /// Up to when an article counts as "due soon".
    pub fn soon_until(&self, now: NaiveDateTime) -> NaiveDateTime {
        now + TimeDelta::days(self.due_soon_days)
    }
}

/// When an article's review is due, given its due date by policy and whether an open report
/// pulls it forward (then it is due now, or earlier if the policy says so).
pub fn effective_due(
    by_policy: Option<NaiveDateTime>,
    pulled_forward: bool,
    now: NaiveDateTime,
) -> Option<(NaiveDateTime, DueReason)> {
    match (pulled_forward, by_policy) {
        (true, Some(due)) => Some((due.min(now), DueReason::ReaderReport)),
        (true, None) => Some((now, DueReason::ReaderReport)),
        (false, due) => due.map(|d| (d, DueReason::Policy)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(scope: &str, days: i64) -> ReviewPolicy {
        ReviewPolicy {
            scope: Scope::parse(scope).expect("scope"),
            interval_days: days,
        }
    }

    #[test]
    fn the_most_specific_policy_applies() {
        let p = ReviewPolicies::new(
            vec![
                policy("health.example.org", 1095),
                policy("health.example.org/medicines/children", 180),
                policy("health.example.org/medicines", 365),
            ],
            730,
            30,
        );
        assert_eq!(
            p.interval_days("health.example.org", "/medicines/children/x"),
            180
        );
        assert_eq!(p.interval_days("health.example.org", "/medicines/x"), 365);
        assert_eq!(p.interval_days("health.example.org", "/conditions/x"), 1095);
        assert_eq!(p.interval_days("other.example.org", "/medicines/x"), 730);
    }

    #[test]
    fn an_open_report_makes_a_review_due_now_or_earlier() {
        let now = chrono::DateTime::from_timestamp(1_800_000_000, 0)
            .expect("time")
            .naive_utc();
        let later = now + TimeDelta::days(10);
        let earlier = now - TimeDelta::days(10);
        assert_eq!(
            effective_due(Some(later), false, now),
            Some((later, DueReason::Policy))
        );
        assert_eq!(
            effective_due(Some(later), true, now),
            Some((now, DueReason::ReaderReport))
        );
        assert_eq!(
            effective_due(Some(earlier), true, now),
            Some((earlier, DueReason::ReaderReport))
        );
        assert_eq!(effective_due(None, false, now), None);
    }
}
