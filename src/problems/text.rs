//! What the matcher reads in a report: its passage folded to a comparable form, and the terms
//! that can tie it to another report — quantities with units, ratios, codes, numbers and rare
//! words, each with a key that is the same however a reader typed it and, for words and numbers,
//! in whatever language they wrote.

use std::collections::{BTreeMap, HashSet};
use std::sync::LazyLock;

use super::lexicon::{Concept, Strength, LEXICON};
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// A passage longer than this (in folded characters) is cut: readers who select a whole
/// paragraph still share its start with those who select a sentence, and the stored signature
/// stays small.
pub(crate) const MAX_PASSAGE_CHARS: usize = 400;

/// Lower-case, accent-free text in compatibility form: full-width digits become ASCII, `㎎`
/// becomes `mg`, `µ` becomes `μ`, curly quotes stay punctuation. Readers retype passages without
/// accents or capitals, and a Spanish "máxima" must meet a retyped "maxima".
pub(crate) fn fold(text: &str) -> String {
    // Most reports on English pages are plain ASCII, which normalisation leaves as it is.
    if text.is_ascii() {
        return text.to_ascii_lowercase();
    }
    let mut out = String::with_capacity(text.len());
    // Only accents are dropped; other marks (the kana voicing marks) are recomposed with their
    // letter, so that ブ stays ブ.
    for c in text.nfkd().filter(|&c| !is_accent(c)).nfc() {
        match c {
            'ß' => out.push_str("ss"),
            'æ' | 'Æ' => out.push_str("ae"),
            'œ' | 'Œ' => out.push_str("oe"),
            'ø' | 'Ø' => out.push('o'),
            'ł' | 'Ł' => out.push('l'),
            'đ' | 'Đ' => out.push('d'),
            'ı' => out.push('i'),
            // Arabic-Indic digits and separators read as the numbers they are.
            '٠'..='٩' => out.push(char::from(b'0' + (c as u32 - 0x0660) as u8)),
            '۰'..='۹' => out.push(char::from(b'0' + (c as u32 - 0x06F0) as u8)),
            '٫' => out.push('.'),
            '٬' => out.push(','),
            '٪' => out.push('%'),
            _ => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// Combining accents of Latin, Greek and Cyrillic letters, and Arabic vowel signs (which
/// readers mostly leave out).
fn is_accent(c: char) -> bool {
    is_combining_mark(c) && matches!(c as u32, 0x0300..=0x036F | 0x064B..=0x065F | 0x0670)
}

/// A folded passage as the matcher compares it: letters and digits only. Dropping spaces and
/// punctuation makes "3,200 mg", "3.200 mg" and "3200mg" the same run of characters, and "up to"
/// the same as a retyped "upto".
pub(crate) fn compact(folded: &str) -> String {
    folded
        .chars()
        .filter(|c| c.is_alphanumeric())
        .take(MAX_PASSAGE_CHARS)
        .collect()
}

/// The sorted, distinct character trigrams of a compact passage, each packed into a `u64`
/// (21 bits a character), so that two passages compare by a merge of two sorted lists.
pub(crate) fn trigrams(compact: &str) -> Vec<u64> {
    let chars: Vec<u64> = compact.chars().map(u64::from).collect();
    let mut grams: Vec<u64> = chars
        .windows(3)
        .map(|w| (w[0] << 42) | (w[1] << 21) | w[2])
        .collect();
    grams.sort_unstable();
    grams.dedup();
    grams
}

/// How many trigrams two sorted lists share.
pub(crate) fn shared_count(a: &[u64], b: &[u64]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// What kind of evidence a shared term is; the matcher weighs each kind (see `matcher`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TermClass {
    /// A number with a unit that states a fact readers dispute: a dose, a percentage, a
    /// temperature, a lab value ("3200 mg", "7 %", "38 °C", "126 mg/dl"). Two reports that name
    /// different values of the same unit are about different statements.
    Measure,
    /// A length of time ("every 2 hours", "from 20 weeks", "at 12 months"): often the disputed
    /// fact, but one page states several that readers' corrections mix ("every 4 to 6 hours,
    /// not 2"), so never a conflict.
    Span,
    /// A count ("3 times", "8 tablets"): pages are full of small counts.
    Count,
    /// Two numbers joined by a slash ("140/90"): a blood-pressure reading, a score.
    Ratio,
    /// Letters and digits in one token: a guideline or trial code ("NG136"), a lab test
    /// ("HbA1c"), a vitamin ("B12").
    Code,
    /// Two bare numbers joined as a range ("an INR of 2 to 3", "2,0–3,0"): one statement, more
    /// telling than either end, which small numbers alone are not.
    Range,
    /// A bare number; `true` when it is specific (100 or more, or with decimals: a year, a dose),
    /// `false` for small counts that every page is full of.
    Number(bool),
    /// A word that is neither a stop word nor a word every health report uses.
    Word,
    /// A concept of the lexicon, named in any of its languages (`lexicon.tsv`).
    Concept(Strength),
}

/// One term of a report: its key (what is stored and compared), its class, and how to name it to
/// an editor ("3200 mg", "ibuprofeno").
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Term {
    pub key: String,
    pub class: TermClass,
    pub display: String,
    /// For a number stated with a unit or in a ratio, the key of that quantity or ratio: when
    /// both are shared, the number adds nothing.
    pub of: Option<String>,
    /// The ends of one range ("4 to 6 hours", "37,8–38 °C") share a number here: a range is one
    /// statement, so sharing both ends counts once, as does sharing one.
    pub range: Option<usize>,
}

/// The unit a quantity is stated in, after normalisation: the dimension that names it in keys,
/// the factor to the dimension's base unit, and its class.
struct Unit {
    dim: &'static str,
    factor: f64,
    class: TermClass,
}

const fn unit(dim: &'static str, factor: f64, class: TermClass) -> Unit {
    Unit { dim, factor, class }
}

/// Units as readers write them in the corpus languages (folded: no accents, lower case). Mass is
/// kept in milligrams so that "1 g", "1000 mg" and "1.000 mg" meet; international units under
/// one name (IU, UI, I.E.).
fn lookup_unit(word: &str) -> Option<Unit> {
    use TermClass::{Count, Measure, Span};
    Some(match word {
        "mg" | "milligram" | "milligrams" | "miligramos" | "miligramas" | "milligrammes"
        | "milligramm" | "milligrammi" | "ملغ" | "مغ" | "ملجم" | "مجم" => {
            unit("mg", 1.0, Measure)
        }
        "g" | "gr" | "gram" | "grams" | "gramos" | "gramas" | "grammes" | "gramm" | "grammi" => {
            unit("mg", 1000.0, Measure)
        }
        "mcg" | "μg" | "ug" | "microgram" | "micrograms" | "microgramos" | "microgramas"
        | "microgrammes" | "mikrogramm" | "microgrammi" | "mikrogramow" => {
            unit("mg", 0.001, Measure)
        }
        "kg" => unit("kg", 1.0, Measure),
        "ml" => unit("ml", 1.0, Measure),
        // Volumes of fluid ("drink 2 litres a day"), kept in millilitres so that "1 l", "1 litre"
        // and "1000 ml" meet.
        "l" | "litre" | "litres" | "liter" | "liters" | "litro" | "litros" | "litri" | "litr"
        | "litry" | "litrow" | "لتر" | "لترات" | "リットル" | "升" => {
            unit("ml", 1000.0, Measure)
        }
        "iu" | "ui" | "ie" => unit("iu", 1.0, Measure),
        "mmhg" => unit("mmhg", 1.0, Measure),
        "mmol" => unit("mmol", 1.0, Measure),
        "c" | "oc" | "grados" | "grad" | "degrees" | "degres" | "graus" | "gradi" => {
            unit("celsius", 1.0, Measure)
        }
        "h" | "hr" | "hrs" | "hour" | "hours" | "hora" | "horas" | "heure" | "heures"
        | "stunde" | "stunden" | "ora" | "ore" | "uur" | "godzin" | "godziny" | "godzina"
        | "saat" | "ساعة" | "ساعات" | "時間" | "小时" | "小時" => {
            unit("h", 1.0, Span)
        }
        "min" | "mins" | "minute" | "minutes" | "minuto" | "minutos" | "minuten" | "minuti" => {
            unit("min", 1.0, Span)
        }
        "day" | "days" | "dia" | "dias" | "jour" | "jours" | "tag" | "tage" | "tagen"
        | "giorno" | "giorni" | "dag" | "dagen" | "dni" | "dzien" | "dnia" | "gun" | "يوم"
        | "ايام" | "日間" | "日" | "天" => unit("d", 1.0, Span),
        "week" | "weeks" | "semana" | "semanas" | "semaine" | "semaines" | "woche" | "wochen"
        | "settimana" | "settimane" | "weken" | "tydzien" | "tygodni" | "tygodnia" | "tygodniu"
        | "hafta" | "اسبوع" | "اسابيع" | "週間" | "週" | "周" | "星期" => {
            unit("w", 1.0, Span)
        }
        "month" | "months" | "mes" | "meses" | "mois" | "monat" | "monate" | "monaten" | "mese"
        | "mesi" | "maand" | "maanden" | "miesiac" | "miesiace" | "miesiecy" | "ay" | "شهر"
        | "اشهر" | "شهور" | "か月" | "ヶ月" | "カ月" | "个月" | "個月" => {
            unit("mo", 1.0, Span)
        }
        "year" | "years" | "ano" | "anos" | "an" | "ans" | "jahr" | "jahre" | "jahren" | "anno"
        | "anni" | "jaar" | "lat" | "lata" | "roku" | "yil" | "yas" | "سنة" | "سنوات" | "歳"
        | "岁" | "年" => unit("y", 1.0, Span),
        "times" | "veces" | "mal" | "fois" | "vezes" | "volte" | "keer" | "x" | "razy" | "kez"
        | "defa" | "مرات" | "回" | "次" => unit("x", 1.0, Count),
        "tablet" | "tablets" | "comprimido" | "comprimidos" | "comprime" | "comprimes"
        | "tablette" | "tabletten" | "compressa" | "compresse" | "tabletki" | "tabletek" | "錠"
        | "片" => unit("tab", 1.0, Count),
        _ => return None,
    })
}

/// A German or Dutch compound that ends in a length of time names it: "20.
/// Schwangerschaftswoche" is week 20 of pregnancy, "im 6. Lebensmonat" month 6.
fn compound_unit(word: &str) -> Option<Unit> {
    const TAILS: &[(&str, &str)] = &[
        ("woche", "w"),
        ("wochen", "w"),
        ("week", "w"),
        ("monat", "mo"),
        ("monats", "mo"),
        ("maand", "mo"),
        ("jahr", "y"),
        ("jahres", "y"),
    ];
    TAILS
        .iter()
        .find(|(tail, _)| word.len() > tail.len() + 3 && word.ends_with(tail))
        .map(|(_, dim)| unit(dim, 1.0, TermClass::Span))
}

/// What a unit becomes when a denominator follows it: "mg/kg" is a dose by body weight (not a
/// dose), "mg/dl" and "mmol/l" are concentrations, "ml/min" is a filtration rate.
fn per(dim: &'static str, denominator: &str) -> Option<&'static str> {
    match (dim, denominator) {
        ("mg", "kg") => Some("mg/kg"),
        ("mg", "dl") => Some("mg/dl"),
        ("mg", "l") => Some("mg/l"),
        ("mmol", "l") => Some("mmol/l"),
        ("mmol", "mol") => Some("mmol/mol"),
        ("mg", "ml") => Some("mg/ml"),
        ("ml", "min") => Some("ml/min"),
        _ => None,
    }
}

/// Words that join the two ends of a range ("4 to 6 hours", "4 a 6 horas", "4 bis 6 Stunden"):
/// the unit after the second number belongs to the first too.
fn is_range_word(word: &str) -> bool {
    matches!(
        word,
        "to" | "a"
            | "bis"
            | "ate"
            | "tot"
            | "al"
            | "e"
            | "y"
            | "and"
            | "und"
            | "et"
            | "or"
            | "o"
            | "ou"
            | "oder"
    )
}

/// The per-kilogram words ("5 mg per kg", "por kg", "pro kg").
fn is_per_word(word: &str) -> bool {
    matches!(word, "per" | "por" | "pro" | "par" | "pour")
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Num(f64),
    /// Letters and digits together ("ng136", "hba1c"), or a dotted date ("12.05.2020").
    Code(String),
    Sym(char),
}

/// A token and whether white space came before it ("160/100" is a ratio, "160 / 100" is not).
struct Spanned {
    tok: Tok,
    spaced: bool,
}

pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF)
}

/// Reads a number at `chars[start]` (a digit): "3,200" and "3.200" are 3200 (a group of three
/// digits after a separator, and a first group that is not "0"); "0,4" and "0.4" are 0.4; with
/// two kinds of separator the last is the decimal one ("1.200,5"). A dotted date is a code.
fn read_number(chars: &[char], start: usize) -> (Tok, usize) {
    let mut groups: Vec<String> = vec![String::new()];
    let mut seps: Vec<char> = Vec::new();
    let mut i = start;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_digit() {
            if let Some(group) = groups.last_mut() {
                group.push(c);
            }
            i += 1;
        } else if (c == ',' || c == '.')
            && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit())
            && !groups.last().is_some_and(String::is_empty)
        {
            seps.push(c);
            groups.push(String::new());
            i += 1;
        } else {
            break;
        }
    }
    let parse = |s: &str| s.parse::<f64>().unwrap_or(0.0);
    let all_same = seps.windows(2).all(|w| w[0] == w[1]);
    let thousands = !seps.is_empty()
        && all_same
        && groups[0] != "0"
        && groups[0].len() <= 3
        && groups[1..].iter().all(|g| g.len() == 3);
    let tok = if seps.is_empty() || thousands {
        Tok::Num(parse(&groups.concat()))
    } else if seps.len() == 1 {
        Tok::Num(parse(&format!("{}.{}", groups[0], groups[1])))
    } else if all_same {
        let mut code = groups[0].clone();
        for (sep, group) in seps.iter().zip(&groups[1..]) {
            code.push(*sep);
            code.push_str(group);
        }
        Tok::Code(code)
    } else {
        let last = groups.len() - 1;
        Tok::Num(parse(&format!(
            "{}.{}",
            groups[..last].concat(),
            groups[last]
        )))
    };
    (tok, i)
}

