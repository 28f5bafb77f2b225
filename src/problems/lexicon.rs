//! The concept lexicon (`lexicon.tsv`): the same medical concept in the languages readers write
//! in, so that "paracetamol", "acetaminophen", "باراسيتامول" and "アセトアミノフェン" give one term
//! key, and "Schwangerschaft", "embarazo" and "pregnancy" another. Shared names of drugs and
//! conditions are what ties a report in one language to reports in another; without the lexicon
//! only numbers and names spelt alike (ibuprofen/ibuprofeno) did.
//!
//! A word is looked up by its [`skeleton`] (so plurals and spelling variants of a listed form
//! match), then, failing that, as an inflected or compound form of a listed one (see
//! [`Lexicon::each_concept`]). CJK text has no spaces: [`Lexicon::cjk_form_at`] finds listed
//! forms inside a run of characters. The file's header says where the data came from and how to
//! extend it.

use std::collections::HashMap;
use std::sync::LazyLock;

use super::text::{fold, skeleton};

/// The language columns of `lexicon.tsv`, in order (ISO 639-1).
const COLUMNS: [&str; 12] = [
    "en", "es", "de", "fr", "pt", "it", "nl", "pl", "ar", "tr", "ja", "zh",
];

/// How telling a shared concept is (the matcher weighs each: `matcher::weight`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Strength {
    /// A drug, vaccine, disease or named test: as telling as a shared rare word.
    Name,
    /// An organ, a stage of life, a kind of treatment ("kidney", "pregnancy", "breastfeeding"):
    /// narrows what a report is about, but several passages of one page share it.
    Topic,
    /// A word most dose reports use in some language ("children", "maximum", "daily"): weak.
    General,
}

#[derive(Debug)]
pub(crate) struct Concept {
    pub id: &'static str,
    pub strength: Strength,
}

/// A listed form: its concept (an index into `concepts`) and the columns that list it.
#[derive(Debug, Clone, Copy)]
struct Entry {
    concept: usize,
    langs: u16,
}

#[derive(Debug, Default)]
pub(crate) struct Lexicon {
    concepts: Vec<Concept>,
    /// One-word forms by their skeleton.
    words: HashMap<String, Vec<Entry>>,
    /// One-word forms of at least [`STEM_MIN_CHARS`] as folded, for inflected and compound words.
    stems: HashMap<String, Vec<Entry>>,
    /// Forms of several words, by the skeleton of their first word: the skeletons of the others.
    phrases: HashMap<String, Vec<(Vec<String>, Entry)>>,
    /// Forms in CJK script by their first character, longest first.
    cjk: HashMap<char, Vec<(Vec<char>, Entry)>>,
}

/// A listed form must be at least this long (folded characters) to be recognised inside a longer
/// word ("Schwangerschaftswoche", "hamilelikte"): shorter ones ("rein", "arm") are inside too
/// many unrelated words.
const STEM_MIN_CHARS: usize = 5;

/// A name this long is recognised in a report of any language (see [`Lexicon::allowed`]).
const NAME_ANY_LANGUAGE_CHARS: usize = 6;

/// An inflected form may add this many characters to a listed one in any language ("niñas",
/// "asthmatic", "Nieren"). Turkish adds case and possessive suffixes in a row, so more there.
const INFLECTION_CHARS: usize = 3;
const TURKISH_SUFFIX_CHARS: usize = 8;

/// Arabic clitics written onto the word: "and", "with", "for", "as", "so", and the article.
const ARABIC_PREFIXES: &[&str] = &[
    "وبال", "وال", "بال", "كال", "فال", "لل", "ال", "و", "ب", "ل", "ف", "ك",
];

pub(crate) static LEXICON: LazyLock<Lexicon> =
    LazyLock::new(|| Lexicon::parse(include_str!("lexicon.tsv")));

fn is_cjk_form(form: &str) -> bool {
    form.chars().any(super::text::is_cjk)
}

