//! Typed ids, so a report id is never passed where an article id belongs. In a path, anything but
//! a positive integer is no id at all (the route answers 404).

macro_rules! typed_id {
    ($(#[$meta:meta])* $name:ident, $what:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl $name {
            pub fn get(self) -> i64 {
                self.0
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let id: i64 = s.parse()?;
                if id > 0 {
                    Ok($name(id))
                } else {
                    // Ids start at 1: zero and negatives name nothing, like a non-number.
                    "".parse::<i64>().map($name)
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl $name {
            /// What it names, in error messages ("report not found").
            pub const WHAT: &'static str = $what;
        }
    };
}

typed_id!(
    /// An article.
    ArticleId,
    "article"
);
typed_id!(
    /// A reader's report.
    ReportId,
    "report"
);
typed_id!(
    /// Reports of the same problem on one article.
    ProblemId,
    "problem"
);
typed_id!(
    /// An editor.
    EditorId,
    "editor"
);
typed_id!(
    /// An e-mail in the outbox.
    OutboxId,
    "e-mail"
);
typed_id!(
    /// A webhook subscription.
    WebhookId,
    "webhook"
);
typed_id!(
    /// One webhook delivery (an event to one subscription).
    DeliveryId,
    "webhook delivery"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_positive_integers_are_ids() {
        assert_eq!("42".parse::<ReportId>(), Ok(ReportId(42)));
        for bad in ["0", "-3", "x", "", "1e3", "99999999999999999999"] {
            assert!(bad.parse::<ReportId>().is_err(), "{bad:?}");
        }
    }
}
