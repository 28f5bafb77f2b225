//! Which open problem a new report belongs to, if any.
//!
//! A report is compared with each open problem of its article. It joins the problem with the
//! highest score if that score reaches the threshold, and starts a new problem otherwise. The
//! score adds up two kinds of evidence:
//!
//! - **The passage.** Both passages are folded to letters and digits (no case, accents, spaces
//!   or punctuation). The overlap is the share of the shorter passage's character trigrams that
//!   the longer one also has. The shorter one is either the new quote or one of the problem's
//!   kept passages. A reader who selected half the sentence, or retyped it as "upto 3200mg",
//!   still overlaps the whole sentence almost fully. A kept passage that a reader retyped into
//!   their details counts the same way. Overlaps below [`PASSAGE_FLOOR`] count for nothing, and
//!   short passages count less ([`SHORT_PASSAGE`]).
//! - **Shared rare terms.** Each term that the new report shares with the problem counts by its
//!   kind ([`weight`]: a dose counts more than a word) times its rarity ([`rarity`]). Rarity is
//!   1 when none of the article's other open reports use the term, and falls towards 0 as most
//!   of them do. So on the ibuprofen page, "ibuprofen" soon ties nothing, while "3200 mg" does.
//!   Numbers with units, codes and drug names get the same key in every language. That is how a
//!   Spanish report that quotes nothing meets the English ones. Words the concept lexicon
//!   (`lexicon.tsv`) lists get the key of their concept, so "paracetamol", "acetaminophen" and
//!   "باراسيتامول", or "pregnancy", "Schwangerschaft" and "妊娠", meet; a name counts like a rare
//!   word, an organ or stage of life less, a word every dose report uses ("children", "daily")
//!   little.
//!
//! One piece of evidence alone is never enough, except a shared passage. Two readers writing
//! about the same drug share its name by chance. One shared number can be an aside ("…and the
//! dose is 0,4 mg"). Readers who select the same sentence are reporting that sentence. A report
//! that says nothing of substance the problem does not say, and shares two pieces of it, needs
//! less than the threshold ([`WHOLE_CLAIM`]): short reports state a claim in two or three
//! concepts, and one of them is usually the page's own subject. The same holds the other way
//! round, when the short report came first: a problem that says nothing the new report does not
//! is its claim, unless the report adds a name or a value of its own.
//!
//! What is never merged (a wrong merge hides a problem; a missed one costs an editor a click):
//!
//! - **Different kinds.** `harmful`, `inaccurate`, `outdated` and `other` are one kind. Readers
//!   pick any of them for the same wrong dose, and "other" when they are unsure. `typo`,
//!   `broken_link` and `unclear` are each their own kind:
//!   - a typo in the sentence that has a wrong dose is a second fix;
//!   - a dead link is not about the text;
//!   - "unclear" asks for a rewrite, not a correction. Readers also use it for questions about a
//!     passage ("armpit or ear?"), which must not vanish into the correction of that passage.
//!
//!   The cost: a reader who files a wrong dose as a typo or as unclear starts a problem of their
//!   own, which an editor merges by hand.
//! - **Another passage.** A report that quotes a passage overlapping none of the problem's kept
//!   passages (below [`PASSAGE_FLOOR`]) is about another sentence. This holds whatever else they
//!   share: the adult and the child dose lines of one leaflet share "500 mg" and "every 4 to 6
//!   hours".
//! - **Different values of one measure.** Say the report and the problem both state doses (or
//!   percentages, temperatures, lab values, readings) in one unit, and share none of them, not
//!   even as a bare number. Then they are about different statements, such as the adult and the
//!   child dose of one drug. This holds unless the report quotes the problem's own sentence
//!   ([`SAME_PASSAGE`]).
//!
//! - **Different values in dispute.** A report that corrects one value of a passage (its quoted
//!   "240 mg", corrected to 300 mg) is not about the same complaint as readers who correct
//!   another value of it ("15 ml", corrected to 10 ml), though its quote lies inside theirs
//!   ([`other_disputed_value`]); nor is a report disputing the value the problem's readers give
//!   as the right one ([`disputes_their_correction`]). A report that quotes nothing says which
//!   value it disputes by denying it: "400 micrograms, not 40", "el artículo pone 120"
//!   (`text::denied_values`).
//! - **Alike quotes of other values.** "40 micrograms" shares most of its letters with "10
//!   micrograms of vitamin D": a quote whose numbers the other passage does not state is no
//!   evidence of the same passage (`Passage::states_other_numbers`), and the values decide.
//!
//! Arrival order matters to any greedy matcher. Suppose readers who quoted the passage and
//! readers who only described the error (in other words, or another language) each started a
//! problem. A later report that clearly belongs to both then bridges them: [`Match::merge`] names
//! the problems to merge. Or the problem it joins, with it, now clearly matches the other: the
//! same evidence between two problems ([`problems_agree`]: passages, rare shared names, words and
//! values, not lengths of time or counts) at the full threshold. Either way they are merged only
//! if they are compatible themselves ([`compatible`]: a kind in common, overlapping passages, no
//! conflicting values or values in dispute).
//!
//! Everything here is pure and deterministic. The same report and signatures, in the same order,
//! give the same answer, and ties go to the earlier problem. The figures behind each constant
//! are in `bench/problems/README.md`.

use super::lexicon::Strength;
use super::signature::{Passage, ProblemSignature, ReportText};
use super::text::{key_class, measure_dim, number_key, same_value, Term, TermClass};
use crate::domain::Category;

/// The problem a report should join.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    /// The position of the problem in the slice given to [`best_match`].
    pub index: usize,
    /// The evidence for it: at least [`THRESHOLD`] ([`SHORT_KIND_THRESHOLD`] for typos and
    /// broken links).
    pub score: f32,
    /// The evidence in words, for editors: "same passage", "shares 3200 mg and ibuprofeno".
    pub reason: String,
    /// Other problems (positions in the same slice, ascending) that are one problem with
    /// `index` once the report joins it, and compatible with it: the caller merges them into
    /// `index` ([`ProblemSignature::merge`]). Either the report belongs to them just as clearly
    /// (it bridges them), or the problem it joins, with it, now clearly matches them. This
    /// happens when readers who quoted the passage and readers who only described the error
    /// (in other words, or another language) started two problems before a report naming both
    /// arrived, or before the quoting problem had said enough.
    pub merge: Vec<usize>,
}

/// The score a report needs to join a problem. What reaches it:
///
/// - a shared passage of 0.9 overlap or more (`PASSAGE_WEIGHT` × overlap);
/// - a shared dose that no other problem of the article names, together with any second piece
///   of evidence (a third when that dose is not one the problem's readers quoted:
///   `ONE_VALUE_PIECES`);
/// - three rare words or names, or two names and a topic of the lexicon ("aspirin", "Reye's
///   syndrome", "children" in any language).
///
/// A report that says nothing the problem does not say needs only `WHOLE_CLAIM`. With that
/// rule, the shared ranges and the new lexicon rows, 2.0 still mixes complaints on the corpus
/// (in 4 of 50 shuffled orders): the threshold stays 2.25.
///
/// Two words and nothing else do not: two readers writing about one drug on its own page share
/// several words by chance. Measured on the corpus over 50 shuffled orders
/// (bench/problems/README.md): 2.0 folds 79.7 % of pairs but mixes complaints in 4 of 51 orders
/// (a report on one metformin passage joins the problem of another through "metformin", "eGFR"
/// and "60"; "keep off nursery for 2 days" joins "infectious until the spots crust"); 2.25
/// folds 75.7 % and mixes none, in any order, on the corpus or on the fresh development file;
/// 2.5 folds 72.0 %; 3.0 loses another 8 points. Before the lexicon 2.25 gained under one point
/// over 2.5 and was not worth the smaller margin; with names meeting across languages it gains
/// almost four.
pub const THRESHOLD: f32 = 2.25;

