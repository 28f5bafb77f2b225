//! Turning a report's text into what the model and the near-copy check compare: hashed word and
//! character n-grams, and a MinHash fingerprint. Both work on any script: words are runs of letters
//! and digits, and scripts written without spaces (Japanese, Chinese) are covered by the character
//! n-grams of the run.

use serde::{Deserialize, Serialize};

/// FNV-1a, seeded by a namespace so that the word "dose" and the quote word "dose" differ.
#[derive(Clone, Copy)]
struct Fnv(u64);

impl Fnv {
    fn new(namespace: u8) -> Fnv {
        Fnv((0xcbf2_9ce4_8422_2325_u64 ^ u64::from(namespace)).wrapping_mul(0x100_0000_01b3))
    }

    fn char(mut self, c: char) -> Fnv {
        let mut buf = [0u8; 4];
        for b in c.encode_utf8(&mut buf).bytes() {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
        self
    }

    fn str(self, s: &str) -> Fnv {
        s.chars().fold(self, Fnv::char)
    }

    fn finish(self) -> u64 {
        // A final avalanche so that the low bits used by the table are well mixed.
        let mut x = self.0;
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        x ^= x >> 33;
        x
    }
}

/// Namespaces of the hashed features.
pub(crate) mod ns {
    pub const WORD: u8 = 1;
    pub const BIGRAM: u8 = 2;
    pub const CHARS: u8 = 3;
    pub const QUOTE_WORD: u8 = 4;
    pub const META: u8 = 5;
}

/// Lower-cased words of a text, digits folded to `#` so that "500mg" and "200mg" are one word,
/// and runs of digits to a single `#` ("07700 900123" is "# #").
pub(crate) fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() {
            if c.is_numeric() {
                if !current.ends_with('#') {
                    current.push('#');
                }
            } else {
                current.extend(c.to_lowercase());
            }
        } else if !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Hashes of the features of one report, deduplicated (the model counts presence, not
/// repetition, which suits short texts and keeps a spammer's repeated word from dominating).
pub(crate) fn features(
    details: &[String],
    quote: &[String],
    meta: &[&str],
    table_bits: u32,
) -> Vec<u32> {
    let mask = (1u64 << table_bits) - 1;
    let mut out: Vec<u32> = Vec::with_capacity(details.len() * 8 + quote.len() + meta.len());
    let mut push = |h: Fnv| out.push((h.finish() & mask) as u32);
    for (i, w) in details.iter().enumerate() {
        push(Fnv::new(ns::WORD).str(w));
        if let Some(next) = details.get(i + 1) {
            push(Fnv::new(ns::BIGRAM).str(w).char(' ').str(next));
        }
        // Character 3- and 4-grams with word boundaries carry across inflections, spelling
        // variants and languages ("prescription", "prescripción", "Rezept" share little, but
        // "ibuprofen"/"ibuprofeno" share most).
        let chars: Vec<char> = std::iter::once('^')
            .chain(w.chars())
            .chain(std::iter::once('$'))
            .collect();
        for n in [3usize, 4] {
            for gram in chars.windows(n) {
                push(gram.iter().copied().fold(Fnv::new(ns::CHARS), Fnv::char));
            }
        }
    }
    for w in quote {
        push(Fnv::new(ns::QUOTE_WORD).str(w));
    }
    for m in meta {
        push(Fnv::new(ns::META).str(m));
    }
    out.sort_unstable();
    out.dedup();
    out
}

const MINHASHES: usize = 32;

/// A MinHash fingerprint of a text's character 5-grams: two texts' fingerprints agree in about the
/// share of 5-grams they have in common (their Jaccard similarity), so a spam campaign's variants
/// (another name, another link) are recognised from 128 bytes per stored report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fingerprint([u32; MINHASHES]);

impl Serialize for Fingerprint {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for Fingerprint {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Fingerprint, D::Error> {
        let hex = String::deserialize(d)?;
        Fingerprint::from_hex(&hex)
            .ok_or_else(|| serde::de::Error::custom("a fingerprint is 256 hex digits"))
    }
}

impl Fingerprint {
    /// The fingerprint of a report's passage and details (scrubbed or not: contact details are
    /// normalised the same way). None when there is too little text to compare safely.
    pub fn of(quote: Option<&str>, details: Option<&str>) -> Option<Fingerprint> {
        let normalised: Vec<char> = normalise(quote.unwrap_or(""), details.unwrap_or(""));
        if normalised.len() < MIN_CHARS {
            return None;
        }
        let mut mins = [u32::MAX; MINHASHES];
        for gram in normalised.windows(5) {
            let h = gram.iter().copied().fold(Fnv::new(0), Fnv::char).finish();
            for (i, min) in mins.iter_mut().enumerate() {
                let v = mix(h ^ SEEDS[i]) as u32;
                if v < *min {
                    *min = v;
                }
            }
        }
        Some(Fingerprint(mins))
    }

    /// As stored with a report: 256 hex digits.
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|x| format!("{x:08x}")).collect()
    }

    /// A stored fingerprint; None for anything that is not one.
    pub fn from_hex(hex: &str) -> Option<Fingerprint> {
        if hex.len() != MINHASHES * 8 || !hex.is_ascii() {
            return None;
        }
        let mut out = [0u32; MINHASHES];
        for (i, slot) in out.iter_mut().enumerate() {
            *slot = u32::from_str_radix(&hex[i * 8..i * 8 + 8], 16).ok()?;
        }
        Some(Fingerprint(out))
    }

    /// Estimated share of 5-grams the two texts have in common, 0.0 to 1.0.
    pub fn similarity(&self, other: &Fingerprint) -> f32 {
        let same = self
            .0
            .iter()
            .zip(other.0)
            .filter(|(a, b)| **a == *b)
            .count();
        same as f32 / MINHASHES as f32
    }
}

/// Shorter texts ("test", "wrong") are left to the model: as near-copies they would match every
/// other short text.
const MIN_CHARS: usize = 20;

const SEEDS: [u64; MINHASHES] = {
    let mut seeds = [0u64; MINHASHES];
    let mut i = 0;
    let mut x = 0x9e37_79b9_7f4a_7c15_u64;
    while i < MINHASHES {
        x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
        seeds[i] = x;
        i += 1;
    }
    seeds
};

fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Lower case, letters and digits only, single spaces, digits folded: what stays the same
/// between a spam text and its next variant.
fn normalise(quote: &str, details: &str) -> Vec<char> {
    let mut out = Vec::with_capacity(quote.len() + details.len() + 1);
    for c in quote
        .chars()
        .chain(std::iter::once(' '))
        .chain(details.chars())
    {
        if c.is_alphanumeric() {
            if c.is_numeric() {
                out.push('0');
            } else {
                out.extend(c.to_lowercase());
            }
        } else if out.last().is_some_and(|l| *l != ' ') {
            out.push(' ');
        }
    }
    while out.last() == Some(&' ') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_fold_digits_and_case() {
        assert_eq!(
            words("Max 1200mg/day, call 07700 900123!"),
            ["max", "#mg", "day", "call", "#", "#"]
        );
        assert_eq!(words("الجرعة 3200 ملغ"), ["الجرعة", "#", "ملغ"]);
    }

    #[test]
    fn variants_of_a_spam_text_are_near_copies_and_other_texts_are_not() {
        let a = Fingerprint::of(None, Some("Buy cheap Viagra and Cialis online, no prescription needed! Order at https://pills-now.shop")).unwrap();
        let b = Fingerprint::of(None, Some("Buy cheap viagra and cialis online - no prescription needed!! order at https://meds-fast.top")).unwrap();
        let c = Fingerprint::of(None, Some("The maximum dose of ibuprofen without a prescription is 1200 mg a day, not 3200 mg")).unwrap();
        assert!(a.similarity(&b) > 0.5, "{}", a.similarity(&b));
        assert!(a.similarity(&c) < 0.2, "{}", a.similarity(&c));
        assert_eq!(Fingerprint::of(None, Some("test")), None);
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(serde_json::from_str::<Fingerprint>(&json).unwrap(), a);
    }
}