/// Splits folded text into words, numbers, codes and the symbols that matter to quantities.
/// Dotted abbreviations made of single letters ("i.e.", "u.i.") become one word ("ie", "ui");
/// runs of CJK characters become overlapping pairs, the usual way to compare text without spaces.
fn tokenize(folded: &str) -> Vec<Spanned> {
    let chars: Vec<char> = folded.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let mut spaced = true;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            spaced = true;
            i += 1;
            continue;
        }
        if c.is_ascii_digit() {
            let (tok, next) = read_number(&chars, i);
            out.push(Spanned { tok, spaced });
            i = next;
        } else if is_cjk(c) {
            let start = i;
            while i < chars.len() && is_cjk(chars[i]) {
                i += 1;
            }
            let after_number = matches!(
                out.last(),
                Some(Spanned {
                    tok: Tok::Num(_),
                    ..
                })
            ) && !spaced;
            cjk_run(&chars[start..i], after_number, spaced, &mut out);
        } else if c.is_alphanumeric() {
            let start = i;
            while i < chars.len() && chars[i].is_alphanumeric() && !is_cjk(chars[i]) {
                i += 1;
            }
            let mut word: String = chars[start..i].iter().collect();
            // "i.e." and "u.i.": single letters each followed by a dot.
            if i - start == 1 && chars.get(i) == Some(&'.') {
                let mut j = i;
                while chars.get(j) == Some(&'.')
                    && chars.get(j + 1).is_some_and(|l| l.is_alphabetic())
                    && !chars.get(j + 2).is_some_and(|l| l.is_alphanumeric())
                {
                    word.push(chars[j + 1]);
                    j += 2;
                }
                if word.chars().count() > 1 {
                    i = j + usize::from(chars.get(j) == Some(&'.'));
                }
            }
            let has_digit = word.chars().any(|d| d.is_ascii_digit());
            let starts_with_digit = word.chars().next().is_some_and(|d| d.is_ascii_digit());
            let tok = if has_digit && !starts_with_digit {
                Tok::Code(word)
            } else {
                Tok::Word(word)
            };
            out.push(Spanned { tok, spaced });
        } else {
            out.push(Spanned {
                tok: Tok::Sym(c),
                spaced,
            });
            i += 1;
        }
        spaced = false;
    }
    out
}

