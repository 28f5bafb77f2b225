//! The widget's languages: every string in one table (`strings.json`), how a page's language tag
//! picks one of them, and plural forms by the CLDR rules.
//!
//! Each language is an object of keys. A value is either a string, or, for a string with a count,
//! an object of CLDR plural forms (`one`, `few`, `other`…) with `{count}` where the number goes.
//! `dir` is `ltr` or `rtl`. The tests below fail when a language misses a key, has one English
//! lacks, lacks a plural form its rules need, or has placeholders English does not.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use icu_locale_core::LanguageIdentifier;
use icu_plurals::{PluralCategory, PluralRules, PluralRulesPreferences};
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize, Serialize)]
#[serde(untagged)]
pub enum Text {
    Plain(String),
    /// CLDR plural category (`zero`, `one`, `two`, `few`, `many`, `other`) to its form.
    Plural(BTreeMap<String, String>),
}

pub type Strings = BTreeMap<String, Text>;

/// Language code (`en`, `pt`, `zh`) to its strings.
pub static TABLE: LazyLock<BTreeMap<String, Strings>> =
    LazyLock::new(|| serde_json::from_str(include_str!("strings.json")).unwrap_or_default());

/// The language readers get when we have none of theirs.
pub const DEFAULT: &str = "en";

/// Our language for a page tagged `tag`: the tag itself, then ever shorter prefixes of it
/// (`pt-BR` → `pt`, `zh-Hans-CN` → `zh-hans` → `zh`), then English. widget.js does the same.
pub fn resolve(tag: Option<&str>) -> &'static str {
    let mut tag = tag
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
        .replace('_', "-");
    while !tag.is_empty() {
        if let Some((code, _)) = TABLE.get_key_value(&tag) {
            return code;
        }
        tag.truncate(tag.rfind('-').unwrap_or(0));
    }
    DEFAULT
}

/// One of our languages, ready to look strings up in.
#[derive(Clone, Copy)]
pub struct Lang {
    pub code: &'static str,
    strings: &'static Strings,
}

impl Lang {
    /// The language for a page's tag, with the fallbacks of [`resolve`].
    pub fn for_tag(tag: Option<&str>) -> Lang {
        static EMPTY: Strings = BTreeMap::new();
        let code = resolve(tag);
        Lang {
            code,
            strings: TABLE.get(code).unwrap_or(&EMPTY),
        }
    }

    /// A plain string; empty if the key is missing (the tests make sure none is).
    pub fn text(&self, key: &str) -> &'static str {
        match self.strings.get(key) {
            Some(Text::Plain(s)) => s,
            _ => "",
        }
    }

    /// `ltr` or `rtl`.
    pub fn dir(&self) -> &'static str {
        self.text("dir")
    }

    /// A string with a count, in the plural form this language's CLDR rules choose for `n`.
    pub fn count(&self, key: &str, n: u32) -> String {
        let Some(Text::Plural(forms)) = self.strings.get(key) else {
            return String::new();
        };
        let category = plural_rules(self.code).map_or(PluralCategory::Other, |r| r.category_for(n));
        let form = forms
            .iter()
            .find(|(name, _)| PluralCategory::get_for_cldr_string(name) == Some(category))
            .or_else(|| forms.get_key_value("other"))
            .map_or("", |(_, form)| form.as_str());
        form.replace("{count}", &n.to_string())
    }
}

/// CLDR cardinal rules for a language code; ICU4X carries the data compiled in.
pub fn plural_rules(code: &str) -> Option<PluralRules> {
    let id = LanguageIdentifier::try_from_str(code).ok()?;
    PluralRules::try_new_cardinal(PluralRulesPreferences::from(&id)).ok()
}