/// The score a `typo` or `broken_link` report needs to join a problem of its kind. These reports
/// name a word or a link in a few words ("Chikenpox", "the PDF leaflet", "NHS ibuprofen leaflet
/// (PDF)") and say little else, and they compete only with the few other typos or dead links of
/// the page: two rare words, or a short quote inside another, are enough.
pub const SHORT_KIND_THRESHOLD: f32 = 2.0;

/// What a passage shared in full is worth: more than the threshold. Readers who select the same
/// sentence are reporting it, and typos and dead links have little else to go on.
const PASSAGE_WEIGHT: f32 = 2.5;

/// Passage overlaps below this count for nothing. A report whose quote overlaps none of a
/// problem's passages this much quoted another passage. Partial and retyped quotes of one
/// sentence overlap 0.8 to 1. Two sentences of one article share up to 0.6 of their trigrams by
/// chance (function words, the drug's name, "500 mg", "every … hours"): at 0.5, the adult and the
/// child dose lines of the paracetamol article met.
const PASSAGE_FLOOR: f32 = 0.7;

/// An overlap at least this high is "the same passage" in the reason. As evidence (scaled for
/// length) it also overrides a conflict of values: the reader quoted the problem's own sentence,
/// whatever other numbers their details name. Retyped quotes of a whole sentence overlap about
/// 0.9.
const SAME_PASSAGE: f32 = 0.85;

/// Passages shorter than this (folded characters) count in proportion to their length beyond 4.
/// "39 °C" (`39c`) or "3,200 mg" (`3200mg`) occur inside many sentences, and the shared number
/// already counts as a term. "every 2 hours" (11 characters) counts almost fully. At 16,
/// "every 2 hours" alone no longer joined the sentence it came from.
const SHORT_PASSAGE: f32 = 12.0;

/// How much each kind of shared term is worth before its rarity.
fn weight(class: TermClass) -> f32 {
    match class {
        // A dose, a percentage, a lab value, a reading: what most wrong-fact reports turn on.
        // One that no other problem of the article names reaches the threshold, with any second
        // piece of evidence.
        TermClass::Measure | TermClass::Ratio => 2.5,
        // Half of that. A page states several lengths of time ("every 4 to 6 hours", "for 3
        // days"), so two are needed, or one with a dose or two words. At 0.5 the Portuguese
        // "4 a 6 horas, não 2 horas" could not meet the "every 2 hours" it corrects.
        TermClass::Span => 1.25,
        // "3 times", "8 tablets": every dosage line has a small count.
        TermClass::Count => 0.5,
        // A range of bare numbers ("INR 2 to 3", "2,0–3,0"): as telling as a rare word. Its
        // ends alone are small numbers.
        TermClass::Range => 1.0,
        // Guideline and trial codes, lab tests ("NG136", "HbA1c"): specific, but one page may
        // name the same one in two statements.
        TermClass::Code => 1.25,
        // A bare year or dose ("2016", "3200"): as telling as a word, a little less. A small
        // bare number ("4", "60") says little.
        TermClass::Number(true) => 0.75,
        TermClass::Number(false) => 0.25,
        TermClass::Word => 1.0,
        // A concept of the lexicon, in whatever language: a drug or disease name weighs what a
        // shared rare word does; an organ or stage of life ("kidney", "pregnancy") less, since
        // several passages of one page share it; a word every dose report uses in some language
        // ("children", "maximum", "daily") little.
        TermClass::Concept(Strength::Name) => 1.0,
        TermClass::Concept(Strength::Topic) => 0.75,
        TermClass::Concept(Strength::General) => 0.5,
    }
}

/// The pieces of evidence a report needs when the only value it shares with the problem (a
/// dose, a reading) is not one the problem's readers quoted, and no passage is shared. The
/// quoted value is the statement in dispute; a value only the problem's details name is its
/// readers' correction, which a report about another passage names in passing as well ("start
/// before pregnancy, not after the test; the dose is 0,4 mg"). With the drug's name, which the
/// lexicon recognises in every language, that made two pieces: a third (a second value, a
/// name, a word such as "daily" or "children") is needed. A report naming the quoted value and
/// the drug ("3.200 mg de ibuprofeno es demasiado") still needs only two.
const ONE_VALUE_PIECES: usize = 3;

/// The score a content report needs when it says nothing of substance that the problem does
/// not say ([`ASIDE`]), and shares at least two pieces of evidence worth [`ASIDE`] or more each
/// after rarity. Readers who only state the claim ("warfarin is contraindicated in pregnancy",
/// in any language) name the page's subject, which ties nothing once several problems name it,
/// and two or three concepts: [`THRESHOLD`] asks for a third they never write. That everything
/// they write is in the problem, and rare among the article's other problems, is the evidence
/// instead. A report that adds a word, a value or a name the problem lacks ("insulin is not
/// contraindicated in pregnancy") needs the full threshold; the vetoes (another passage,
/// conflicting values, another kind) apply as before. With two pieces of at least 0.5 the score
/// is 1.0 at the least: on the corpus and the fresh file (20 shuffled orders each) 1.0 mixed
/// nothing and folded three points more of the fresh file; 1.25 keeps a margin.
const WHOLE_CLAIM: f32 = 1.25;

/// A term worth more than this (weight times rarity) and absent from the problem is something
/// the report says that the problem does not: a rare word, a name, a value, a topic of the
/// lexicon. Below it or at it are asides: a small number, a word the lexicon counts as general
/// ("children", "daily") and the page's subject. A shared term worth at least this is one of the
/// two pieces [`WHOLE_CLAIM`] asks for.
const ASIDE: f32 = 0.5;

/// The kinds of report that may share a problem (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Content,
    Unclear,
    Typo,
    Link,
}

fn kind(category: Category) -> Kind {
    match category {
        Category::Harmful | Category::Inaccurate | Category::Outdated | Category::Other => {
            Kind::Content
        }
        Category::Unclear => Kind::Unclear,
        Category::Typo => Kind::Typo,
        Category::BrokenLink => Kind::Link,
    }
}

/// The score `report` needs to join `problem`, or `None` when it may not join it at all.
fn required_score(report: Category, problem: &ProblemSignature) -> Option<f32> {
    let wanted = kind(report);
    if !problem.categories().any(|(c, _)| kind(c) == wanted) {
        return None;
    }
    Some(match wanted {
        Kind::Link | Kind::Typo => SHORT_KIND_THRESHOLD,
        Kind::Content | Kind::Unclear => THRESHOLD,
    })
}

/// Where a report and a problem meet on a passage.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Meeting {
    /// The report's quote and a kept passage overlap (`overlap`: the share of the shorter's
    /// trigrams in the longer).
    Quote { overlap: f32 },
    /// A kept passage is retyped in the report's details.
    Details,
    /// No passage in common (or nothing to compare).
    Nowhere,
}

