//! Health feedback attracts personal details. Free text is scrubbed of e-mail addresses (also
//! spelled out, "jo dot bloggs at gmail dot com", in several languages), phone numbers (also with
//! Arabic-Indic digits or written out in words) and national health or identity numbers that carry
//! a check digit, before it is stored. Links are counted for the spam heuristic.
//!
//! The hard part is what must survive: doses with their interval ("500 mg every 4–6 hours"), lab
//! values ("HbA1c 48 mmol/mol"), thresholds ("eGFR below 30 mL/min/1.73m2"), years, dates,
//! ranges, guideline names and classification codes. A run of digits is only a phone number when
//! it has 9 to 15 digits and does not read as a quantity, a list of years or round numbers; an
//! identifier is only removed when its check digit is right; and links are left alone (a citation
//! such as a WHO publication number is not a phone), except messenger links (wa.me, t.me).

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::{Captures, Regex};

/// What was removed from one text (placeholders already in the text count too, so a stored,
/// already scrubbed text reports the same as the original did).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Findings {
    /// E-mail addresses, written normally or spelled out.
    pub emails: usize,
    /// Of those, the ones spelled out in words or brackets (a spammer's trick to pass filters).
    pub spelled_emails: usize,
    /// Phone numbers, in digits or in words.
    pub phones: usize,
    /// Of those, the ones written out in words ("plus four four seven seven…").
    pub spelled_phones: usize,
    /// National health or identity numbers whose check digit is right.
    pub health_ids: usize,
}

impl Findings {
    /// Any way to reach the writer, the thing spam always carries.
    pub fn contacts(&self) -> usize {
        self.emails + self.phones
    }
}

/// A scrubbed text and what was taken out of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scrubbed {
    pub text: String,
    pub findings: Findings,
}

/// A pattern with its `\b` made ASCII word boundaries. The regex crate's fast engines cannot use
/// Unicode word boundaries on non-ASCII text and fall back to one that is tens of times slower
/// (hundreds of microseconds per report here); the patterns put `\b` only beside ASCII letters
/// and digits, where the two kinds of boundary agree.
pub(crate) fn ascii_boundaries(pattern: &str) -> String {
    pattern.replace(r"\b", r"(?-u:\b)")
}

pub const EMAIL_MARK: &str = "[email]";
pub const PHONE_MARK: &str = "[phone]";
pub const HEALTH_ID_MARK: &str = "[health id]";

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)[a-z0-9._%+\-]+@[a-z0-9\-]+(\.[a-z0-9\-]+)*\.[a-z]{2,}").expect("valid regex")
});

// "at" and "dot" as readers and spammers write them: in brackets, as words in English, Spanish
// and Portuguese (arroba, punto, ponto), German (ät, Punkt), French (arobase, chez, point),
// Dutch (apenstaartje, punt), Italian (chiocciola), Polish (małpa, kropka), or as a spaced "@".
const AT_WORDS: &str = "at|arroba|arobase|chez|ät|apenstaartje|chiocciola|małpa|malpa|klammeraffe";
const DOT_WORDS: &str = "dot|punto|punkt|point|ponto|punt|kropka";
// Top-level domains a spelled-out address must end with, so that "look at page dot two" is not
// taken for an address.
const TLDS: &str = "com|org|net|edu|gov|info|biz|io|co|me|uk|de|fr|es|it|nl|pt|br|pl|jp|sa|ae|\
                    eg|ma|ru|ch|at|be|eu|us|ca|au|in|mx|ar|cl|ie|se|no|dk|fi|online|shop|site|\
                    top|xyz|store|app|law";