impl Lexicon {
    /// Reads the TSV: `#` comments, a header row, then one concept a row: its id, its strength
    /// (`name`, `topic`, `general`), and one cell a language of forms separated by commas (`-`
    /// for none). A malformed row is a programming error caught by the unit tests.
    fn parse(text: &'static str) -> Lexicon {
        let mut lexicon = Lexicon::default();
        let rows = text
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .skip(1);
        for row in rows {
            let mut cells = row.split('\t');
            let (Some(id), Some(strength)) = (cells.next(), cells.next()) else {
                continue;
            };
            let strength = match strength.trim() {
                "name" => Strength::Name,
                "topic" => Strength::Topic,
                _ => Strength::General,
            };
            let concept = lexicon.concepts.len();
            lexicon.concepts.push(Concept {
                id: id.trim(),
                strength,
            });
            for (column, cell) in cells.enumerate().take(COLUMNS.len()) {
                let langs = 1u16 << column;
                for form in cell.split(',').map(str::trim) {
                    if form.is_empty() || form == "-" {
                        continue;
                    }
                    lexicon.add(&fold(form), Entry { concept, langs });
                }
            }
        }
        for forms in lexicon.cjk.values_mut() {
            forms.sort_by_key(|(form, _)| std::cmp::Reverse(form.len()));
        }
        lexicon
    }

    fn add(&mut self, form: &str, entry: Entry) {
        let push =
            |list: &mut Vec<Entry>| match list.iter_mut().find(|e| e.concept == entry.concept) {
                Some(e) => e.langs |= entry.langs,
                None => list.push(entry),
            };
        if is_cjk_form(form) {
            let chars: Vec<char> = form.chars().filter(|c| !c.is_whitespace()).collect();
            let list = self.cjk.entry(chars[0]).or_default();
            match list
                .iter_mut()
                .find(|(f, e)| *f == chars && e.concept == entry.concept)
            {
                Some((_, e)) => e.langs |= entry.langs,
                None => list.push((chars, entry)),
            }
            // The whole form is also a word: the tokenizer hands it over as one.
            push(self.words.entry(form.replace(' ', "")).or_default());
            return;
        }
        let words: Vec<&str> = form
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        match words.as_slice() {
            [] => {}
            [word] => {
                push(self.words.entry(skeleton(word)).or_default());
                if word.chars().count() >= STEM_MIN_CHARS {
                    push(self.stems.entry(word.to_string()).or_default());
                }
            }
            [first, rest @ ..] => {
                let rest = rest.iter().map(|w| skeleton(w)).collect();
                self.phrases
                    .entry(skeleton(first))
                    .or_default()
                    .push((rest, entry));
            }
        }
    }

    /// The first entry a reader writing in `lang` may mean: a form of their language or of
    /// English (readers mix it in), or a listed name of [`NAME_ANY_LANGUAGE_CHARS`] or more
    /// (drug and disease names cross languages as they are; shorter ones are common words
    /// elsewhere: "gripe", "zona"); any entry when the language is unknown. `chars` is the
    /// length of the form found.
    fn allowed(&self, entries: &[Entry], lang: Option<usize>, chars: usize) -> Option<&Concept> {
        entries
            .iter()
            .find(|e| {
                let concept = &self.concepts[e.concept];
                match lang {
                    None => true,
                    Some(column) => {
                        e.langs & (1 << column | 1) != 0
                            || (concept.strength == Strength::Name
                                && chars >= NAME_ANY_LANGUAGE_CHARS)
                    }
                }
            })
            .map(|e| &self.concepts[e.concept])
    }