/// Units written in CJK script right after a number ("20週", "6時間", "3个月"), longest first.
const CJK_UNITS: &[&str] = &[
    "週間", "か月", "ヶ月", "カ月", "个月", "個月", "時間", "小时", "小時", "日間", "分钟", "星期",
    "週", "周", "歳", "岁", "年", "回", "次", "錠", "片", "天", "日",
];

/// Splits a run of CJK characters (no spaces) into words: a unit right after a number, the
/// lexicon's forms ("妊娠", "イブプロフェン") whole, and the rest as overlapping character pairs,
/// the usual way to compare text without spaces. A lone character stays one word.
fn cjk_run(run: &[char], after_number: bool, spaced: bool, out: &mut Vec<Spanned>) {
    let mut at = 0;
    if after_number {
        if let Some(unit) = CJK_UNITS
            .iter()
            .map(|u| u.chars().collect::<Vec<char>>())
            .find(|u| run.starts_with(u))
        {
            at = unit.len();
            out.push(Spanned {
                tok: Tok::Word(unit.iter().collect()),
                spaced: false,
            });
        }
    }
    let mut pending = at;
    let flush = |from: usize, to: usize, out: &mut Vec<Spanned>| {
        let part = &run[from..to];
        if part.len() == 1 {
            out.push(Spanned {
                tok: Tok::Word(part.iter().collect()),
                spaced,
            });
        }
        for pair in part.windows(2) {
            out.push(Spanned {
                tok: Tok::Word(pair.iter().collect()),
                spaced: true,
            });
        }
    };
    while at < run.len() {
        match LEXICON.cjk_form_at(run, at) {
            Some(len) => {
                flush(pending, at, out);
                out.push(Spanned {
                    tok: Tok::Word(run[at..at + len].iter().collect()),
                    spaced: true,
                });
                at += len;
                pending = at;
            }
            None => at += 1,
        }
    }
    flush(pending, run.len(), out);
}