static SPELLED_EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    let dot = format!(
        r"(?:\s*[\[(\{{<]\s*(?:{DOT_WORDS}|\.)\s*[\])\}}>]\s*|\s+(?:{DOT_WORDS})\s+|\s*\.\s*)"
    );
    let at = format!(
        r"(?:\s*[\[(\{{<]\s*(?:{AT_WORDS}|@)\s*[\])\}}>]\s*|\s+(?:{AT_WORDS})\s+|\s+@\s*|@\s+)"
    );
    let pattern = format!(
        r"(?i)(?P<local>[\p{{L}}\p{{N}}_+\-]+(?:{dot}[\p{{L}}\p{{N}}_+\-]+)*)(?P<at>{at})(?P<domain>[\p{{L}}\p{{N}}\-]+(?:{dot}[\p{{L}}\p{{N}}\-]+)*{dot}(?:{TLDS}))\b"
    );
    Regex::new(&ascii_boundaries(&pattern)).expect("valid regex")
});

// Mail providers: "jo at gmail.com" is an address even when written with a plain "at" and real
// dots, where "the guidance at nice.org.uk" is a citation.
const MAIL_PROVIDERS: [&str; 24] = [
    "gmail",
    "googlemail",
    "yahoo",
    "hotmail",
    "outlook",
    "live",
    "msn",
    "aol",
    "icloud",
    "me",
    "protonmail",
    "proton",
    "gmx",
    "web",
    "t-online",
    "yandex",
    "mail",
    "wp",
    "o2",
    "libero",
    "orange",
    "free",
    "laposte",
    "qq",
];

// Links, left alone by the number rules. Messenger links are the exception: their path is a phone
// number.
static URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)\b(?:https?://|www\.|(?:wa\.me|t\.me|wa\.link|api\.whatsapp\.com)/)[^\s<>"]+"#,
    )
    .expect("valid regex")
});

static MESSENGER_URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:https?://)?(?:www\.)?(?:wa\.me|wa\.link|api\.whatsapp\.com|t\.me)/")
        .expect("valid regex")
});

static LINK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)(https?://|www\.)\S+").expect("valid regex"));

// A run of digits with the usual separators. Whether it is a phone number is decided by its digit
// count, its neighbours and what follows it (see replace_phones and is_phone). `\d` is any
// script's digits (Arabic-Indic too), which is why the word boundaries are checked in code.
static PHONE_CANDIDATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:\+\(?|\()?\d[\d\s().\-]{6,}\d").expect("valid regex"));

// A unit right after a number makes it a quantity, not a phone number.
static UNIT_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&ascii_boundaries(
        r"(?i)^\s*(?:mg|mcg|µg|μg|g\b|kg|ml|l\b|iu|ui|ie|units?|unités|mmol|µmol|micromol|mmhg|%|ng|pg|cells|copies|doses?|people|patients|pacientes|cases|casos|mal\b|times)",
    ))
    .expect("valid regex")
});

static ISO_DATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\d{4}-\d{2}-\d{2}$").expect("valid regex"));

// Phone numbers written out in words, digit by digit (seven digit words or more in a row), in the
// languages of the corpus. "double"/"triple" repeat the next digit, as people read numbers aloud.
static WORD_PHONE: LazyLock<Regex> = LazyLock::new(|| {
    let words = "plus|double|triple|zero|oh|one|two|three|four|five|six|seven|eight|nine|\
                 cero|uno|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|\
                 null|eins|zwei|drei|vier|fünf|sechs|sieben|acht|neun|\
                 zéro|deux|trois|quatre|cinq|sept|huit|neuf|\
                 um|dois|três|quatro|sete|oito|nove|\
                 due|tre|quattro|cinque|sei|sette|otto|\
                 nul|een|twee|drie|vijf|zes|zeven|negen";
    Regex::new(&format!(
        r"(?i)\b(?:{words})(?:[\s,\-]+(?:{words})){{6,}}\b"
    ))
    .expect("valid regex")
});

/// A national identifier: how it looks and how its check digit is verified.
struct HealthId {
    pattern: LazyLock<Regex>,
    valid: fn(&[u32], &str) -> bool,
}

