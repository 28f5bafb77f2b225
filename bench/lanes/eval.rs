//! Offline evaluation of the lanes classifier and the scrubber (bench/lanes/README.md).
//!
//!   cargo run --release --example lanes-eval                 # k-fold on the embedded corpus
//!   cargo run --release --example lanes-eval -- other.jsonl  # train on the corpus, measure on files
//!
//! Options: --folds N (default 5), --seed N (default 1), --errors (print every misclassified report),
//! --train FILE (repeatable: use these files instead of the embedded corpus, for k-fold or as the
//! training set, e.g. to train on one author's file and measure on another's).

use std::collections::HashMap;
use std::time::Instant;

use flagpole::domain::scrub::scrub_personal_details;
use flagpole::lanes::{
    embedded_corpus, parse_corpus, Classifier, CorpusReport, Fingerprint, Lane, LaneSettings,
    Submission,
};

struct Options {
    folds: usize,
    seed: u64,
    errors: bool,
    train: Vec<String>,
    files: Vec<String>,
}

fn options() -> Result<Options, String> {
    let mut o = Options {
        folds: 5,
        seed: 1,
        errors: false,
        train: Vec::new(),
        files: Vec::new(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--folds" => o.folds = number(args.next())?,
            "--seed" => o.seed = number(args.next())?,
            "--errors" => o.errors = true,
            "--train" => o.train.push(args.next().ok_or("--train needs a file")?),
            _ if arg.starts_with("--") => return Err(format!("unknown option {arg}")),
            _ => o.files.push(arg),
        }
    }
    if o.folds < 2 {
        return Err("--folds needs 2 or more".into());
    }
    Ok(o)
}

fn number<T: std::str::FromStr>(arg: Option<String>) -> Result<T, String> {
    arg.and_then(|a| a.parse().ok())
        .ok_or_else(|| "expected a number".to_string())
}

fn main() {
    if let Err(e) = run() {
        eprintln!("lanes-eval: {e}");
        std::process::exit(2);
    }
}

fn run() -> Result<(), String> {
    let o = options()?;
    let (corpus, name) = if o.train.is_empty() {
        (embedded_corpus()?, "the embedded corpus".to_string())
    } else {
        (
            read_all(&o.train)?
                .into_iter()
                .flat_map(|(_, r)| r)
                .collect(),
            o.train.join(" + "),
        )
    };
    let settings = LaneSettings {
        // Every corpus site is under example.org.
        allowed_hosts: vec!["*.example.org".into()],
        ..LaneSettings::default()
    };
    let files = read_all(&o.files)?;
    let mut runs: Vec<Run> = Vec::new();
    if files.is_empty() {
        println!(
            "Stratified {}-fold cross-validation on {name} ({} reports; reports of the same problem stay in one fold; seed {}).",
            o.folds,
            corpus.len(),
            o.seed
        );
        for (train, test) in folds(&corpus, o.folds, o.seed) {
            runs.push(evaluate(&settings, &train, &test));
        }
    } else {
        for (file, test) in &files {
            println!(
                "Trained on {name} ({} reports), measured on {file} ({} reports).",
                corpus.len(),
                test.len()
            );
            let train: Vec<&CorpusReport> = corpus.iter().collect();
            let test: Vec<&CorpusReport> = test.iter().collect();
            runs.push(evaluate(&settings, &train, &test));
        }
    }
    report(&runs, o.errors);
    let all: Vec<&CorpusReport> = if files.is_empty() {
        corpus.iter().collect()
    } else {
        runs.iter()
            .flat_map(|r| r.outcomes.iter().map(|x| x.report))
            .collect()
    };
    scrubbing(&all);
    timing(&settings, &corpus, &all);
    Ok(())
}

/// Each file's reports, with its name.
fn read_all(files: &[String]) -> Result<Vec<(String, Vec<CorpusReport>)>, String> {
    files
        .iter()
        .map(|file| {
            let text = std::fs::read_to_string(file).map_err(|e| format!("{file}: {e}"))?;
            Ok((
                file.clone(),
                parse_corpus(&text).map_err(|e| format!("{file}: {e}"))?,
            ))
        })
        .collect()
}