/// A number as keys show it: no trailing zeros, at most four decimals.
fn number_text(value: f64) -> String {
    let rounded = (value * 10_000.0).round() / 10_000.0;
    let text = format!("{rounded:.4}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// How a quantity is named to editors.
fn quantity_display(value: f64, dim: &str) -> String {
    let v = number_text(value);
    match dim {
        "mg" if value < 1.0 => format!("{} µg", number_text(value * 1000.0)),
        "celsius" => format!("{v} °C"),
        "iu" => format!("{v} IU"),
        "%" => format!("{v} %"),
        "x" => format!("{v} times"),
        "tab" => format!("{v} tablets"),
        "mo" => format!("{v} months"),
        "y" => format!("{v} years"),
        "w" => format!("{v} weeks"),
        "d" => format!("{v} days"),
        _ => format!("{v} {dim}"),
    }
}

/// The unit that follows a number at `tokens[at]`, if any, and how many tokens it takes:
/// an optional degree sign, a unit word, and a denominator ("mg/kg", "mg per kg", "ml/min").
fn unit_at(tokens: &[Spanned], at: usize) -> Option<(&'static str, f64, TermClass, usize)> {
    let mut i = at;
    if let Some(Spanned {
        tok: Tok::Sym('%'), ..
    }) = tokens.get(i)
    {
        return Some(("%", 1.0, TermClass::Measure, 1));
    }
    if let Some(Spanned {
        tok: Tok::Sym('°'),
    ..
    }) = tokens.get(i)
    {
        i += 1;
    }
    let ordinal = matches!(
        tokens.get(i),
        Some(Spanned {
            tok: Tok::Sym('.'),
            spaced: false
        })
    );
    if ordinal {
        i += 1;
    }
    let Some(Spanned {
        tok: Tok::Word(word),
        ..
    }) = tokens.get(i)
    else {
        return None;
    };
    // "l" before an apostrophe is the article of the next word ("2 l'ibuprofene"), not litres.
    if word == "l"
        && matches!(
            tokens.get(i + 1),
            Some(Spanned {
                tok: Tok::Sym('\'' | '’'),
                ..
            })
        )
    {
        return None;
    }
    // After an ordinal ("20. Woche") only a length of time is read as a unit.
    let Some(found) = lookup_unit(word).filter(|u| !ordinal || u.class == TermClass::Span) else {
        // The compound is left to be read as a word too: "Schwangerschaft" is in it.
        let found = compound_unit(word)?;
        return Some((found.dim, found.factor, found.class, i - at));
    };
    i += 1;
    let denominator = match (tokens.get(i), tokens.get(i + 1)) {
        (
            Some(Spanned {
                tok: Tok::Sym('/'), ..
            }),
            Some(Spanned {
                tok: Tok::Word(d), ..
            }),
        ) => Some(d.as_str()),
        (
            Some(Spanned {
                tok: Tok::Word(p), ..
            }),
            Some(Spanned {
                tok: Tok::Word(d), ..
            }),
        ) if is_per_word(p) => Some(d.as_str()),
        _ => None,
    };
    if let Some(dim) = denominator.and_then(|d| per(found.dim, d)) {
        return Some((dim, found.factor, TermClass::Measure, i + 2 - at));
    }
    // A strength per volume ("120 mg/5 ml", "250 mg / 5 ml"): a concentration in mg/ml, not a
    // dose and a volume. A syrup's strength is not the disputed dose of its table.
    if let (
        Some(Spanned {
            tok: Tok::Sym('/'), ..
        }),
        Some(Spanned {
            tok: Tok::Num(amount),
            ..
        }),
        Some(Spanned {
            tok: Tok::Word(volume),
            ..
        }),
    ) = (tokens.get(i), tokens.get(i + 1), tokens.get(i + 2))
    {
        if let Some(volume) = lookup_unit(volume).filter(|u| u.dim == "ml") {
            if found.dim == "mg" && *amount > 0.0 {
                let factor = found.factor / (amount * volume.factor);
                return Some(("mg/ml", factor, TermClass::Measure, i + 3 - at));
            }
        }
    }
    Some((found.dim, found.factor, found.class, i - at))
}

/// Stop words: the function words of the reader's language (from the stopwords-iso lists) and of
/// English (readers mix it in), plus the words nearly every health report uses ("dose",
/// "article", "wrong", "link"), which say nothing about *which* problem a report is about.
#[rustfmt::skip]
const DOMAIN_WORDS: &[&str] = &[
    // en
    "article", "page", "says", "say", "said", "text", "wrong", "incorrect", "correct", "error",
    "mistake", "dose", "doses", "dosage", "daily", "day", "days", "take", "taking", "taken",
    "should", "must", "please", "fix", "update", "updated", "information", "info", "advice",
    "doctor", "medicine", "medicines", "patient", "patients", "people", "risk", "dangerous",
    "harmful", "safe", "link", "links", "broken", "dead", "doesn", "didn", "isn", "don", "max",
    "maximum", "minimum", "normal", "usual", "recommended", "recommendation", "recommends",
    "guidance", "advises", "outdated", "date", "site", "website", "sentence", "paragraph",
    "section", "click", "work", "works", "open", "found", "missing", "mention", "add",
    // What personal-detail scrubbing leaves in place of an address or a number.
    "email", "phone",
    // es
    "articulo", "pagina", "dice", "pone", "incorrecto", "incorrecta", "dosis", "diaria", "diario",
    "tomar", "toma", "debe", "deberia", "corregir", "corrijan", "informacion", "medico",
    "medicamento", "riesgo", "peligroso", "peligrosa", "enlace", "roto", "maximo", "maxima",
    "minimo", "minima", "habitual", "recomendado", "recomienda", "guia", "texto", "error",
    // de
    "artikel", "seite", "steht", "falsch", "fehler", "dosis", "einnehmen", "nehmen", "sollte",
    "bitte", "korrigieren", "arzt", "medikament", "risiko", "gefahrlich", "defekt", "maximal",
    "empfohlen", "empfiehlt", "leitlinie", "taglich", "angabe",
    // fr
    "erreur", "faux", "fausse", "incorrecte", "prendre", "doit", "corriger", "medecin",
    "medicament", "risque", "dangereux", "dangereuse", "lien", "casse", "maximale", "recommande",
    "recommandee", "jour", "texte",
    // pt
    "artigo", "erro", "errado", "errada", "incorreto", "incorreta", "deve", "informacao", "risco",
    "perigoso", "perigosa", "quebrado", "recomendada", "texto", "diz",
    // it
    "articolo", "errore", "sbagliato", "sbagliata", "dosi", "prendere", "correggere", "farmaco",
    "rischio", "pericoloso", "collegamento", "massimo", "massima", "normale", "raccomandato",
    "raccomandata",
    // nl
    "pagina", "staat", "fout", "onjuist", "nemen", "moet", "corrigeren", "arts", "medicijn",
    "risico", "gevaarlijk", "kapot", "maximaal", "normaal",
];

/// The languages whose stop-word lists are loaded, and used together when a report's language
/// is not known.
const LANGUAGES: &[&str] = &[
    "en", "es", "de", "fr", "pt", "it", "nl", "pl", "ar", "tr", "ja", "zh",
];

static STOP_WORDS: LazyLock<BTreeMap<&'static str, HashSet<String>>> = LazyLock::new(|| {
    LANGUAGES
        .iter()
        .map(|&lang| {
            let words = stop_words::lookup(lang).unwrap_or(&[]);
            (lang, words.iter().map(|w| fold(w)).collect())
        })
        .collect()
});