// The UK NHS number (10 digits, mod 11), the Dutch BSN (9 digits, "11-proef"), the German
// Krankenversichertennummer (a letter and 9 digits, Luhn-like), the French NIR (15 digits, key
// 97 - n mod 97), the Spanish DNI/NIE (8 digits and a letter, mod 23), the Italian codice fiscale
// (16 characters, check letter), the Polish PESEL (11 digits, weights 1-3-7-9) and the Brazilian
// CPF (11 digits, two mod-11 check digits).
static HEALTH_IDS: [HealthId; 8] = [
    HealthId {
        pattern: LazyLock::new(|| {
            Regex::new(&ascii_boundaries(r"\b\d{3}[ \-]?\d{3}[ \-]?\d{4}\b")).expect("valid regex")
        }),
        valid: nhs_number,
    },
    HealthId {
        pattern: LazyLock::new(|| {
            Regex::new(&ascii_boundaries(r"\b\d{4}\.?\d{2}\.?\d{3}\b")).expect("valid regex")
        }),
        valid: bsn,
    },
    HealthId {
        pattern: LazyLock::new(|| {
            Regex::new(&ascii_boundaries(r"(?i)\b[a-z]\d{9}\b")).expect("valid regex")
        }),
        valid: kvnr,
    },
    HealthId {
        pattern: LazyLock::new(|| {
            Regex::new(&ascii_boundaries(
                r"(?i)\b[12] ?\d{2} ?\d{2} ?(?:\d{2}|2a|2b) ?\d{3} ?\d{3} ?\d{2}\b",
            ))
            .expect("valid regex")
        }),
        valid: nir,
    },
    HealthId {
        pattern: LazyLock::new(|| {
            Regex::new(&ascii_boundaries(
                r"(?i)\b(?:[xyz][\- ]?)?\d{7,8}[\- ]?[a-z]\b",
            ))
            .expect("valid regex")
        }),
        valid: dni,
    },
    HealthId {
        pattern: LazyLock::new(|| {
            Regex::new(&ascii_boundaries(
                r"(?i)\b[a-z]{6}\d{2}[a-z]\d{2}[a-z]\d{3}[a-z]\b",
            ))
            .expect("valid regex")
        }),
        valid: codice_fiscale,
    },
    HealthId {
        pattern: LazyLock::new(|| {
            Regex::new(&ascii_boundaries(r"\b\d{11}\b")).expect("valid regex")
        }),
        valid: pesel,
    },
    HealthId {
        pattern: LazyLock::new(|| {
            Regex::new(&ascii_boundaries(r"\b\d{3}\.?\d{3}\.?\d{3}-?\d{2}\b")).expect("valid regex")
        }),
        valid: cpf,
    },
];

fn nhs_number(d: &[u32], _: &str) -> bool {
    if d.len() != 10 {
        return false;
    }
    let sum: u32 = d[..9].iter().zip((2..=10).rev()).map(|(x, w)| x * w).sum();
    let check = (11 - sum % 11) % 11;
    check != 10 && check == d[9]
}

fn bsn(d: &[u32], _: &str) -> bool {
    if d.len() != 9 || d[0] == 0 && d[1] == 0 {
        return false;
    }
    let sum: i64 = d[..8]
        .iter()
        .zip((2..=9).rev())
        .map(|(x, w)| i64::from(x * w))
        .sum::<i64>()
        - i64::from(d[8]);
    sum % 11 == 0 && sum > 0
}

fn kvnr(d: &[u32], raw: &str) -> bool {
    let Some(letter) = raw.chars().next().map(|c| c.to_ascii_uppercase()) else {
        return false;
    };
    if d.len() != 9 || !letter.is_ascii_uppercase() {
        return false;
    }
    let n = u32::from(letter) - u32::from('A') + 1;
    let digits: Vec<u32> = [n / 10, n % 10]
        .into_iter()
        .chain(d[..8].iter().copied())
        .collect();
    let sum: u32 = digits
        .iter()
        .enumerate()
        .map(|(i, x)| {
            let p = if i % 2 == 0 { *x } else { x * 2 };
            p / 10 + p % 10
        })
        .sum();
    sum % 10 == d[8]
}