/// Splits the corpus into k folds, each lane spread evenly, groups kept whole.
fn folds(
    corpus: &[CorpusReport],
    k: usize,
    seed: u64,
) -> Vec<(Vec<&CorpusReport>, Vec<&CorpusReport>)> {
    let mut units: HashMap<&str, Vec<&CorpusReport>> = HashMap::new();
    for r in corpus {
        units
            .entry(r.group.as_deref().unwrap_or(&r.id))
            .or_default()
            .push(r);
    }
    let mut by_lane: HashMap<Lane, Vec<(u64, &str)>> = HashMap::new();
    for (key, members) in &units {
        by_lane
            .entry(members[0].lane)
            .or_default()
            .push((shuffle_key(key, seed), *key));
    }
    let mut fold_of: HashMap<&str, usize> = HashMap::new();
    // Bigger units first, each to the fold with the fewest reports of its lane so far.
    for lane in Lane::ALL {
        let mut list = by_lane.remove(&lane).unwrap_or_default();
        list.sort();
        list.sort_by_key(|(_, key)| std::cmp::Reverse(units[key].len()));
        let mut sizes = vec![0usize; k];
        for (_, key) in list {
            let fold = (0..k).min_by_key(|f| sizes[*f]).unwrap_or(0);
            sizes[fold] += units[key].len();
            fold_of.insert(key, fold);
        }
    }
    (0..k)
        .map(|f| {
            let (test, train): (Vec<&CorpusReport>, Vec<&CorpusReport>) = corpus
                .iter()
                .partition(|r| fold_of[r.group.as_deref().unwrap_or(&r.id)] == f);
            (train, test)
        })
        .collect()
}

fn shuffle_key(s: &str, seed: u64) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325_u64 ^ seed.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    for b in s.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
    }
    h
}

struct Outcome<'a> {
    report: &'a CorpusReport,
    predicted: Lane,
    signpost: bool,
    reasons: String,
}

struct Run<'a> {
    outcomes: Vec<Outcome<'a>>,
}

fn submission<'a>(r: &'a CorpusReport, recent_spam: &'a [Fingerprint]) -> Submission<'a> {
    Submission {
        category: r.category,
        quote: r.quote.as_deref(),
        details: r.details.as_deref(),
        article_host: r.article_host(),
        article_lang: Some(&r.article_lang),
        recent_spam,
    }
}

fn evaluate<'a>(
    settings: &LaneSettings,
    train: &[&CorpusReport],
    test: &[&'a CorpusReport],
) -> Run<'a> {
    let examples: Vec<CorpusReport> = train.iter().map(|r| (*r).clone()).collect();
    let classifier = Classifier::from_corpus(settings, &examples);
    // The spam editors have already marked: the training part's spam, as the caller would pass
    // the fingerprints of recent spam.
    let recent_spam: Vec<Fingerprint> = train
        .iter()
        .filter(|r| r.lane == Lane::Spam)
        .filter_map(|r| {
            Fingerprint::of(
                r.quote.as_deref().map(scrub_personal_details).as_deref(),
                r.details.as_deref().map(scrub_personal_details).as_deref(),
            )
        })
        .collect();
    let outcomes = test
        .iter()
        .map(|r| {
            let v = classifier.classify(&submission(r, &recent_spam));
            Outcome {
                report: r,
                predicted: v.lane,
                signpost: v.signpost,
                reasons: v
                    .reasons
                    .iter()
                    .map(|x| x.text.as_str())
                    .collect::<Vec<_>>()
                    .join("; "),
            }
        })
        .collect();
    Run { outcomes }
}

/// The four goal figures of one run (as fractions), the ones the issue sets targets for.
struct Goals {
    spam_kept_out: f64,
    problems_lost: f64,
    queue_precision: f64,
    harmful_lost: f64,
}