static DOMAIN: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| DOMAIN_WORDS.iter().copied().collect());

/// Whether a folded word says nothing about which problem a report is about, for a reader
/// writing in `lang` (any known language when it is unknown).
fn is_stop(word: &str, lang: Option<&str>) -> bool {
    if DOMAIN.contains(word) {
        return true;
    }
    let in_list = |l: &str| STOP_WORDS.get(l).is_some_and(|s| s.contains(word));
    match lang.map(|l| l.split(['-', '_']).next().unwrap_or(l)) {
        Some(l) if STOP_WORDS.contains_key(l) => in_list(l) || in_list("en"),
        _ => STOP_WORDS.values().any(|s| s.contains(word)),
    }
}

/// A word's key across languages and spellings: "ibuprofen", "ibuprofeno" and "ibuprofène"
/// meet, as do "amoxicillin"/"amoxicilina"/"amoxicilline", "levothyroxine"/"levotiroxina",
/// "syndrome"/"síndrome"/"Syndrom". Spellings that differ between languages (ph/f, th/t, y/i,
/// k/c) are unified, doubled letters collapsed, then one plural `s` and one final vowel are
/// dropped from words long enough to keep a stem.
pub(crate) fn skeleton(word: &str) -> String {
    let mut s = String::with_capacity(word.len());
    let mut chars = word.chars().peekable();
    let mut last = None;
    while let Some(c) = chars.next() {
        let unified = match (c, chars.peek()) {
            ('p', Some('h')) | ('t', Some('h')) => {
                chars.next();
                if c == 'p' {
                    'f'
                } else {
                    't'
                }
            }
            ('y', _) => 'i',
            ('k', _) => 'c',
            _ => c,
        };
        if Some(unified) != last {
            s.push(unified);
        }
        last = Some(unified);
    }
    let mut len = s.chars().count();
    if len >= 6 && s.ends_with('s') {
        s.pop();
        len -= 1;
    }
    if len >= 6 && s.ends_with(['a', 'e', 'o', 'i']) {
        s.pop();
    }
    s
}

/// Words shorter than this (in characters) are not evidence: "bp", "mg" and the like are too
/// common, and CJK pairs are exempt (two characters carry a word's meaning there).
const MIN_WORD_CHARS: usize = 3;

/// The longest form of several words in the lexicon ("non steroidal anti inflammatory").
const MAX_PHRASE_WORDS: usize = 4;

/// The HTTP "not found" code: every broken-link report names it, so it ties none to another.
const NOT_FOUND: f64 = 404.0;

/// A report's terms as they are collected: each key once, in order of first appearance.
#[derive(Default)]
struct Collected {
    terms: Vec<Term>,
    /// The keys already collected: long details have hundreds of words.
    seen: HashSet<String>,
}

impl Collected {
    fn push(
        &mut self,
        key: String,
        class: TermClass,
        display: String,
        of: Option<&str>,
        range: Option<usize>,
    ) {
        if self.seen.insert(key.clone()) {
            let of = of.map(str::to_string);
            self.terms.push(Term {
                key,
                class,
                display,
                of,
                range,
            });
        }
    }

    /// A concept of the lexicon, named by `display`.
    fn concept(&mut self, concept: &Concept, display: String) {
        let key = format!("l:{}", concept.id);
        self.push(
            key,
            TermClass::Concept(concept.strength),
            display,
            None,
            None,
        );
    }

    /// A number, bare or as the value of the quantity or ratio `of`.
    fn number(&mut self, value: f64, of: Option<&str>, range: Option<usize>) {
        if value == NOT_FOUND {
            return;
        }
        let specific = value >= 100.0 || value.fract() != 0.0;
        let text = number_text(value);
        self.push(
            format!("n:{text}"),
            TermClass::Number(specific),
            text,
            of,
            range,
        );
    }
}