/// How far the report and the problem share a passage: the evidence (an overlap of at least
/// [`PASSAGE_FLOOR`], scaled down for short passages; 0 when none), where, and whether the report
/// quotes a passage the problem's readers did not.
struct PassageEvidence {
    evidence: f32,
    meeting: Meeting,
    other_passage: bool,
}

/// What a passage of `chars` folded characters counts for: in proportion to its length beyond 4,
/// fully from [`SHORT_PASSAGE`] on.
fn scaled(chars: usize) -> f32 {
    ((chars as f32 - 4.0) / (SHORT_PASSAGE - 4.0)).clamp(0.0, 1.0)
}

/// Two passages, the one with fewer trigrams first: overlaps are the share of the shorter one
/// inside the longer.
fn by_length<'a>(a: &'a Passage, b: &'a Passage) -> (&'a Passage, &'a Passage) {
    if a.grams.len() <= b.grams.len() {
        (a, b)
    } else {
        (b, a)
    }
}

fn passage_evidence(report: &ReportText, problem: &ProblemSignature) -> PassageEvidence {
    let mut best = PassageEvidence {
        evidence: 0.0,
        meeting: Meeting::Nowhere,
        other_passage: false,
    };
    let mut consider = |overlap: f32, chars: usize, meeting: Meeting| {
        let evidence = overlap * scaled(chars);
        if overlap >= PASSAGE_FLOOR && evidence > best.evidence {
            best.evidence = evidence;
            best.meeting = meeting;
        }
    };
    let mut best_overlap: Option<f32> = None;
    for kept in &problem.passages {
        if let Some(quote) = &report.passage {
            let (short, long) = by_length(quote, kept);
            let overlap = short.within(long);
            best_overlap = Some(best_overlap.map_or(overlap, |b| b.max(overlap)));
            // Alike passages of other values ("40 micrograms", "10 micrograms") are neither
            // evidence nor another passage: the values decide.
            if !short.states_other_numbers(long) {
                consider(overlap, short.chars(), Meeting::Quote { overlap });
            }
        }
        if let Some(details) = &report.details {
            // Only the kept passage can be inside the details, which say more around it.
            if !kept.states_other_numbers(details) {
                consider(kept.within(details), kept.chars(), Meeting::Details);
            }
        }
    }
    best.other_passage = best_overlap.is_some_and(|o| o < PASSAGE_FLOOR);
    best
}

/// Whether two term sets state values of the same measure and share none of them, not even as
/// a bare number ("pas 60" names the "60 ml/min" of another report). `has` tells whether the
/// other side uses a key.
fn conflicting<'a>(
    ours: impl Iterator<Item = &'a str> + Clone,
    theirs: impl Iterator<Item = &'a str> + Clone,
    ours_has: impl Fn(&str) -> bool,
    theirs_has: impl Fn(&str) -> bool,
) -> bool {
    let named_by = |key: &str, has: &dyn Fn(&str) -> bool| {
        has(key) || number_key(key).is_some_and(|n| has(&n))
    };
    ours.clone()
        .filter_map(|k| measure_dim(k).map(|d| (d, k)))
        .any(|(dim, _)| {
            let in_dim = |k: &&str| measure_dim(k) == Some(dim);
            let mut theirs_in_dim = theirs.clone().filter(in_dim).peekable();
            theirs_in_dim.peek().is_some()
                && !ours
                    .clone()
                    .filter(in_dim)
                    .any(|k| named_by(k, &theirs_has))
                && !theirs_in_dim.any(|k| named_by(k, &ours_has))
        })
}

/// Whether the report and the problem state different values of one measure.
fn report_conflicts(report: &ReportText, problem: &ProblemSignature) -> bool {
    let report_keys = report.terms.iter().map(|t| t.key.as_str());
    conflicting(
        report_keys,
        problem.terms.keys().map(String::as_str),
        |k| report.terms.iter().any(|t| t.key == k),
        |k| problem.count(k) > 0,
    )
}

/// Whether a report (or problem) and a problem dispute different values: each corrects a value
/// of its quote, and none of the values one disputes is one the other disputes. Readers of one
/// table row ("4 a 5 años 240 mg 15 ml") who correct its volume and a reader who quotes only its
/// "240 mg" and corrects the dose share the passage and the value, but not the complaint.
fn other_disputed_value<'a>(
    ours: impl Iterator<Item = &'a String> + Clone,
    theirs: &std::collections::BTreeSet<String>,
) -> bool {
    ours.clone().next().is_some()
        && !theirs.is_empty()
        && !ours
            .into_iter()
            .any(|k| theirs.iter().any(|t| same_value(k, t)))
}

/// Whether the report disputes values that the problem's readers state as right: every value
/// its quote disputes is one the problem names but neither quoted nor disputed (its readers'
/// correction), and the problem names none of the report's own corrections. "Under 50 kg, at
/// most 4 g" corrected to "about 3 g" disputes the 4 g that the adults' problem ("max 4 g, the
/// page says 6") gives as the right maximum. A report of that problem quoting "6 g" and
/// correcting it to 4 g is not affected; one quoting "3200 mg" and correcting it to 1200 mg
/// joins readers who wrote "1200 mg, not 3200", since they name its correction, and readers
/// who wrote only "3200 mg is too much", who name no other value.
fn disputes_their_correction(report: &ReportText, problem: &ProblemSignature) -> bool {
    let named = |k: &str| report.terms.iter().any(|t| t.key == k);
    !report.disputed.is_empty()
        && report.disputed.iter().all(|k| {
            // Readers who wrote only "3200 mg is too much" name the disputed value alone: the
            // problem must name another value of the measure, one the report does not.
            let dim = measure_dim(k);
            problem.count(k) > 0
                && !problem.quoted.contains(k)
                && !problem.disputed.contains(k)
                && problem
                    .terms
                    .keys()
                    .any(|other| measure_dim(other) == dim && !named(other))
        })
        && !report.corrections.iter().any(|k| problem.count(k) > 0)
}

/// The other way round: whether the problem disputes only values that the report states as
/// right. The report names each value the problem's readers dispute, does not dispute it itself,
/// and names another value of its measure that the problem does not: that other value is what
/// it disputes. "At most 4 g a day; 6 g harms the liver" states the 4 g that readers of the
/// under-50 kg limit ("at most 4 g" corrected to "about 3 g") dispute.
fn their_dispute_is_its_correction(report: &ReportText, problem: &ProblemSignature) -> bool {
    let named = |k: &str| report.terms.iter().any(|t| t.key == k);
    !problem.disputed.is_empty()
        && problem.disputed.iter().all(|k| {
            let dim = measure_dim(k);
            named(k)
                && !report.disputed.contains(k)
                && report.terms.iter().any(|t| {
                    measure_dim(&t.key) == dim && t.key != *k && problem.count(&t.key) == 0
                })
        })
}

/// Whether a bare-number key ("n:4") is an end of a range of bare numbers the problem states
/// ("n:4-5").
fn ends_a_range(key: &str, problem: &ProblemSignature) -> bool {
    let Some(value) = key.strip_prefix("n:") else {
        return false;
    };
    problem.terms.keys().any(|k| {
        k.strip_prefix("n:")
            .and_then(|r| r.split_once('-'))
            .is_some_and(|(low, high)| low == value || high == value)
    })
}