    /// Calls `found` with each concept a folded word names, and returns how many it found:
    ///
    /// 1. the word's skeleton is a listed form's ("niños" → "niño");
    /// 2. in Arabic, the same after the clitics written onto it ("والباراسيتامول");
    /// 3. a listed form of at least [`STEM_MIN_CHARS`] followed by an ending ([`INFLECTION_CHARS`];
    ///    more in Turkish);
    /// 4. in German and Dutch, the longest listed form the word starts with and the longest it
    ///    ends with ("Schwangerschaftswoche" → pregnancy; "Tageshöchstdosis" → maximum).
    pub fn each_concept(
        &self,
        word: &str,
        lang: Option<&str>,
        mut found: impl FnMut(&Concept),
    ) -> usize {
        let base = lang.map(|l| l.split(['-', '_']).next().unwrap_or(l));
        let column = base.and_then(|l| COLUMNS.iter().position(|c| *c == l));
        // An unknown language outside the columns: every column may apply.
        let column = if base.is_some() && column.is_none() {
            None
        } else {
            column
        };
        let whole = |w: &str| {
            self.words
                .get(&skeleton(w))
                .and_then(|e| self.allowed(e, column, w.chars().count()))
        };
        if let Some(concept) = whole(word) {
            found(concept);
            return 1;
        }
        if word
            .chars()
            .next()
            .is_some_and(|c| ('\u{0600}'..='\u{06FF}').contains(&c))
        {
            for prefix in ARABIC_PREFIXES {
                if let Some(rest) = word.strip_prefix(prefix) {
                    if rest.chars().count() >= 3 {
                        if let Some(concept) = whole(rest) {
                            found(concept);
                            return 1;
                        }
                    }
                }
            }
            return 0;
        }
        let chars: Vec<(usize, char)> = word.char_indices().collect();
        let n = chars.len();
        if n <= STEM_MIN_CHARS {
            return 0;
        }
        let at = |k: usize| chars.get(k).map_or(word.len(), |(i, _)| *i);
        let stem = |s: &str| {
            self.stems
                .get(s)
                .and_then(|e| self.allowed(e, column, s.chars().count()))
        };
        let compounding = matches!(base, Some("de" | "nl"));
        let longest_suffix = match base {
            Some("tr") => TURKISH_SUFFIX_CHARS,
            _ if compounding => n - STEM_MIN_CHARS,
            _ => INFLECTION_CHARS,
        };
        let head = (STEM_MIN_CHARS..n)
            .rev()
            .take_while(|&k| n - k <= longest_suffix)
            .find_map(|k| stem(&word[..at(k)]));
        let tail = if compounding {
            (1..=n - STEM_MIN_CHARS).find_map(|k| stem(&word[at(k)..]))
        } else {
            None
        };
        let mut count = 0;
        for concept in [head, tail].into_iter().flatten() {
            if count == 0 || head.is_some_and(|h| h.id != concept.id) {
                found(concept);
                count += 1;
            }
        }
        count
    }