/// The distinct terms of a report's folded quote and details, in order of first appearance.
pub(crate) fn terms(folded: &str, lang: Option<&str>) -> Vec<Term> {
    let tokens = tokenize(folded);
    let mut out = Collected::default();
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i].tok {
            Tok::Num(value) => {
                // A ratio: "160/100" written without spaces.
                if let (
                    Some(slash),
                    Some(Spanned {
                        tok: Tok::Num(b),
                        spaced: false,
                    }),
                ) = (tokens.get(i + 1), tokens.get(i + 2))
                {
                    if slash.tok == Tok::Sym('/') && !slash.spaced {
                        let text = format!("{}/{}", number_text(*value), number_text(*b));
                        let key = format!("r:{text}");
                        out.push(key.clone(), TermClass::Ratio, text, None, None);
                        out.number(*value, Some(&key), None);
                        out.number(*b, Some(&key), None);
                        // The unit of a reading ("mmHg") names no particular statement.
                        i += 3 + unit_at(&tokens, i + 3).map_or(0, |u| u.3);
                        continue;
                    }
                }
                // A range: numbers joined by "-", "–", "to", "a", "bis"…, sharing the unit that
                // follows the last of them.
                let mut values = vec![*value];
                let mut j = i + 1;
                while values.len() < 3 {
                    let joined = match tokens.get(j).map(|t| &t.tok) {
                        Some(Tok::Sym('-' | '–' | '—')) => true,
                        Some(Tok::Word(w)) => is_range_word(w),
                        _ => false,
                    };
                    match tokens.get(j + 1).map(|t| &t.tok) {
                        Some(Tok::Num(next)) if joined => {
                            values.push(*next);
                            j += 2;
                        }
                        _ => break,
                    }
                }
                let unit = unit_at(&tokens, j);
                let range = (values.len() > 1).then_some(i);
                if let (None, [low, .., high]) = (unit, values.as_slice()) {
                    // A range of bare numbers is one statement: its ends alone are small
                    // numbers every page has, the pair in one order is not.
                    let (low, high) = (low.min(*high), low.max(*high));
                    let text = format!("{}-{}", number_text(low), number_text(high));
                    out.push(format!("n:{text}"), TermClass::Range, text, None, range);
                }
                for &v in &values {
                    match unit {
                        Some((dim, factor, class, _)) => {
                            let base = v * factor;
                            let key = format!("q:{dim}:{}", number_text(base));
                            out.push(key.clone(), class, quantity_display(base, dim), None, range);
                            out.number(v, Some(&key), range);
                        }
                        None => out.number(v, None, range),
                    }
                }
                i = j + unit.map_or(0, |u| u.3);
                continue;
            }
            Tok::Code(code) => out.push(
                format!("c:{code}"),
                TermClass::Code,
                code.clone(),
                None,
                None,
            ),
            Tok::Word(word) => {
                if LEXICON.starts_phrase(word) {
                    // The words that follow, with where each is: hyphens and apostrophes join
                    // words of one name ("beta-blockers", "Reye's syndrome").
                    let mut words: Vec<(&str, usize)> = Vec::new();
                    for (at, t) in tokens.iter().enumerate().skip(i) {
                        match &t.tok {
                            Tok::Word(w) if words.len() < MAX_PHRASE_WORDS => {
                                words.push((w.as_str(), at))
                            }
                            Tok::Sym('-' | '\'' | '’') => {}
                            _ => break,
                        }
                    }
                    let plain: Vec<&str> = words.iter().map(|(w, _)| *w).collect();
                    if let Some((concept, n)) = LEXICON.phrase_at(&plain, lang) {
                        out.concept(concept, plain[..n].join(" "));
                        i = words[n - 1].1 + 1;
                        continue;
                    }
                }
                let named = LEXICON.each_concept(word, lang, |c| out.concept(c, word.clone()));
                let cjk = word.chars().any(is_cjk);
                if named == 0
                    && (cjk || word.chars().count() >= MIN_WORD_CHARS)
                    && !is_stop(word, lang)
                {
                    out.push(skeleton(word), TermClass::Word, word.clone(), None, None);
                }
            }
            Tok::Sym(_) => {}
        }
        i += 1;
    }
    out.terms
}

/// The dimensions of lengths of time and counts, which never conflict (see [`TermClass::Span`]).
const SPAN_DIMS: &[&str] = &["h", "min", "d", "w", "mo", "y", "x", "tab"];

/// The dimension of a key that states a measure ("q:mg:3200" → "mg", "r:140/90" → "ratio"), or
/// `None` for other keys and for lengths of time and counts.
pub(crate) fn measure_dim(key: &str) -> Option<&str> {
    if key.starts_with("r:") {
        return Some("ratio");
    }
    let (dim, _) = key.strip_prefix("q:")?.rsplit_once(':')?;
    (!SPAN_DIMS.contains(&dim)).then_some(dim)
}

/// A negation, "instead of" or "the article says", before the value it denies: "1,200 mg, not
/// 3,200", "no 40", "nicht 4 g", "pas 58", "não 2 horas", "zamiast 5 mg", "وليس 40", "不是7天",
/// "el artículo pone 120". Only the article: what "the leaflet says" or "the box says" is the
/// reader's source for the right value. At most
/// one word of comparison or time may stand between ("not under 60", "nicht alle 10 Jahre"): a
/// verb there makes a sentence of its own ("do not exceed 4 g" states the limit, it does not
/// deny it).
static DENIED_AFTER: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(
        r"(?:\b(?:not|no|nao|pas|non|nicht|niet|nie|statt|anstatt|zamiast|anziche|instead of|rather than|en vez de|en lugar de|em vez de|au lieu de|invece di|in plaats van|(?:article|page|text) (?:says|states|said)|(?:articulo|texto|pagina) (?:pone|dice)|(?:artigo|texto|pagina) diz|(?:article|texte|page) (?:dit|indique)|(?:artikel|text|seite) (?:sagt|schreibt|nennt)|(?:articolo|testo|pagina) (?:dice|riporta)|(?:artikel|tekst|pagina) (?:zegt|noemt)|(?:artykul|tekst|strona) (?:mowi|podaje))\b|وليس|ليس|بدلا من|而不是|不是|而非)\s*(?:(?:under|over|below|above|from|every|before|after|until|unter|uber|ab|bis|alle|nach|vor|moins|plus|tous|des|apres|avant|menos|mas|cada|desde|antes|despues|sotto|sopra|ogni|dopo|prima|onder|boven|elke|voor|ponizej|powyzej|co|od|przed)\s+)?(\d[\d.,]*(?:/\d[\d.,]*|\s*(?:-|–|to|a|bis|tot|do|à)\s*\d[\d.,]*)?\s*[^\s\d.,;:!?()]*)",
    )
    .expect("the pattern is valid")
});