/// Whether two problems may be one: a kind in common, passages that overlap (when both have
/// any), and no conflicting values.
fn compatible(a: &ProblemSignature, b: &ProblemSignature) -> bool {
    // An editor's split stands: only an editor merges such a problem again.
    if a.kept_apart || b.kept_apart {
        return false;
    }
    let kinds = |p: &ProblemSignature| p.categories().map(|(c, _)| kind(c)).collect::<Vec<_>>();
    let (ka, kb) = (kinds(a), kinds(b));
    if !ka.iter().any(|k| kb.contains(k)) {
        return false;
    }
    let overlapping = a.passages.iter().any(|pa| {
        b.passages.iter().any(|pb| {
            let (short, long) = by_length(pa, pb);
            short.within(long) >= PASSAGE_FLOOR
        })
    });
    if !a.passages.is_empty() && !b.passages.is_empty() && !overlapping {
        return false;
    }
    if other_disputed_value(a.disputed.iter(), &b.disputed) {
        return false;
    }
    !conflicting(
        a.terms.keys().map(String::as_str),
        b.terms.keys().map(String::as_str),
        |k| a.count(k) > 0,
        |k| b.count(k) > 0,
    )
}

/// How distinctive a term is of one problem: `others_using` of the `others` open reports outside
/// it (in problems of a kind the new report may join) use the term. 1 when none do, falling
/// towards 0 as all of them do: an inverse document frequency over those reports, scaled to
/// 0..1, so that 1 of 10 still leaves 0.7 while 9 of 10 leaves under 0.1. Counting only the
/// reports outside the problem is what makes the article's own subject ("ibuprofen" on the
/// ibuprofen page) weigh nothing once several problems name it, however many readers repeat it
/// inside one.
fn rarity(others_using: u32, others: u32) -> f32 {
    if others_using == 0 {
        return 1.0;
    }
    let n = others as f32 + 2.0;
    ((n / (others_using as f32 + 1.0)).ln() / n.ln()).max(0.0)
}

/// The open problem `new` belongs to, or `None` when it starts a new problem. `open` is every
/// open problem of the report's article, in a stable order (oldest first). Rarity is counted
/// over them too, and ties go to the earlier one.
pub fn best_match(new: &ReportText, open: &[ProblemSignature]) -> Option<Match> {
    // Rarity is counted among the problems the report may join: a typo report quoting the
    // wrong dose does not make the dose any less telling of the dose problem.
    let required: Vec<Option<f32>> = open
        .iter()
        .map(|p| required_score(new.category(), p))
        .collect();
    let joinable = || {
        open.iter()
            .zip(&required)
            .filter(|(_, r)| r.is_some())
            .map(|(p, _)| p)
    };
    let all_reports: u32 = joinable().map(ProblemSignature::reports).sum();
    let using: Vec<u32> = new
        .terms
        .iter()
        .map(|t| joinable().map(|p| p.count(&t.key)).sum())
        .collect();
    let mut candidates: Vec<Match> = Vec::new();
    // Whether each candidate reached its threshold without the whole-claim rule.
    let mut full_evidence: Vec<bool> = Vec::new();
    for ((index, problem), required) in open.iter().enumerate().zip(&required) {
        let Some(required) = *required else {
            continue;
        };
        let passage = passage_evidence(new, problem);
        if passage.other_passage
            || (passage.evidence < SAME_PASSAGE && report_conflicts(new, problem))
            || other_disputed_value(new.disputed.iter(), &problem.disputed)
            || disputes_their_correction(new, problem)
            || their_dispute_is_its_correction(new, problem)
        {
            continue;
        }
        let others = all_reports - problem.reports();
        let mut shared: Vec<(f32, &Term)> = Vec::new();
        for (term, &all_using) in new.terms.iter().zip(&using) {
            let here = problem.count(&term.key);
            let counted_with_unit = term.of.as_ref().is_some_and(|of| problem.count(of) > 0);
            // A small number the report states with a unit ("every 4 to 12 weeks") does not
            // name the end of a range of bare numbers ("an INR of 4.0-5.0"): another statement.
            // It still names a bare number ("the article says 39" for "39 °C").
            let range_end = term.class == TermClass::Number(false)
                && term.of.is_some()
                && ends_a_range(&term.key, problem);
            if here == 0 || counted_with_unit || range_end {
                continue;
            }
            let evidence = weight(term.class) * rarity(all_using - here, others);
            // The ends of one range are one statement: the stronger end counts.
            match shared
                .iter_mut()
                .find(|(_, t)| t.range.is_some() && t.range == term.range)
            {
                Some(end) if end.0 >= evidence => {}
                Some(end) => *end = (evidence, term),
                None => shared.push((evidence, term)),
            }
        }
        let pieces = shared.len() + usize::from(passage.evidence > 0.0);
        let values: Vec<&str> = shared
            .iter()
            .filter(|(_, t)| matches!(t.class, TermClass::Measure | TermClass::Ratio))
            .map(|(_, t)| t.key.as_str())
            .collect();
        let needed = match values.as_slice() {
            [value] if !problem.quoted.contains(*value) => ONE_VALUE_PIECES,
            _ => 2,
        };
        let score = PASSAGE_WEIGHT * passage.evidence + shared.iter().map(|(e, _)| e).sum::<f32>();
        // A report whose whole claim the problem already makes needs less ([`WHOLE_CLAIM`]).
        let more: Vec<TermClass> = new
            .terms
            .iter()
            .zip(&using)
            .filter(|(term, &all_using)| {
                term.of.is_none()
                    && problem.count(&term.key) == 0
                    && weight(term.class) * rarity(all_using, others) > ASIDE
            })
            .map(|(term, _)| term.class)
            .collect();
        let says_more = !more.is_empty();
        // Or the other way round: the problem says nothing the report does not. A problem
        // started by one short report ("warfarin is contraindicated in pregnancy") is the
        // claim of a longer report that arrives later and says more in words ("Warfarin is
        // safe in pregnancy": teratogenic, the baby's bones); in the other order the short one
        // joins. Not when the report adds a name, a value or a code: "insulin is not
        // contraindicated in pregnancy" is about another drug, however little the pregnancy
        // problem says beyond the page's own drug.
        let adds_a_subject = more.iter().any(|class| {
            matches!(
                class,
                TermClass::Concept(Strength::Name)
                    | TermClass::Measure
                    | TermClass::Ratio
                    | TermClass::Code
            )
        });
        let problem_says_more = || {
            problem.terms.iter().any(|(key, &here)| {
                !new.terms.iter().any(|t| &t.key == key) && {
                    let elsewhere: u32 = joinable().map(|p| p.count(key)).sum::<u32>() - here;
                    weight(key_class(key)) * rarity(elsewhere, others) > ASIDE
                }
            })
        };
        let whole_claim = kind(new.category()) == Kind::Content
            && shared.iter().filter(|(e, _)| *e >= ASIDE).count() >= 2
            && (!says_more || (!adds_a_subject && !problem_says_more()));
        let full_required = required;
        let required = if whole_claim {
            required.min(WHOLE_CLAIM)
        } else {
            required
        };
        if score >= required && (pieces >= needed || passage.evidence > 0.0) {
            shared.sort_by(|a, b| b.0.total_cmp(&a.0));
            let reason = describe(passage.meeting, &shared);
            candidates.push(Match {
                index,
                score,
                reason,
                merge: Vec::new(),
            });
            full_evidence.push(score >= full_required);
        }
    }
    // The best score wins; on a tie the earlier problem (candidates are in slice order).
    let best_at = candidates
        .iter()
        .enumerate()
        .fold(None::<usize>, |best, (i, m)| match best {
            Some(b) if candidates[b].score >= m.score => Some(b),
            _ => Some(i),
        })?;
    // A report bridges problems only on full evidence for each: the whole-claim rule lets a
    // short report join a problem, never make two problems one. "Ibuprofen 3200 mg without a
    // prescription? Dangerous." says all that a lone "unsafe in pregnancy" report says once
    // 3200 mg is common on the page; it must not carry that report into the dose problem.
    let bridging = full_evidence[best_at];
    let mut best = candidates.swap_remove(best_at);
    full_evidence.swap_remove(best_at);
    best.merge = candidates
        .iter()
        .zip(&full_evidence)
        .filter(|(_, &full)| bridging && full)
        .map(|(m, _)| m.index)
        .filter(|&i| compatible(&open[best.index], &open[i]))
        .collect();
    // The problem as it will be once the report joins it may now clearly be the same as
    // another: readers who started two problems in an order that gave neither enough to join
    // the other. The same evidence as for a report, between two problems, at the full
    // threshold, and only between compatible problems.
    let mut joined = open[best.index].clone();
    joined.absorb(new);
    for (i, other) in open.iter().enumerate() {
        if i == best.index || best.merge.contains(&i) || required[i].is_none() {
            continue;
        }
        if compatible(&joined, other)
            && problems_agree(&joined, other, open, best.index, i) >= THRESHOLD
        {
            best.merge.push(i);
        }
    }
    best.merge.sort_unstable();
    Some(best)
}