fn goals(run: &Run) -> Goals {
    let count = |f: &dyn Fn(&Outcome) -> bool| run.outcomes.iter().filter(|o| f(o)).count() as f64;
    let spam = count(&|o| o.report.lane == Lane::Spam);
    let problems = count(&|o| o.report.lane == Lane::Queue);
    let harmful =
        count(&|o| o.report.lane == Lane::Queue && o.report.category.as_str() == "harmful");
    let queued = count(&|o| o.predicted == Lane::Queue);
    Goals {
        spam_kept_out: ratio(
            count(&|o| o.report.lane == Lane::Spam && o.predicted != Lane::Queue),
            spam,
        ),
        problems_lost: ratio(
            count(&|o| o.report.lane == Lane::Queue && o.predicted != Lane::Queue),
            problems,
        ),
        queue_precision: ratio(
            count(&|o| o.report.lane == Lane::Queue && o.predicted == Lane::Queue),
            queued,
        ),
        harmful_lost: ratio(
            count(&|o| {
                o.report.lane == Lane::Queue
                    && o.report.category.as_str() == "harmful"
                    && o.predicted != Lane::Queue
            }),
            harmful,
        ),
    }
}

fn ratio(a: f64, b: f64) -> f64 {
    if b == 0.0 {
        0.0
    } else {
        a / b
    }
}

fn spread(values: &[f64]) -> String {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    if values.len() == 1 {
        return format!("{:6.1} %", mean * 100.0);
    }
    let std = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    let min = values.iter().copied().fold(f64::MAX, f64::min);
    let max = values.iter().copied().fold(f64::MIN, f64::max);
    format!(
        "{:6.1} % ± {:4.1}  (folds {:.1}–{:.1} %)",
        mean * 100.0,
        std * 100.0,
        min * 100.0,
        max * 100.0
    )
}

fn report(runs: &[Run], errors: bool) {
    let outcomes: Vec<&Outcome> = runs.iter().flat_map(|r| &r.outcomes).collect();
    let mut matrix = [[0usize; 6]; 6];
    for o in &outcomes {
        matrix[lane_index(o.report.lane)][lane_index(o.predicted)] += 1;
    }
    println!("\nConfusion matrix (rows: truth, columns: verdict), all folds together:");
    print!("{:>10}", "");
    for lane in Lane::ALL {
        print!("{:>10}", lane.as_str());
    }
    println!();
    for truth in Lane::ALL {
        print!("{:>10}", truth.as_str());
        for verdict in Lane::ALL {
            print!("{:>10}", matrix[lane_index(truth)][lane_index(verdict)]);
        }
        println!();
    }
    println!("\nPer lane:        precision    recall   reports");
    for lane in Lane::ALL {
        let i = lane_index(lane);
        let tp = matrix[i][i] as f64;
        let predicted: usize = (0..6).map(|t| matrix[t][i]).sum();
        let actual: usize = matrix[i].iter().sum();
        println!(
            "{:>10}       {:6.1} %  {:6.1} %   {actual:>5}",
            lane.as_str(),
            100.0 * ratio(tp, predicted as f64),
            100.0 * ratio(tp, actual as f64)
        );
    }
    let per_run: Vec<Goals> = runs.iter().map(goals).collect();
    let pick = |f: fn(&Goals) -> f64| per_run.iter().map(f).collect::<Vec<f64>>();
    println!(
        "\nGoals (mean ± std over {} run(s), with the range):",
        runs.len()
    );
    println!(
        "  spam kept out of the queue   (goal ≥ 95 %): {}",
        spread(&pick(|g| g.spam_kept_out))
    );
    println!(
        "  real problems kept out       (goal ≤ 1 %):  {}",
        spread(&pick(|g| g.problems_lost))
    );
    println!(
        "    of which 'harmful'                        {}",
        spread(&pick(|g| g.harmful_lost))
    );
    println!(
        "  queue actionable (precision) (goal ≥ 90 %): {}",
        spread(&pick(|g| g.queue_precision))
    );
    let signposted = outcomes.iter().filter(|o| o.signpost).count();
    let questions = outcomes
        .iter()
        .filter(|o| o.report.lane == Lane::Question)
        .count();
    let questions_signposted = outcomes
        .iter()
        .filter(|o| o.report.lane == Lane::Question && o.signpost)
        .count();
    println!(
        "  signposting shown: {signposted} reports; {questions_signposted} of {questions} questions"
    );
    if errors {
        println!("\nMisclassified:");
        for o in outcomes.iter().filter(|o| o.predicted != o.report.lane) {
            println!(
                "  {} [{} {}] truth {} → {}: {:?}\n      {}",
                o.report.id,
                o.report.category.as_str(),
                o.report.lang,
                o.report.lane.as_str(),
                o.predicted.as_str(),
                o.report
                    .details
                    .as_deref()
                    .unwrap_or(o.report.quote.as_deref().unwrap_or("")),
                o.reasons
            );
        }
    }
}