/// A negation that follows the value it denies: Turkish "60 değil", "5 mg yerine", Japanese
/// "7日ではなく".
static DENIED_BEFORE: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(
        r"(\d[\d.,]*(?:\s*[-–]\s*\d[\d.,]*)?\s*[^\s\d.,;:!?()]{0,12}?)\s*(?:\b(?:degil|yerine)\b|ではなく|じゃなく|ではありません)",
    )
    .expect("the pattern is valid")
});

/// The values a reader denies in folded text: doses and readings (the keys [`measure_dim`]
/// names) right after a negation or "instead of" ("1,200 mg, not 3,200 mg"), or right before a
/// postposed one. A bare number takes the unit of the first value with a unit ("400
/// microgramos al día, no 40"). Lengths of time and counts are left out, as in the quote's
/// disputed values: a page states several, and readers' corrections mix them ("every 4 to 6
/// hours, not 2").
pub(crate) fn denied_values(folded: &str, lang: Option<&str>) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    // A bare number denied after a value with a unit is in that unit: "400 microgramos al día,
    // no 40", "0.92 g/L (5.1 mmol/L), not 1.26". The first such value states the measure.
    let all = terms(folded, lang);
    let unit = all.iter().find_map(|written| {
        let of = written.of.as_deref()?;
        let (dim, base) = of.strip_prefix("q:")?.rsplit_once(':')?;
        let (base, written): (f64, f64) = (
            base.parse().ok()?,
            written.key.strip_prefix("n:")?.parse().ok()?,
        );
        (written != 0.0).then(|| (dim.to_string(), base / written))
    });
    let fragments = DENIED_AFTER
        .captures_iter(folded)
        .chain(DENIED_BEFORE.captures_iter(folded))
        .filter_map(|c| c.get(1));
    for fragment in fragments {
        let terms = terms(fragment.as_str(), lang);
        let with_unit = terms
            .iter()
            .any(|t| t.key.starts_with("q:") || t.key.starts_with("r:"));
        for term in terms {
            let bare = term
                .key
                .strip_prefix("n:")
                .and_then(|n| n.parse::<f64>().ok());
            let key = match (&unit, bare) {
                (Some((dim, factor)), Some(n)) if !with_unit => {
                    format!("q:{dim}:{}", number_text(n * factor))
                }
                _ => term.key,
            };
            if measure_dim(&key).is_some() && !keys.contains(&key) {
                keys.push(key);
            }
        }
    }
    keys
}

/// Whether two value keys name the same value: the same key, or a measure and its bare number
/// ("q:mg:40" and "n:40": "no 40" on a page about micrograms).
pub(crate) fn same_value(a: &str, b: &str) -> bool {
    a == b || number_key(a).is_some_and(|n| n == b) || number_key(b).is_some_and(|n| n == a)
}

/// The class of a stored key: what [`terms`] gave the term it came from. A problem's signature
/// keeps keys only; the matcher weighs what a problem says that a report does not by them.
pub(crate) fn key_class(key: &str) -> TermClass {
    if let Some(id) = key.strip_prefix("l:") {
        return TermClass::Concept(LEXICON.strength_of(id).unwrap_or(Strength::General));
    }
    if key.starts_with("r:") {
        return TermClass::Ratio;
    }
    if key.starts_with("c:") {
        return TermClass::Code;
    }
    if let Some(number) = key.strip_prefix("n:") {
        if number.contains('-') {
            return TermClass::Range;
        }
        let value: f64 = number.parse().unwrap_or(0.0);
        return TermClass::Number(value >= 100.0 || value.fract() != 0.0);
    }
    if let Some((dim, _)) = key.strip_prefix("q:").and_then(|q| q.rsplit_once(':')) {
        return match dim {
            "x" | "tab" => TermClass::Count,
            _ if SPAN_DIMS.contains(&dim) => TermClass::Span,
            _ => TermClass::Measure,
        };
    }
    TermClass::Word
}