fn nir(_: &[u32], raw: &str) -> bool {
    let compact: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    let upper = compact.to_ascii_uppercase();
    // Corsica's departments 2A and 2B count as 19 and 18 in the key.
    let body = upper[..13].replace("2A", "19").replace("2B", "18");
    let (Ok(n), Ok(key)) = (body.parse::<u64>(), upper[13..].parse::<u64>()) else {
        return false;
    };
    97 - n % 97 == key
}

fn dni(d: &[u32], raw: &str) -> bool {
    const LETTERS: &[u8; 23] = b"TRWAGMYFPDXBNJZSQVHLCKE";
    let upper = raw.to_ascii_uppercase();
    let prefix = match upper.chars().next() {
        Some('X') => Some(0u8),
        Some('Y') => Some(1),
        Some('Z') if upper.len() > 1 && upper.as_bytes()[1].is_ascii_digit() => Some(2),
        _ => None,
    };
    let expected_len = if prefix.is_some() { 7 } else { 8 };
    if d.len() != expected_len {
        return false;
    }
    let n = d.iter().fold(u64::from(prefix.unwrap_or(0)), |acc, x| {
        acc * 10 + u64::from(*x)
    });
    let Some(last) = upper.chars().last() else {
        return false;
    };
    LETTERS[(n % 23) as usize] as char == last
}

fn codice_fiscale(_: &[u32], raw: &str) -> bool {
    // Values of the characters in odd positions (1st, 3rd, ...); digits count as A..J.
    const ODD: [u32; 26] = [
        1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24,
        23,
    ];
    let upper = raw.to_ascii_uppercase();
    let chars: Vec<char> = upper.chars().collect();
    if chars.len() != 16 {
        return false;
    }
    let index = |c: char| -> u32 {
        if c.is_ascii_digit() {
            u32::from(c) - u32::from('0')
        } else {
            u32::from(c) - u32::from('A')
        }
    };
    let sum: u32 = chars[..15]
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            if i % 2 == 0 {
                ODD[index(c) as usize]
            } else {
                index(c)
            }
        })
        .sum();
    char::from(b'A' + (sum % 26) as u8) == chars[15]
}

fn pesel(d: &[u32], _: &str) -> bool {
    const WEIGHTS: [u32; 10] = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3];
    if d.len() != 11 {
        return false;
    }
    let sum: u32 = d[..10].iter().zip(WEIGHTS).map(|(x, w)| x * w).sum();
    (10 - sum % 10) % 10 == d[10]
}

fn cpf(d: &[u32], _: &str) -> bool {
    if d.len() != 11 || d.iter().all(|x| *x == d[0]) {
        return false;
    }
    let check = |n: usize| -> u32 {
        let sum: u32 = d[..n]
            .iter()
            .zip((2..=n as u32 + 1).rev())
            .map(|(x, w)| x * w)
            .sum();
        (sum * 10) % 11 % 10
    };
    check(9) == d[9] && check(10) == d[10]
}

fn digits_of(s: &str) -> Vec<u32> {
    s.chars().filter_map(|c| c.to_digit(10)).collect()
}

/// Digits in any script (`\d` in the candidate pattern matches Arabic-Indic digits too).
fn digit_count(s: &str) -> usize {
    s.chars().filter(|c| c.is_numeric()).count()
}

fn is_phone(candidate: &str, after: &str) -> bool {
    let digits = digit_count(candidate);
    if !(9..=15).contains(&digits) || ISO_DATE.is_match(candidate.trim()) {
        return false;
    }
    if UNIT_AFTER.is_match(after) {
        return false;
    }
    let groups: Vec<&str> = candidate
        .split(|c: char| !c.is_numeric())
        .filter(|g| !g.is_empty())
        .collect();
    // "2015 2016 2017", "10000-20000", "100 000 000": years and round numbers, not a phone.
    let all_years = groups.len() > 1
        && groups
            .iter()
            .all(|g| g.len() == 4 && (g.starts_with("19") || g.starts_with("20")));
    let round = groups.len() > 1 && groups[1..].iter().all(|g| g.ends_with("00"));
    !all_years && !round
}

/// Replaces e-mail addresses with `[email]`, phone numbers with `[phone]` and national health
/// identifiers with `[health id]`.
pub fn scrub_personal_details(text: &str) -> String {
    scrub(text).text
}

