//! Health feedback attracts personal details. Free text is scrubbed of e-mail addresses and phone
//! numbers before it is stored, and links are counted for the spam heuristic.

use std::sync::LazyLock;

use regex::Regex;

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)[a-z0-9._%+\-]+@[a-z0-9\-]+(\.[a-z0-9\-]+)*\.[a-z]{2,}").expect("valid regex")
});

// A run of digits with the usual separators. Whether it is a phone number is decided by its digit
// count (see is_phone), so doses, years and ISO dates survive.
static PHONE_CANDIDATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:\+\(?|\(|\b)\d[\d\s().\-]{6,}\d\b").expect("valid regex"));

static LINK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)(https?://|www\.)\S+").expect("valid regex"));

static ISO_DATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\d{4}-\d{2}-\d{2}$").expect("valid regex"));

fn is_phone(candidate: &str) -> bool {
    let digits = candidate.chars().filter(char::is_ascii_digit).count();
    (9..=15).contains(&digits) && !ISO_DATE.is_match(candidate.trim())
}

/// Replaces e-mail addresses with `[email]` and phone numbers with `[phone]`.
pub fn scrub_personal_details(text: &str) -> String {
    let without_email = EMAIL.replace_all(text, "[email]");
    PHONE_CANDIDATE
        .replace_all(&without_email, |caps: &regex::Captures| {
            let m = &caps[0];
            if is_phone(m) {
                "[phone]".to_string()
            } else {
                m.to_string()
            }
        })
        .into_owned()
}

pub fn count_links(text: &str) -> usize {
    LINK.find_iter(text).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_and_phones_go() {
        assert_eq!(
            scrub_personal_details("mail me at Jo.Bloggs+nhs@example.co.uk or call 020 7946 0958"),
            "mail me at [email] or call [phone]"
        );
        assert_eq!(
            scrub_personal_details("ring +44 (0)7700 900123 now"),
            "ring [phone] now"
        );
        assert_eq!(
            scrub_personal_details("US: (555) 123-4567."),
            "US: [phone]."
        );
    }

    #[test]
    fn clinical_numbers_stay() {
        for text in [
            "The dose should be 500 mg, not 5000 mg.",
            "Updated on 2026-11-25 but still says 1,000 units",
            "Guideline NG136 from 2019 says 140/90 mmHg",
        ] {
            assert_eq!(scrub_personal_details(text), text);
        }
    }

    #[test]
    fn links_are_counted() {
        assert_eq!(
            count_links("see https://a.test/x and www.b.test and http://c"),
            3
        );
        assert_eq!(count_links("no links here"), 0);
    }
}
