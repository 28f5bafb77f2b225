//! Helpfulness before and after each revision: the votes from the revision before it (or the
//! start) up to its first sighting, against those from its first sighting up to the next one.
//! Votes are kept per UTC day, so the day a revision was first seen counts after it.

use chrono::{NaiveDate, NaiveDateTime};

/// "Yes" and "No" votes over a span of days.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub helpful: i64,
    pub not_helpful: i64,
}

impl Tally {
    pub fn total(self) -> i64 {
        self.helpful + self.not_helpful
    }

    /// The plain share of "Yes", or None without votes.
    pub fn share(self) -> Option<f64> {
        (self.total() > 0).then(|| self.helpful as f64 / self.total() as f64)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct RevisionShare {
    pub revision: String,
    pub first_seen_at: NaiveDateTime,
    pub before: Tally,
    pub after: Tally,
}

/// `days`: (day, helpful, not helpful), any order; `revisions`: (revision, first seen), oldest
/// first.
pub fn before_after(
    days: &[(NaiveDate, i64, i64)],
    revisions: &[(String, NaiveDateTime)],
) -> Vec<RevisionShare> {
    let sum = |from: Option<NaiveDate>, to: Option<NaiveDate>| {
        days.iter()
            .filter(|(d, _, _)| from.is_none_or(|f| *d >= f) && to.is_none_or(|t| *d < t))
            .fold(Tally::default(), |t, (_, h, n)| Tally {
                helpful: t.helpful + h,
                not_helpful: t.not_helpful + n,
            })
    };
    revisions
        .iter()
        .enumerate()
        .map(|(i, (revision, at))| {
            let previous = i.checked_sub(1).map(|p| revisions[p].1.date());
            let next = revisions.get(i + 1).map(|(_, t)| t.date());
            RevisionShare {
                revision: revision.clone(),
                first_seen_at: *at,
                before: sum(previous, Some(at.date())),
                after: sum(Some(at.date()), next),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_revision_splits_the_votes_around_it() {
        let day = |d: u32| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        let days = [
            (day(1), 1, 3),
            (day(5), 2, 2),
            (day(10), 4, 0),
            (day(12), 1, 0),
        ];
        let revisions = vec![
            ("r1".to_string(), day(5).and_hms_opt(9, 0, 0).unwrap()),
            ("r2".to_string(), day(10).and_hms_opt(9, 0, 0).unwrap()),
        ];
        let shares = before_after(&days, &revisions);
        assert_eq!(
            shares[0].before,
            Tally {
                helpful: 1,
                not_helpful: 3
            }
        );
        assert_eq!(
            shares[0].after,
            Tally {
                helpful: 2,
                not_helpful: 2
            }
        );
        assert_eq!(shares[1].before, shares[0].after);
        assert_eq!(
            shares[1].after,
            Tally {
                helpful: 5,
                not_helpful: 0
            }
        );
        assert_eq!(shares[1].after.share(), Some(1.0));
        assert_eq!(before_after(&days, &[]), vec![]);
    }
}