/// Scrubs like [`scrub_personal_details`] and says what it found (for the lanes classifier,
/// which needs to know that a report carried a WhatsApp number without keeping the number).
pub fn scrub(text: &str) -> Scrubbed {
    let mut findings = Findings {
        emails: text.matches(EMAIL_MARK).count(),
        phones: text.matches(PHONE_MARK).count(),
        health_ids: text.matches(HEALTH_ID_MARK).count(),
        ..Findings::default()
    };
    let text = EMAIL.replace_all(text, |_: &Captures| {
        findings.emails += 1;
        EMAIL_MARK
    });
    let text = replace_spelled_emails(&text, &mut findings);
    let text = outside_links(&text, &mut findings, |segment, findings| {
        let segment = replace_health_ids(segment, findings);
        let segment = replace_phones(&segment, findings);
        WORD_PHONE
            .replace_all(&segment, |_: &Captures| {
                findings.phones += 1;
                findings.spelled_phones += 1;
                PHONE_MARK
            })
            .into_owned()
    });
    Scrubbed { text, findings }
}

fn replace_spelled_emails<'t>(text: &'t str, findings: &mut Findings) -> Cow<'t, str> {
    SPELLED_EMAIL.replace_all(text, |caps: &Captures| {
        let whole = &caps[0];
        let local = &caps["local"];
        let at = caps["at"].trim();
        let domain = &caps["domain"];
        let spelled_dot = domain.contains(['[', '(', '{', '<'])
            || domain
                .split(|c: char| !c.is_alphanumeric())
                .any(|w| DOT_WORDS.split('|').any(|d| w.eq_ignore_ascii_case(d)));
        let plain_at = at.eq_ignore_ascii_case("at") || at.eq_ignore_ascii_case("chez");
        let provider = domain
            .split(|c: char| !c.is_alphanumeric() && c != '-')
            .next()
            .is_some_and(|first| MAIL_PROVIDERS.iter().any(|p| first.eq_ignore_ascii_case(p)));
        let local_looks_like_address =
            local.contains(['.', '_']) || local.chars().any(|c| c.is_ascii_digit());
        // "the guidance at nice.org.uk" is a citation; "jo at gmail.com" and anything with a
        // spelled "dot" or a bracketed "at" is an address.
        if plain_at && !spelled_dot && !provider && !local_looks_like_address {
            return whole.to_string();
        }
        if at != "@" || spelled_dot {
            findings.spelled_emails += 1;
        }
        findings.emails += 1;
        EMAIL_MARK.to_string()
    })
}

/// Applies `scrub_segment` to the text between links; messenger links (wa.me/447…) have their
/// number replaced, other links are kept whole.
fn outside_links(
    text: &str,
    findings: &mut Findings,
    mut scrub_segment: impl FnMut(&str, &mut Findings) -> String,
) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for link in URL.find_iter(text) {
        out.push_str(&scrub_segment(&text[last..link.start()], findings));
        if MESSENGER_URL.is_match(link.as_str()) {
            out.push_str(&replace_phones(link.as_str(), findings));
        } else {
            out.push_str(link.as_str());
        }
        last = link.end();
    }
    out.push_str(&scrub_segment(&text[last..], findings));
    out
}

fn replace_health_ids(text: &str, findings: &mut Findings) -> String {
    let mut text = text.to_string();
    for id in &HEALTH_IDS {
        if let Cow::Owned(replaced) = id.pattern.replace_all(&text, |caps: &Captures| {
            let raw = &caps[0];
            if (id.valid)(&digits_of(raw), raw) {
                findings.health_ids += 1;
                HEALTH_ID_MARK.to_string()
            } else {
                raw.to_string()
            }
        }) {
            text = replaced;
        }
    }
    text
}