/// The bare-number key of a measure's value ("q:mg:3200" → "n:3200"): a report that names the
/// number without its unit still names the value.
pub(crate) fn number_key(measure: &str) -> Option<String> {
    let (_, value) = measure.strip_prefix("q:")?.rsplit_once(':')?;
    Some(format!("n:{value}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str, lang: Option<&str>) -> Vec<String> {
        terms(&fold(text), lang)
            .into_iter()
            .map(|t| t.key)
            .collect()
    }

    #[test]
    fn values_after_a_negation_or_before_a_postposed_one_are_denied() {
        let denied = |text: &str, lang: &str| denied_values(&fold(text), Some(lang));
        assert_eq!(denied("1,200 mg a day, not 3,200 mg", "en"), ["q:mg:3200"]);
        assert_eq!(
            denied("Es sind 200 mg, nicht 2000 mg.", "de"),
            ["q:mg:2000"]
        );
        // A bare number takes the unit of the first value with a unit.
        assert_eq!(
            denied("la dosis es 400 microgramos al día, no 40.", "es"),
            ["q:mg:0.04"]
        );
        assert_eq!(
            denied("Hypertension is 140/90 or higher, not 160/100.", "en"),
            ["r:160/100"]
        );
        assert_eq!(denied("48 mmol/mol, pas 58.", "fr"), ["q:mmol/mol:58"]);
        assert_eq!(denied("4 g olmalı, 6 g değil", "tr"), ["q:mg:6000"]);
        assert_eq!(
            denied("no pasa de 80 mg, el artículo pone 120", "es"),
            ["q:mg:120"]
        );
        // Stating a limit denies nothing, nor does a length of time, nor the reader's source.
        assert!(denied("Do not exceed 4 g a day", "en").is_empty());
        assert!(denied("No tomar más de 4 g al día", "es").is_empty());
        assert!(denied("every 4 to 6 hours, not 2 hours", "en").is_empty());
        assert!(denied("old figure, leaflet says 1200mg max", "en").is_empty());
    }

    #[test]
    fn doses_written_three_ways_are_one_quantity() {
        for text in [
            "up to 3,200 mg a day",
            "hasta 3.200 mg al día",
            "upto 3200mg a day",
            "3 200 mg",
        ] {
            let k = keys(text, None);
            if text == "3 200 mg" {
                // A space is not read as a thousands separator: "take 2 200 mg tablets" exists.
                assert!(!k.contains(&"q:mg:3200".to_string()), "{text}: {k:?}");
            } else {
                assert!(k.contains(&"q:mg:3200".to_string()), "{text}: {k:?}");
            }
        }
        assert!(keys("max 1.2 g a day", None).contains(&"q:mg:1200".to_string()));
        assert!(keys("0,4 mg", None).contains(&"q:mg:0.4".to_string()));
        assert!(keys("400 micrograms", None).contains(&"q:mg:0.4".to_string()));
        assert!(keys("400mcg", None).contains(&"q:mg:0.4".to_string()));
        assert!(keys("20 µg", None).contains(&"q:mg:0.02".to_string()));
    }

    #[test]
    fn units_ranges_ratios_and_codes() {
        let k = keys("800 I.E. täglich, 4000 IE ist die Obergrenze", Some("de"));
        assert!(
            k.contains(&"q:iu:800".to_string()) && k.contains(&"q:iu:4000".to_string()),
            "{k:?}"
        );
        assert!(keys("800 UI", Some("it")).contains(&"q:iu:800".to_string()));
        let k = keys("every 4 to 6 hours", Some("en"));
        assert!(
            k.contains(&"q:h:4".to_string()) && k.contains(&"q:h:6".to_string()),
            "{k:?}"
        );
        let k = keys("5-10 mg/kg per dose", Some("en"));
        assert!(
            k.contains(&"q:mg/kg:5".to_string()) && k.contains(&"q:mg/kg:10".to_string()),
            "{k:?}"
        );
        assert!(keys("40 mg por kg", Some("es")).contains(&"q:mg/kg:40".to_string()));
        // A syrup's strength is a concentration, not a dose and a volume.
        let syrup = keys("jarabe de 120 mg/5 ml", Some("es"));
        assert!(syrup.contains(&"q:mg/ml:24".to_string()), "{syrup:?}");
        assert!(!syrup.contains(&"q:mg:120".to_string()) && !syrup.contains(&"q:ml:5".to_string()));
        assert!(keys("24 mg/ml", None).contains(&"q:mg/ml:24".to_string()));
        assert!(keys("até 126 mg/dL", Some("pt")).contains(&"q:mg/dl:126".to_string()));
        assert!(keys("a partir de 39 °C", Some("es")).contains(&"q:celsius:39".to_string()));
        assert!(keys("fever is 38C or higher", Some("en")).contains(&"q:celsius:38".to_string()));
        assert!(keys("abaixo de 5%", Some("pt")).contains(&"q:%:5".to_string()));
        assert!(keys("HbA1c de 6,5 %", Some("pt")).contains(&"q:%:6.5".to_string()));
        let k = keys("NICE NG136 uses 140/90 mmHg", Some("en"));
        assert!(
            k.contains(&"r:140/90".to_string()) && k.contains(&"c:ng136".to_string()),
            "{k:?}"
        );
        assert!(keys("am 12.05.2020", Some("de")).contains(&"c:12.05.2020".to_string()));
        assert!(keys("the link is a 404", Some("en")).is_empty());
    }

    #[test]
    fn words_meet_across_languages_and_stop_words_go() {
        let en = keys("Amoxicillin is a penicillin", Some("en"));
        let es = keys("La amoxicilina es una penicilina", Some("es"));
        let fr = keys("l'amoxicilline est une pénicilline", Some("fr"));
        // Both are in the lexicon: one concept in every language.
        assert_eq!(en, vec!["l:amoxicillin", "l:penicillin"]);
        assert_eq!(es, en);
        assert_eq!(fr, en);
        assert_eq!(skeleton("levothyroxine"), skeleton("levotiroxina"));
        assert_eq!(skeleton(&fold("síndrome")), skeleton("syndrome"));
        assert_ne!(skeleton("prednisolone"), skeleton("prednisone"));
        // The words every report uses are not evidence, nor what scrubbing leaves behind.
        assert!(keys("the dose in this article is wrong, please fix", Some("en")).is_empty());
        assert!(keys("call me on [phone] or [email]", Some("en")).is_empty());
    }

    #[test]
    fn passages_compare_whatever_the_typing() {
        let page = compact(&fold(
            "Adults can take up to 3,200 mg a day, split into 3 or 4 doses.",
        ));
        let retyped = compact(&fold("adults can take upto 3200mg a day"));
        assert!(page.contains(&retyped));
        assert_eq!(compact(&fold("l’autisme")), compact(&fold("l'Autisme")));
        let a = trigrams(&page);
        let b = trigrams(&retyped);
        assert_eq!(shared_count(&a, &b), b.len());
    }

    #[test]
    fn japanese_text_is_compared_by_character_pairs() {
        let k = keys("イブプロフェンの最大量は１２００ｍｇです", Some("ja"));
        assert!(k.contains(&"q:mg:1200".to_string()), "{k:?}");
        assert!(k.contains(&"l:ibuprofen".to_string()), "{k:?}");
        // Outside the lexicon's forms, character pairs.
        let k = keys("胃の調子が悪い", Some("ja"));
        assert!(k.contains(&"調子".to_string()), "{k:?}");
    }
}