/// The JSON of one language's strings, as widget.js receives it.
pub fn json(code: &str) -> String {
    TABLE
        .get(code)
        .and_then(|t| serde_json::to_string(t).ok())
        .unwrap_or_else(|| "{}".into())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::domain::{Category, Reason};

    fn placeholders(s: &str) -> BTreeSet<&str> {
        s.split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
            .collect()
    }

    fn name(c: PluralCategory) -> &'static str {
        match c {
            PluralCategory::Zero => "zero",
            PluralCategory::One => "one",
            PluralCategory::Two => "two",
            PluralCategory::Few => "few",
            PluralCategory::Many => "many",
            PluralCategory::Other => "other",
        }
    }

    /// The plural categories whole numbers up to 10,000 fall into (widget counts are characters,
    /// at most 4,000), each with how many of those numbers it covers.
    fn integer_categories(rules: &PluralRules) -> BTreeMap<&'static str, usize> {
        let mut seen = BTreeMap::new();
        for n in 0..=10_000u32 {
            *seen.entry(name(rules.category_for(n))).or_default() += 1;
        }
        seen
    }

    #[test]
    fn every_language_has_every_key_and_no_other() {
        let english = &TABLE[DEFAULT];
        assert!(TABLE.len() >= 12, "at least a dozen languages");
        for c in Category::ALL {
            assert!(english.contains_key(&format!("c_{}", c.as_str())));
        }
        for r in Reason::ALL {
            assert!(english.contains_key(&format!("r_{}", r.as_str())));
        }
        for (lang, table) in TABLE.iter() {
            let missing: Vec<_> = english.keys().filter(|k| !table.contains_key(*k)).collect();
            let extra: Vec<_> = table.keys().filter(|k| !english.contains_key(*k)).collect();
            assert!(missing.is_empty(), "{lang} lacks {missing:?}");
            assert!(extra.is_empty(), "{lang} has keys English lacks: {extra:?}");
            for (key, text) in table {
                let same_kind = matches!(
                    (text, &english[key]),
                    (Text::Plain(_), Text::Plain(_)) | (Text::Plural(_), Text::Plural(_))
                );
                assert!(
                    same_kind,
                    "{lang}.{key}: plain in one language, plural in another"
                );
            }
        }
    }

    #[test]
    fn placeholders_match_english() {
        for (lang, table) in TABLE.iter() {
            let rules = plural_rules(lang).unwrap_or_else(|| panic!("no plural rules for {lang}"));
            let categories = integer_categories(&rules);
            for (key, text) in table {
                match (text, &TABLE[DEFAULT][key]) {
                    (Text::Plain(s), Text::Plain(en)) => {
                        assert_eq!(placeholders(s), placeholders(en), "{lang}.{key}: {s}");
                    }
                    (Text::Plural(forms), Text::Plural(en)) => {
                        let wanted = placeholders(&en["other"]);
                        for (category, form) in forms {
                            // "one" in Arabic is only ever 1, so "حرف واحد" needs no number;
                            // French "one" is 0 and 1, so it does.
                            let single = categories.get(category.as_str()) == Some(&1);
                            let have = placeholders(form);
                            assert!(
                                have == wanted || (single && have.is_subset(&wanted)),
                                "{lang}.{key}.{category}: {form} (wants {wanted:?})"
                            );
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    #[test]
    fn plural_forms_follow_cldr() {
        for (lang, table) in TABLE.iter() {
            let rules = plural_rules(lang).unwrap_or_else(|| panic!("no plural rules for {lang}"));
            let allowed: BTreeSet<&str> = rules.categories().map(name).collect();
            let mut needed: BTreeSet<&str> = integer_categories(&rules).into_keys().collect();
            needed.insert("other");
            for (key, text) in table {
                let Text::Plural(forms) = text else { continue };
                let have: BTreeSet<&str> = forms.keys().map(String::as_str).collect();
                assert!(
                    needed.is_subset(&have),
                    "{lang}.{key} needs {needed:?}, has {have:?}"
                );
                assert!(
                    have.is_subset(&allowed),
                    "{lang}.{key}: {lang} has only {allowed:?}"
                );
            }
        }
    }

    #[test]
    fn direction_is_set_and_right_to_left_where_it_should_be() {
        for (lang, table) in TABLE.iter() {
            let dir = Lang::for_tag(Some(lang)).dir();
            assert!(matches!(dir, "ltr" | "rtl"), "{lang}: dir {dir:?}");
            assert!(matches!(table.get("dir"), Some(Text::Plain(_))));
        }
        assert_eq!(Lang::for_tag(Some("ar")).dir(), "rtl");
        assert_eq!(Lang::for_tag(Some("he-IL")).dir(), "rtl");
        assert_eq!(Lang::for_tag(Some("ja")).dir(), "ltr");
    }

    #[test]
    fn language_tags_fall_back_sensibly() {
        assert_eq!(resolve(Some("pt-BR")), "pt");
        assert_eq!(resolve(Some("PT_br")), "pt");
        assert_eq!(resolve(Some("zh-Hans-CN")), "zh");
        assert_eq!(resolve(Some("es-MX")), "es");
        assert_eq!(resolve(Some("sw")), "en");
        assert_eq!(resolve(Some("")), "en");
        assert_eq!(resolve(Some("-")), "en");
        assert_eq!(resolve(None), "en");
        assert_eq!(Lang::for_tag(Some("es-MX")).text("yes"), "Sí");
    }

    #[test]
    fn counts_take_the_right_plural_form() {
        let pl = Lang::for_tag(Some("pl"));
        assert_eq!(pl.count("chars_left", 1), "Pozostał 1 znak");
        assert_eq!(pl.count("chars_left", 3), "Pozostały 3 znaki");
        assert_eq!(pl.count("chars_left", 5), "Pozostało 5 znaków");
        assert_eq!(pl.count("chars_left", 22), "Pozostały 22 znaki");
        assert_eq!(
            pl.count("chars_max", 1000),
            "Możesz wpisać maksymalnie 1000 znaków"
        );
        let ar = Lang::for_tag(Some("ar"));
        assert_eq!(ar.count("chars_left", 2), "يتبقى حرفان");
        assert_eq!(ar.count("chars_left", 7), "يتبقى 7 أحرف");
        assert_eq!(ar.count("chars_left", 11), "يتبقى 11 حرفًا");
        assert_eq!(ar.count("chars_max", 1000), "يمكنك إدخال 1000 حرف كحد أقصى");
        let en = Lang::for_tag(None);
        assert_eq!(en.count("chars_left", 1), "You have 1 character remaining");
        assert_eq!(
            en.count("chars_max", 4000),
            "You can enter up to 4000 characters"
        );
        assert_eq!(
            Lang::for_tag(Some("fr")).count("chars_left", 0),
            "Il vous reste 0 caractère"
        );
        assert_eq!(
            Lang::for_tag(Some("ja")).count("chars_max", 1000),
            "1000文字まで入力できます"
        );
    }
}