/// The evidence that two problems are one: their passages and the rare terms they share, as for
/// a report ([`best_match`]), with rarity counted over the article's other open problems. Bare
/// numbers are left out (the values they belong to count), and at least two pieces are needed.
fn problems_agree(
    a: &ProblemSignature,
    b: &ProblemSignature,
    open: &[ProblemSignature],
    skip_a: usize,
    skip_b: usize,
) -> f32 {
    let mut passage: f32 = 0.0;
    for pa in &a.passages {
        for pb in &b.passages {
            let (short, long) = by_length(pa, pb);
            let overlap = short.within(long);
            if overlap >= PASSAGE_FLOOR && !short.states_other_numbers(long) {
                passage = passage.max(overlap * scaled(short.chars()));
            }
        }
    }
    let rest = || {
        open.iter()
            .enumerate()
            .filter(move |(i, _)| *i != skip_a && *i != skip_b)
            .map(|(_, p)| p)
    };
    let others: u32 = rest().map(ProblemSignature::reports).sum();
    let mut pieces = usize::from(passage > 0.0);
    let mut score = PASSAGE_WEIGHT * passage;
    let mut values: Vec<&str> = Vec::new();
    for key in a.terms.keys() {
        let class = key_class(key);
        if b.count(key) == 0
            || matches!(
                class,
                TermClass::Number(_) | TermClass::Span | TermClass::Count
            )
        {
            continue;
        }
        let elsewhere: u32 = rest().map(|p| p.count(key)).sum();
        let evidence = weight(class) * rarity(elsewhere, others);
        if evidence >= ASIDE {
            pieces += 1;
        }
        if matches!(class, TermClass::Measure | TermClass::Ratio) {
            values.push(key);
        }
        score += evidence;
    }
    let needed = match values.as_slice() {
        [value] if passage == 0.0 && !a.quoted.contains(*value) && !b.quoted.contains(*value) => {
            ONE_VALUE_PIECES
        }
        _ => 2,
    };
    if pieces >= needed {
        score
    } else {
        0.0
    }
}