    /// Whether a folded word is the first of a form of several words.
    /// The strength of the concept with this id, or `None` for an id the lexicon does not list.
    pub fn strength_of(&self, id: &str) -> Option<Strength> {
        self.concepts
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.strength)
    }

    pub fn starts_phrase(&self, word: &str) -> bool {
        !self.phrases.is_empty() && self.phrases.contains_key(&skeleton(word))
    }

    /// A form of several words starting at `words[0]` (each folded): its concept and how many
    /// words it takes ("al día", "folic acid", "triple vírica").
    pub fn phrase_at(&self, words: &[&str], lang: Option<&str>) -> Option<(&Concept, usize)> {
        let first = words.first()?;
        let candidates = self.phrases.get(&skeleton(first))?;
        let column = lang.and_then(|l| {
            let l = l.split(['-', '_']).next().unwrap_or(l);
            COLUMNS.iter().position(|c| *c == l)
        });
        candidates
            .iter()
            .filter(|(rest, _)| {
                rest.len() < words.len()
                    && rest
                        .iter()
                        .zip(&words[1..])
                        .all(|(want, got)| *want == skeleton(got))
            })
            .max_by_key(|(rest, _)| rest.len())
            .and_then(|(rest, entry)| {
                self.allowed(std::slice::from_ref(entry), column, usize::MAX)
                    .map(|c| (c, rest.len() + 1))
            })
    }

    /// The length (in characters) of the longest CJK form listed that starts at `run[at]`.
    pub fn cjk_form_at(&self, run: &[char], at: usize) -> Option<usize> {
        let forms = self.cjk.get(run.get(at)?)?;
        forms
            .iter()
            .find(|(form, _)| run[at..].starts_with(form))
            .map(|(form, _)| form.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(word: &str, lang: Option<&str>) -> Vec<&'static str> {
        let mut out = Vec::new();
        LEXICON.each_concept(&fold(word), lang, |c| out.push(c.id));
        out
    }

    #[test]
    fn every_row_has_an_id_a_strength_and_a_cell_per_language() {
        let text = include_str!("lexicon.tsv");
        let mut seen = std::collections::HashSet::new();
        for (n, row) in text
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .enumerate()
        {
            let cells: Vec<&str> = row.split('\t').collect();
            assert_eq!(cells.len(), 2 + COLUMNS.len(), "row {n}: {row}");
            if n == 0 {
                continue;
            }
            assert!(
                matches!(cells[1], "name" | "topic" | "general"),
                "row {n}: {row}"
            );
            assert!(seen.insert(cells[0]), "concept {} listed twice", cells[0]);
        }
        assert!(LEXICON.concepts.len() >= 200, "{}", LEXICON.concepts.len());
    }

    #[test]
    fn one_concept_across_languages_and_spellings() {
        for (word, lang) in [
            ("paracetamol", "en"),
            ("acetaminophen", "en"),
            ("paracétamol", "fr"),
            ("Paracetamolo", "it"),
            ("باراسيتامول", "ar"),
            ("والباراسيتامول", "ar"),
            ("parasetamol", "tr"),
            ("parasetamolü", "tr"),
        ] {
            assert_eq!(ids(word, Some(lang)), vec!["paracetamol"], "{word}");
        }
        for (word, lang) in [
            ("pregnancy", "en"),
            ("embarazo", "es"),
            ("embarazadas", "es"),
            ("Schwangerschaft", "de"),
            ("grossesse", "fr"),
            ("gravidez", "pt"),
            ("gravidanza", "it"),
            ("zwangerschap", "nl"),
            ("ciąży", "pl"),
            ("hamilelik", "tr"),
            ("hamilelikte", "tr"),
            ("妊娠", "ja"),
            ("怀孕", "zh"),
        ] {
            assert_eq!(ids(word, Some(lang)), vec!["pregnancy"], "{word}");
        }
        assert_eq!(ids("Schwangerschaftswoche", Some("de")), vec!["pregnancy"]);
        assert_eq!(ids("Tageshöchstdosis", Some("de")), vec!["maximum"]);
        assert_eq!(ids("Nierenfunktion", Some("de")), vec!["kidney"]);
    }

    #[test]
    fn words_of_other_languages_are_not_read_as_concepts() {
        // French "rein" (kidney) is German "rein" (pure).
        assert_eq!(ids("rein", Some("fr")), vec!["kidney"]);
        assert!(ids("rein", Some("de")).is_empty());
        // Unlisted words are nothing, however long.
        assert!(ids("Straßenbahnhaltestelle", Some("de")).is_empty());
        assert!(ids("understanding", Some("en")).is_empty());
    }

    #[test]
    fn phrases_and_cjk_forms() {
        let words = ["al", "dia", "no", "mas"];
        let (concept, n) = LEXICON.phrase_at(&words, Some("es")).unwrap();
        assert_eq!((concept.id, n), ("daily", 2));
        let words = ["folic", "acid", "a", "day"];
        assert_eq!(
            LEXICON
                .phrase_at(&words, Some("en"))
                .map(|(c, n)| (c.id, n)),
            Some(("folic-acid", 2))
        );
        let run: Vec<char> = "妊娠中のイブプロフェン".chars().collect();
        // "妊娠中" (during pregnancy) is listed as a whole.
        assert_eq!(LEXICON.cjk_form_at(&run, 0), Some(3));
        assert_eq!(LEXICON.cjk_form_at(&run, 4), Some(7));
        assert_eq!(LEXICON.cjk_form_at(&run, 3), None);
    }
}