fn replace_phones(text: &str, findings: &mut Findings) -> String {
    PHONE_CANDIDATE
        .replace_all(text, |caps: &Captures| {
            let Some(m) = caps.get(0) else {
                return String::new();
            };
            // Inside a word or a code ("A123456789", "E11.9"): not a phone number.
            let glued = text[..m.start()]
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric)
                || text[m.end()..]
                    .chars()
                    .next()
                    .is_some_and(char::is_alphanumeric);
            if !glued && is_phone(m.as_str(), &text[m.end()..]) {
                findings.phones += 1;
                PHONE_MARK.to_string()
            } else {
                m.as_str().to_string()
            }
        })
        .into_owned()
}

/// Replaces e-mail addresses with `[email]` and nothing else: for text that is not a reader's
/// (an SMTP server's error, say) but may name one.
pub fn redact_email_addresses(text: &str) -> String {
    EMAIL.replace_all(text, "[email]").into_owned()
}

pub fn count_links(text: &str) -> usize {
    LINK.find_iter(text).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_messages_lose_their_addresses_only() {
        assert_eq!(
            redact_email_addresses(
                "550 5.1.1 <Reader.Name@Example.org>: Recipient address rejected"
            ),
            "550 5.1.1 <[email]>: Recipient address rejected"
        );
    }

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
    fn spelled_out_addresses_go_in_several_languages() {
        for (text, expected) in [
            (
                "write to jo dot bloggs at gmail dot com please",
                "write to [email] please",
            ),
            ("jo [at] example [dot] org", "[email]"),
            ("tom(at)rheum-team(dot)org", "[email]"),
            ("r.singh [at] uni-hospital [dot] org", "[email]"),
            (
                "Contacto: marta punto lopez arroba gmail punto com",
                "Contacto: [email]",
            ),
            (
                "Schreiben Sie an hilfe Punkt krypto at gmx Punkt net",
                "Schreiben Sie an [email]",
            ),
            (
                "Gruß, s.wagner ät apotheke-wagner punkt de",
                "Gruß, [email]",
            ),
            ("contact arobase seo-pro point fr", "[email]"),
            (
                "Pneumologue, p.durand chez chu-exemple point fr",
                "Pneumologue, [email]",
            ),
            ("joao ponto farma arroba gmail ponto com", "[email]"),
            ("m.bakker apenstaartje ggd punt nl", "[email]"),
            ("giulia punto rossi chiocciola farmacia punto it", "[email]"),
            ("piotr.wisniewski małpa apteka kropka pl", "[email]"),
            ("jo at gmail.com", "[email]"),
            ("jo @ gmail . com", "[email]"),
            ("kidneydonor2025 at yahoo dot com", "[email]"),
        ] {
            assert_eq!(scrub_personal_details(text), expected, "{text}");
        }
        let found = scrub("jo [at] example [dot] org or jo@example.org").findings;
        assert_eq!((found.emails, found.spelled_emails), (2, 1));
    }

    #[test]
    fn citations_with_at_are_not_addresses() {
        for text in [
            "see the guidance at nice.org.uk",
            "Available at who.int and at cdc.gov",
            "look at the table at the end. Com on",
            "take it at night, point 2 of the leaflet",
        ] {
            assert_eq!(scrub_personal_details(text), text);
        }
    }

    #[test]
    fn international_phones_go() {
        for (text, expected) in [
            ("tel. 912 345 678", "tel. [phone]"),
            ("+34 612 34 56 78", "[phone]"),
            ("0049 176 98765432", "[phone]"),
            ("+49 (0) 151 2345 6789", "[phone]"),
            ("01 23 45 67 89", "[phone]"),
            ("+33 6 12 34 56 78", "[phone]"),
            ("(11) 98765-4321", "[phone]"),
            ("dr. P. de Vries, 06-12345678", "dr. P. de Vries, [phone]"),
            ("WhatsApp +52 55 1234 5678", "WhatsApp [phone]"),
            ("واتساب 00971501234567", "واتساب [phone]"),
            ("رقمي ٠٥٠١٢٣٤٥٦٧ اتصلوا", "رقمي [phone] اتصلوا"),
            ("山田 090-1234-5678", "山田 [phone]"),
            ("call 1-888-555-0123 now", "call [phone] now"),
            (
                "message wa.me/2348012345678 today",
                "message wa.me/[phone] today",
            ),
        ] {
            assert_eq!(scrub_personal_details(text), expected, "{text}");
        }
    }

    #[test]
    fn phones_in_words_go() {
        let s = scrub(
            "whatsapp: plus four four seven seven double zero nine zero zero nine nine one. thanks",
        );
        assert_eq!(s.text, "whatsapp: [phone]. thanks");
        assert_eq!((s.findings.phones, s.findings.spelled_phones), (1, 1));
        assert_eq!(
            scrub_personal_details("llama al seis uno dos tres cuatro cinco seis siete ocho"),
            "llama al [phone]"
        );
        // Two or three number words are ordinary prose.
        let text = "take one or two tablets, three times a day";
        assert_eq!(scrub_personal_details(text), text);
    }

    #[test]
    fn health_identifiers_with_a_valid_check_digit_go() {
        for (text, expected) in [
            (
                "My NHS number is 943 476 5919 thanks",
                "My NHS number is [health id] thanks",
            ),
            ("NHS no 9434765919", "NHS no [health id]"),
            ("Mijn BSN is 111222333.", "Mijn BSN is [health id]."),
            (
                "Versichertennummer A123456780",
                "Versichertennummer [health id]",
            ),
            (
                "numéro de sécu 1 85 05 78 006 084 91",
                "numéro de sécu [health id]",
            ),
            ("mi DNI es 12345678Z", "mi DNI es [health id]"),
            ("NIE X1234567L", "NIE [health id]"),
            (
                "codice fiscale RSSMRA85T10A562S",
                "codice fiscale [health id]",
            ),
            ("PESEL 44051401359", "PESEL [health id]"),
            ("CPF 529.982.247-25", "CPF [health id]"),
        ] {
            let s = scrub(text);
            assert_eq!(s.text, expected, "{text}");
            assert_eq!(s.findings.health_ids, 1, "{text}");
        }
        // A wrong check digit is not an identifier (and too short to be a phone).
        assert_eq!(scrub_personal_details("ref 12345678A"), "ref 12345678A");
        assert_eq!(
            scrub_personal_details("RSSMRA85T10A562X"),
            "RSSMRA85T10A562X"
        );
    }

    #[test]
    fn clinical_numbers_stay() {
        for text in [
            "The dose should be 500 mg, not 5000 mg.",
            "Updated on 2026-11-25 but still says 1,000 units",
            "Guideline NG136 from 2019 says 140/90 mmHg",
            "500 mg every 4–6 hours",
            "500 mg every 4-6 hours, max 4 g in 24 hours",
            "HbA1c 48 mmol/mol (6.5%)",
            "stop when eGFR is below 30 mL/min/1.73m2",
            "ICD-10 E11.9 and ICD-11 5A11",
            "NICE NG136, CG113 and NG143",
            "data from 2015–2019 and 2015-2019",
            "between 2015 2016 2017 2018",
            "dexamethasone 0.15 mg/kg, not 1.5 mg/kg",
            "10000 - 20000 IU a week",
            "100 000 000 doses were given",
            "10 000 000 de doses",
            "PMID 35353979",
            "doi 10.1002/14651858.CD015017.pub3",
            "https://www.who.int/publications/i/item/9789240033986",
            "INR 2.0-3.0 (2.5), target 3-4 for valves",
            "12.03.2024 to 15.03.2024",
            "1 FTU = 0.5 g, 250-500 g a week",
            "glucosa 126 mg/dl, 100 a 125",
            "تحت 16 سنة، 3200 ملغ",
            "1日4000mgです",
            "400 micrograms (0.4 mg), 5mg if BMI 30+",
            "call 999 or 111",
        ] {
            assert_eq!(scrub_personal_details(text), text);
        }
    }

    #[test]
    fn already_scrubbed_text_reports_the_same() {
        let first = scrub("call 07700 900123 or jo@example.org");
        let again = scrub(&first.text);
        assert_eq!(again.text, first.text);
        assert_eq!(again.findings.contacts(), 2);
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