/// The evidence in words: the passage, then up to four shared terms, strongest first.
fn describe(meeting: Meeting, shared: &[(f32, &Term)]) -> String {
    let mut parts = Vec::new();
    match meeting {
        Meeting::Quote { overlap } if overlap >= SAME_PASSAGE => {
            parts.push("same passage".to_string())
        }
        Meeting::Quote { overlap } => {
            parts.push(format!("overlapping passage ({:.0} %)", overlap * 100.0))
        }
        Meeting::Details => parts.push("the passage is quoted in the details".to_string()),
        Meeting::Nowhere => {}
    }
    let mut names: Vec<&str> = Vec::new();
    for (score, term) in shared {
        // Terms that weighed next to nothing (a small number, a word most reports use) would
        // only make the reason longer.
        // Nor would the lexicon's general words ("a day", "children"): they only add to others.
        let general = term.class == TermClass::Concept(Strength::General);
        if *score >= 0.25 && !general && !names.contains(&term.display.as_str()) {
            names.push(&term.display);
        }
    }
    names.truncate(4);
    if let Some((last, rest)) = names.split_last() {
        parts.push(if rest.is_empty() {
            format!("shares {last}")
        } else {
            format!("shares {} and {last}", rest.join(", "))
        });
    }
    parts.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problems::ArticleProblems;

    fn en(category: Category, quote: Option<&str>, details: Option<&str>) -> ReportText {
        ReportText::new(category, quote, details, Some("en"))
    }

    /// Each report's problem number after feeding them in order, as ingest does.
    fn assign(reports: &[ReportText]) -> Vec<usize> {
        let mut problems = ArticleProblems::new();
        for report in reports {
            problems.add(report);
        }
        problems.assignments().to_vec()
    }

    const DOSE: &str = "Adults can take up to 3,200 mg a day, split into 3 or 4 seperate doses.";

    #[test]
    fn five_readers_of_one_wrong_dose_make_one_problem() {
        let reports = [
            en(
                Category::Harmful,
                Some(DOSE),
                Some("Over the counter the maximum is 1,200 mg a day."),
            ),
            en(Category::Inaccurate, Some("up to 3,200 mg a day"), None),
            en(
                Category::Inaccurate,
                Some("adults can take upto 3200mg a day"),
                Some("box says 1200mg"),
            ),
            ReportText::new(
                Category::Inaccurate,
                None,
                Some("La dosis máxima de ibuprofeno sin receta es 1.200 mg al día, no 3.200 mg."),
                Some("es"),
            ),
            en(
                Category::Outdated,
                Some("ADULTS CAN TAKE UP TO 3,200 MG A DAY"),
                None,
            ),
        ];
        assert_eq!(assign(&reports), vec![0, 0, 0, 0, 0]);
    }

    #[test]
    fn the_reason_names_the_evidence() {
        let open = [ProblemSignature::new(&en(
            Category::Harmful,
            Some(DOSE),
            None,
        ))];
        let found = best_match(
            &en(Category::Inaccurate, Some("up to 3,200 mg a day"), None),
            &open,
        );
        let found = found.unwrap();
        assert_eq!(
            (found.index, found.reason.as_str()),
            (0, "same passage; shares 3200 mg")
        );
        let spanish = ReportText::new(
            Category::Harmful,
            None,
            Some("3.200 mg de ibuprofeno es demasiado"),
            Some("es"),
        );
        let open = [ProblemSignature::new(&en(
            Category::Harmful,
            Some(DOSE),
            Some("ibuprofen max is 1200"),
        ))];
        let found = best_match(&spanish, &open).unwrap();
        assert_eq!(found.reason, "shares 3200 mg and ibuprofeno");
        assert!(found.merge.is_empty());
    }

    #[test]
    fn a_typo_in_the_dose_sentence_is_its_own_problem() {
        let reports = [
            en(Category::Harmful, Some(DOSE), Some("max is 1200 mg")),
            en(
                Category::Typo,
                Some("split into 3 or 4 seperate doses"),
                Some("separate"),
            ),
            en(Category::Typo, Some("seperate doses"), None),
        ];
        assert_eq!(assign(&reports), vec![0, 1, 1]);
    }

    #[test]
    fn the_child_dose_of_the_same_drug_is_another_problem() {
        let reports = [
            en(Category::Harmful, Some(DOSE), Some("max is 1200 mg")),
            en(
                Category::Inaccurate,
                Some("Children aged 7 to 9 years: 200 mg up to 3 times a day."),
                Some("ibuprofen for children goes by weight"),
            ),
            en(
                Category::Inaccurate,
                None,
                Some("ibuprofen 200 mg for children aged 7 is too high"),
            ),
            en(
                Category::Inaccurate,
                None,
                Some("ibuprofen 3,200 mg for adults is far too much"),
            ),
        ];
        assert_eq!(assign(&reports), vec![0, 1, 1, 0]);
    }

    #[test]
    fn another_sentence_with_the_same_numbers_is_another_problem() {
        let reports = [
            en(Category::Harmful, Some("Adults: 1 or 2 500 mg tablets every 2 hours"), Some("4 to 6 hours!")),
            en(
                Category::Inaccurate,
                Some("Children aged 10 to 15: 1 tablet (500 mg) every 4 to 6 hours, up to 4 g a day."),
                Some("max 2 g a day at this age"),
            ),
        ];
        assert_eq!(assign(&reports), vec![0, 1]);
    }

    #[test]
    fn one_shared_word_or_number_alone_is_not_enough() {
        let reports = [
            en(
                Category::Harmful,
                Some("Ibuprofen is safe to take at any stage of pregnancy."),
                None,
            ),
            en(
                Category::Other,
                None,
                Some("ibuprofen can trigger asthma attacks, please mention it"),
            ),
            en(
                Category::Inaccurate,
                Some("Take 5 mg of folic acid a day."),
                Some("400 micrograms"),
            ),
            ReportText::new(
                Category::Inaccurate,
                None,
                Some("Należy zacząć przed zajściem w ciążę, nie po teście. Dawka 0,4 mg."),
                Some("pl"),
            ),
        ];
        assert_eq!(assign(&reports), vec![0, 1, 2, 3]);
    }

    #[test]
    fn the_lexicon_ties_reports_across_languages_and_scripts() {
        let quote = "Paracetamol can be taken every 2 hours in pregnancy.";
        let reports = [
            en(Category::Harmful, Some(quote), Some("every 4 to 6 hours")),
            ReportText::new(
                Category::Inaccurate,
                None,
                Some("الباراسيتامول كل ٤ إلى ٦ ساعات وليس كل ساعتين أثناء الحمل"),
                Some("ar"),
            ),
            ReportText::new(
                Category::Inaccurate,
                None,
                Some("妊娠中のアセトアミノフェンは4〜6時間あけてください、2時間ではありません"),
                Some("ja"),
            ),
        ];
        assert_eq!(assign(&reports), vec![0, 0, 0]);
    }

    #[test]
    fn a_lone_value_the_problem_did_not_quote_needs_a_third_piece() {
        let dose = en(
            Category::Inaccurate,
            Some("Take 5 mg of folic acid a day."),
            Some("the standard dose is 400 micrograms"),
        );
        let timing = ReportText::new(
            Category::Inaccurate,
            None,
            Some("Kwas foliowy należy zacząć przed zajściem w ciążę. Dawka 0,4 mg."),
            Some("pl"),
        );
        // 0.4 mg is the dose problem's correction, not its quoted value: the drug's name and
        // the value are not enough.
        assert_eq!(assign(&[dose.clone(), timing]), vec![0, 1]);
        let quoted_value = ReportText::new(
            Category::Inaccurate,
            None,
            Some("5 mg de ácido fólico es demasiado"),
            Some("es"),
        );
        assert_eq!(assign(&[dose, quoted_value]), vec![0, 0]);
    }

    #[test]
    fn a_report_stating_only_the_problems_claim_joins_it() {
        let fr =
            |details: &str| ReportText::new(Category::Harmful, None, Some(details), Some("fr"));
        let reports = [
            en(
                Category::Harmful,
                Some("Warfarin is safe in pregnancy."),
                Some("No, it is contraindicated in pregnancy."),
            ),
            en(
                Category::Inaccurate,
                Some("Foods rich in vitamin K have no effect on warfarin."),
                Some("vitamin K reduces the effect of warfarin"),
            ),
            // The page's drug, pregnancy, contraindicated: all the problem says, nothing more.
            fr("La warfarine est contre-indiquée pendant la grossesse."),
            // Insulin is something the pregnancy problem does not say: the full threshold applies.
            en(
                Category::Other,
                None,
                Some("please add that insulin is not contraindicated in pregnancy"),
            ),
        ];
        assert_eq!(assign(&reports), vec![0, 1, 0, 2]);
    }

    #[test]
    fn a_longer_report_joins_a_problem_that_states_only_its_claim() {
        // The short report arrives first this time: the problem says nothing the longer
        // report does not, so the longer report joins it although it says more.
        let short = ReportText::new(
            Category::Harmful,
            None,
            Some("La warfarine est contre-indiquée pendant la grossesse."),
            Some("fr"),
        );
        let vitamin_k = en(
            Category::Inaccurate,
            Some("Foods rich in vitamin K have no effect on warfarin."),
            Some("vitamin K reduces the effect of warfarin"),
        );
        let long = en(
            Category::Harmful,
            Some("Warfarin is safe in pregnancy."),
            Some(
                "No, it is contraindicated in pregnancy: it harms the baby's bones, weeks 6 to 12.",
            ),
        );
        let insulin = en(
            Category::Other,
            None,
            Some("please add that insulin is not contraindicated in pregnancy"),
        );
        assert_eq!(assign(&[short, vitamin_k, long, insulin]), vec![0, 1, 0, 2]);
    }

    #[test]
    fn a_quote_of_another_value_is_not_the_same_passage() {
        // "40 micrograms" shares most of its letters with "10 micrograms of vitamin D", and
        // lies inside "400 micrograms": neither makes it the same statement.
        let vitamin_d = en(
            Category::Inaccurate,
            Some("You should also take 10 micrograms of vitamin D a day."),
            Some("should say 400 micrograms not 10 micrograms"),
        );
        let folic = en(
            Category::Inaccurate,
            Some("40 micrograms"),
            Some("should be 400"),
        );
        assert_eq!(assign(&[vitamin_d.clone(), folic.clone()]), vec![0, 1]);
        assert_eq!(assign(&[folic, vitamin_d]), vec![0, 1]);
    }

    #[test]
    fn a_value_the_details_deny_is_the_one_in_dispute() {
        let es =
            |details: &str| ReportText::new(Category::Inaccurate, None, Some(details), Some("es"));
        // It quotes nothing, but "no 40" (micrograms, as the dose before it) says which value
        // it disputes: not the vitamin D reader's 10 micrograms, though both give 400 as right.
        let vitamin_d = en(
            Category::Inaccurate,
            Some("You should also take 10 micrograms of vitamin D a day."),
            Some("should say 400 micrograms not 10 micrograms"),
        );
        let folic = es("Ácido fólico: la dosis es 400 microgramos al día, no 40.");
        let folic_quoted = en(
            Category::Harmful,
            Some("Take 40 micrograms of folic acid every day."),
            Some("The recommended dose is 400 micrograms a day, not 40."),
        );
        assert_eq!(assign(&[vitamin_d, folic, folic_quoted]), vec![0, 1, 1]);
        // "The article says 120" names the value in dispute; 80 mg is the reader's maximum, not
        // the 80 mg another reader doubts.
        let doubt = en(
            Category::Other,
            Some("people with heart disease are often given 80 mg once a day"),
            Some("80 mg seems way too high, my doctor has me on 20 mg. Is this right?"),
        );
        let maximum = es("Dosis máxima incorrecta: la atorvastatina no pasa de 80 mg al día, el artículo pone 120.");
        assert_eq!(assign(&[doubt, maximum]), vec![0, 1]);
    }

    #[test]
    fn a_problem_that_grows_to_match_another_takes_it_in() {
        // A quote of the sentence and a German paraphrase share only the page's drug: two
        // problems. A third reader quotes half the sentence and names the skin infections: the
        // first problem, with that report, says what the German reader says.
        let reports = [
            en(
                Category::Harmful,
                Some("Ibuprofen is the best choice for your child's chickenpox fever."),
                None,
            ),
            ReportText::new(
                Category::Harmful,
                None,
                Some("Bei Windpocken kein Ibuprofen geben, Risiko schwerer Hautinfektionen."),
                Some("de"),
            ),
            en(
                Category::Inaccurate,
                Some("Typical ibuprofen dose for children: 10 mg/kg every 6 to 8 hours."),
                Some("it is 5 to 10 mg/kg"),
            ),
        ];
        assert_eq!(assign(&reports), vec![0, 1, 2]);
        let half = en(
            Category::Harmful,
            Some("Ibuprofen is the best choice"),
            Some("serious skin infections"),
        );
        // On its own evidence it joins the first problem only.
        let open: Vec<ProblemSignature> = reports.iter().map(ProblemSignature::new).collect();
        assert_eq!(best_match(&half, &open[1..]), None);
        let mut all = reports.to_vec();
        all.push(half);
        assert_eq!(assign(&all), vec![0, 0, 2, 0]);
    }

    #[test]
    fn a_report_stating_the_value_a_problem_disputes_as_right_is_another_problem() {
        // Readers of the under-50 kg line dispute its "4 g"; a reader who gives 4 g as the
        // adults' maximum and disputes 6 g is about another statement.
        let under_50 = ReportText::new(
            Category::Inaccurate,
            Some("minder dan 50 kg, dan maximaal 4 gram"),
            Some("Onder 50 kg is het maximaal 60 mg/kg per dag, dus ongeveer 3 gram."),
            Some("nl"),
        );
        let adults = ReportText::new(
            Category::Harmful,
            None,
            Some("Parasetamol günde en fazla 4 gram, 6 gram karaciğere zarar verir."),
            Some("tr"),
        );
        assert_eq!(assign(&[under_50.clone(), adults.clone()]), vec![0, 1]);
        assert_eq!(assign(&[adults, under_50]), vec![0, 1]);
    }

    #[test]
    fn a_range_of_bare_numbers_is_one_statement() {
        let reports = [
            en(
                Category::Harmful,
                Some("The target INR for most people is 4.0 to 5.0."),
                Some("2.0 to 3.0"),
            ),
            ReportText::new(
                Category::Harmful,
                None,
                Some("El INR objetivo es 2 a 3, no 4 a 5"),
                Some("es"),
            ),
            en(
                Category::Inaccurate,
                None,
                Some("heavy drinking raises INR, the page says there is no limit"),
            ),
        ];
        assert_eq!(assign(&reports), vec![0, 0, 1]);
    }

    #[test]
    fn litres_in_any_language_are_one_volume() {
        let reports = [
            en(
                Category::Inaccurate,
                Some("Drink at least 1 litre of water a day to prevent stones."),
                Some("2.5 to 3 litres"),
            ),
            ReportText::new(
                Category::Inaccurate,
                None,
                Some("Mindestens 2,5 Liter pro Tag trinken, nicht 1 Liter."),
                Some("de"),
            ),
            ReportText::new(
                Category::Inaccurate,
                None,
                Some("hay que beber 2500 ml al día"),
                Some("es"),
            ),
        ];
        assert_eq!(assign(&reports), vec![0, 0, 0]);
    }

    #[test]
    fn readers_correcting_another_value_of_one_row_are_another_problem() {
        let es = |quote: &str, details: &str| {
            ReportText::new(Category::Inaccurate, Some(quote), Some(details), Some("es"))
        };
        let reports = [
            // The row's volume: 200 mg of a 100 mg/5 ml syrup is 10 ml.
            es(
                "7 a 9 años 200 mg 15 ml",
                "200 mg del jarabe de 100 mg/5 ml son 10 ml, no 15 ml",
            ),
            es("15 ml", "tendría que poner 10 ml"),
            // The same row's dose, quoted alone inside the first quote: another complaint.
            es(
                "200 mg",
                "a 10 mg/kg un niño de 25 kg necesita 250 mg, la columna se queda corta",
            ),
            // The dose cell quoted, but the volume corrected: the first complaint.
            es("200 mg", "con el jarabe de 100 mg/5 ml son 10 ml, no 15 ml"),
        ];
        assert_eq!(assign(&reports), vec![0, 0, 1, 0]);
    }

    #[test]
    fn a_report_disputing_the_problems_correction_is_another_problem() {
        let reports = [
            en(
                Category::Harmful,
                None,
                Some("Paracetamol for adults: at most 4 g in 24 hours, not 6 g."),
            ),
            ReportText::new(
                Category::Harmful,
                None,
                Some("Höchstens 4 g Paracetamol am Tag, 6 g schädigt die Leber."),
                Some("de"),
            ),
            // 4 g is what the adults' problem gives as right; this reader disputes it for
            // people under 50 kg.
            en(
                Category::Inaccurate,
                Some("under 50 kg, up to 4 g a day"),
                Some("under 50 kg it is 60 mg/kg a day, about 3 g"),
            ),
            en(
                Category::Inaccurate,
                Some("6 g a day"),
                Some("4 g is the maximum"),
            ),
        ];
        assert_eq!(assign(&reports), vec![0, 0, 1, 0]);
        // Readers who name only the wrong value ("3200 mg is too much") name no correction
        // that a quoting reader could dispute.
        let reports = [
            ReportText::new(
                Category::Harmful,
                None,
                Some("3.200 mg de ibuprofeno al día es demasiado"),
                Some("es"),
            ),
            en(
                Category::Inaccurate,
                Some("up to 3,200 mg a day"),
                Some("ibuprofen max is 1,200 mg"),
            ),
        ];
        assert_eq!(assign(&reports), vec![0, 0]);
    }

    #[test]
    fn how_often_a_medicine_is_taken_ties_reports_across_languages() {
        let say = |lang: &str, details: &str| {
            ReportText::new(Category::Harmful, None, Some(details), Some(lang))
        };
        let reports = [
            en(
                Category::Harmful,
                Some("Take methotrexate every day."),
                Some("No! It is taken once a week, never daily."),
            ),
            say("es", "El metotrexato es una vez por semana, no a diario."),
            say("de", "Methotrexat wöchentlich, nicht täglich!"),
            say("zh", "甲氨蝶呤每周一次，不是每天。"),
            say("tr", "Metotreksat haftada bir kez, her gün değil."),
            en(
                Category::Other,
                None,
                Some("please add that folic acid goes on another day than methotrexate"),
            ),
        ];
        assert_eq!(assign(&reports), vec![0, 0, 0, 0, 0, 1]);
    }

    #[test]
    fn stopping_suddenly_and_tapering_tie_reports_across_languages() {
        let say = |lang: &str, details: &str| {
            ReportText::new(Category::Harmful, None, Some(details), Some(lang))
        };
        let reports = [
            en(
                Category::Harmful,
                Some("Sertraline can be stopped at any time."),
                Some("Never stop it abruptly, it has to be tapered."),
            ),
            say(
                "it",
                "La sertralina non si sospende di colpo, va ridotta gradualmente.",
            ),
            say(
                "de",
                "Sertralin nie abrupt absetzen, sondern ausschleichen.",
            ),
            say("ar", "لا تتوقف عن السيرترالين فجأة، بل قلل الجرعة تدريجيا"),
            en(
                Category::Inaccurate,
                Some("The usual dose of sertraline is 50 mg."),
                Some("the maximum is 200 mg"),
            ),
        ];
        assert_eq!(assign(&reports), vec![0, 0, 0, 0, 1]);
    }

    #[test]
    fn a_number_of_weeks_is_not_the_end_of_a_range() {
        let reports = [
            en(
                Category::Harmful,
                None,
                Some("The INR to aim for on warfarin is 2 to 3; the page says 4 to 5."),
            ),
            // "4 weeks" is not the 4 of "4 to 5": another statement about warfarin and INR.
            ReportText::new(
                Category::Inaccurate,
                None,
                Some("Con warfarina el INR se mide cada 4 a 12 semanas."),
                Some("es"),
            ),
        ];
        assert_eq!(assign(&reports), vec![0, 1]);
    }

    #[test]
    fn a_short_report_bridges_no_problems_on_its_whole_claim() {
        let mut dose = ProblemSignature::new(&en(
            Category::Harmful,
            Some(DOSE),
            Some("Over the counter it is 1,200 mg, not 3,200 mg."),
        ));
        dose.absorb(&en(
            Category::Inaccurate,
            Some("up to 3,200 mg a day"),
            Some("1200 mg max"),
        ));
        dose.absorb(&en(Category::Outdated, Some("3200mg a day"), None));
        let pregnancy = ProblemSignature::new(&ReportText::new(
            Category::Harmful,
            None,
            Some(
                "Ibuprofène au troisième trimestre de grossesse : contre-indiqué, pas sans danger.",
            ),
            Some("fr"),
        ));
        let open = [dose, pregnancy];
        let short = en(
            Category::Harmful,
            None,
            Some("ibuprofen 3200 mg a day without a prescription? dangerous"),
        );
        let found = best_match(&short, &open).unwrap();
        assert_eq!((found.index, found.merge), (0, vec![]));
    }

    #[test]
    fn a_bare_number_names_a_value_so_it_does_not_conflict() {
        let french = ReportText::new(
            Category::Inaccurate,
            None,
            Some("le seuil est un DFG < 30 ml/min, pas 60"),
            Some("fr"),
        );
        let problem = ProblemSignature::new(&french);
        let german =
            |quote: &str| ReportText::new(Category::Outdated, Some(quote), None, Some("de"));
        assert!(!report_conflicts(&german("eGFR unter 60 ml/min"), &problem));
        assert!(report_conflicts(&german("eGFR unter 45 ml/min"), &problem));
    }

    #[test]
    fn unclear_and_broken_link_reports_keep_to_their_kind() {
        let reports = [
            en(
                Category::Inaccurate,
                Some("Se considera fiebre a partir de 39 °C."),
                Some("38 °C"),
            ),
            en(
                Category::Unclear,
                Some("a partir de 39 °C"),
                Some("axila u oído?"),
            ),
            en(
                Category::BrokenLink,
                Some("NHS ibuprofen leaflet (PDF)"),
                Some("404"),
            ),
            en(
                Category::BrokenLink,
                None,
                Some("The PDF leaflet link at the bottom doesn't open"),
            ),
            en(Category::Typo, Some("Chikenpox in children"), None),
            en(
                Category::Typo,
                Some("Chikenpox"),
                Some("misspelt in the heading"),
            ),
        ];
        assert_eq!(assign(&reports), vec![0, 1, 2, 2, 3, 3]);
    }

    #[test]
    fn a_report_naming_both_sides_bridges_two_problems() {
        let quote = "Certaines études ont montré un lien entre le vaccin ROR et l'autisme.";
        let fr = |quote: Option<&str>, details: Option<&str>| {
            ReportText::new(Category::Harmful, quote, details, Some("fr"))
        };
        let reports = [
            fr(Some(quote), Some("aucun lien, c'est prouvé")),
            en(
                Category::Inaccurate,
                None,
                Some("The Wakefield paper was retracted by the Lancet in 2010."),
            ),
            fr(
                Some("un lien entre le vaccin ROR et l'autisme"),
                Some("Wakefield, The Lancet, 2010"),
            ),
        ];
        let mut problems = ArticleProblems::new();
        problems.add(&reports[0]);
        problems.add(&reports[1]);
        let found = best_match(&reports[2], problems.signatures()).unwrap();
        assert_eq!((found.index, found.merge.clone()), (0, vec![1]));
        problems.add(&reports[2]);
        assert_eq!(problems.assignments(), &[0, 0, 0]);
        assert_eq!(problems.signatures().len(), 1);
        assert_eq!(problems.signatures()[0].reports(), 3);

        // Had an editor split the two, the same report joins one and bridges nothing.
        let mut split: Vec<ProblemSignature> = [&reports[0], &reports[1]]
            .into_iter()
            .map(ProblemSignature::new)
            .collect();
        split.iter_mut().for_each(ProblemSignature::keep_apart);
        let kept = ProblemSignature::from_json(&split[1].to_json().unwrap()).unwrap();
        assert_eq!(kept, split[1], "kept apart survives storing");
        let found = best_match(&reports[2], &split).unwrap();
        assert_eq!((found.index, found.merge), (0, vec![]));
    }

    #[test]
    fn problems_about_different_sentences_are_never_bridged() {
        // Both problems share "3200 mg"; the second quotes another sentence.
        let open = [
            ProblemSignature::new(&en(Category::Harmful, Some(DOSE), None)),
            ProblemSignature::new(&en(
                Category::Inaccurate,
                Some("Ibuprofen is safe to take at any stage of pregnancy."),
                Some("3200 mg ibuprofen in pregnancy, really?"),
            )),
        ];
        assert!(!compatible(&open[0], &open[1]));
        let both = en(
            Category::Harmful,
            None,
            Some("3200 mg ibuprofen, and in pregnancy too"),
        );
        assert!(best_match(&both, &open).is_some_and(|m| m.merge.is_empty()));
    }

    #[test]
    fn rarity_falls_as_other_reports_use_a_term() {
        assert_eq!(rarity(0, 0), 1.0);
        assert_eq!(rarity(0, 10), 1.0);
        assert!(rarity(1, 10) > 0.7);
        assert!(rarity(9, 10) < 0.1);
        assert!(rarity(10, 10) >= 0.0);
    }

    #[test]
    fn ties_go_to_the_earlier_problem() {
        let one = en(
            Category::Inaccurate,
            Some("every 2 hours is too often"),
            None,
        );
        let open = [ProblemSignature::new(&one), ProblemSignature::new(&one)];
        assert_eq!(best_match(&one, &open).map(|m| m.index), Some(0));
    }
}