fn lane_index(lane: Lane) -> usize {
    Lane::ALL.iter().position(|l| *l == lane).unwrap_or(0)
}

/// Personal details left after scrubbing, and clinical numbers lost, over the reports' `pii` and
/// `keep` lists (the scrubber is not trained, so this needs no folds).
fn scrubbing(reports: &[&CorpusReport]) {
    let (mut pii, mut left, mut keep, mut lost) = (0, 0, 0, 0);
    let mut failures = Vec::new();
    for r in reports {
        let scrubbed = format!(
            "{}\n{}",
            r.quote
                .as_deref()
                .map(scrub_personal_details)
                .unwrap_or_default(),
            r.details
                .as_deref()
                .map(scrub_personal_details)
                .unwrap_or_default()
        );
        for p in &r.pii {
            pii += 1;
            if scrubbed.contains(p.as_str()) {
                left += 1;
                failures.push(format!("{}: personal detail left: {p:?}", r.id));
            }
        }
        for k in &r.keep {
            keep += 1;
            if !scrubbed.contains(k.as_str()) {
                lost += 1;
                failures.push(format!("{}: clinical text lost: {k:?}", r.id));
            }
        }
    }
    println!(
        "\nScrubbing: personal details left {left} of {pii} ({:.1} %, goal ≤ 1 %); clinical numbers lost {lost} of {keep} ({:.1} %)",
        100.0 * ratio(left as f64, pii as f64),
        100.0 * ratio(lost as f64, keep as f64)
    );
    for f in failures {
        println!("  {f}");
    }
}

/// Start-up training time, and the cost of one classification (mean and p99 over every report,
/// 20 times each), on this machine.
fn timing(settings: &LaneSettings, corpus: &[CorpusReport], reports: &[&CorpusReport]) {
    let start = Instant::now();
    let classifier = Classifier::from_corpus(settings, corpus);
    let training = start.elapsed();
    let recent_spam: Vec<Fingerprint> = corpus
        .iter()
        .filter(|r| r.lane == Lane::Spam)
        .filter_map(|r| Fingerprint::of(r.quote.as_deref(), r.details.as_deref()))
        .take(200)
        .collect();
    for r in reports {
        classifier.classify(&submission(r, &recent_spam));
    }
    let mut times: Vec<f64> = Vec::with_capacity(reports.len() * 20);
    for _ in 0..20 {
        for r in reports {
            let s = submission(r, &recent_spam);
            let t = Instant::now();
            std::hint::black_box(classifier.classify(std::hint::black_box(&s)));
            times.push(t.elapsed().as_secs_f64() * 1e6);
        }
    }
    times.sort_by(f64::total_cmp);
    let mean = times.iter().sum::<f64>() / times.len() as f64;
    let p99 = times[(times.len() * 99 / 100).min(times.len() - 1)];
    println!(
        "\nSpeed: training on {} reports took {:.1} ms; one classification (with {} recent spam fingerprints) takes {mean:.1} µs on average, {p99:.1} µs at p99 ({} classifications).",
        corpus.len(),
        training.as_secs_f64() * 1e3,
        recent_spam.len(),
        times.len()
    );
}
