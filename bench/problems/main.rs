//! Offline evaluation of the problems matcher (bench/problems/README.md).
//!
//! ```sh
//! cargo run --release --example problems-eval                      # the corpus in the repository
//! cargo run --release --example problems-eval -- other.jsonl ...   # any file in the shared format
//! ```
//!
//! Each file's queue reports are fed, article by article, through the matcher as ingest would
//! (`ArticleProblems`): a report joins the problem `best_match` names, merging the problems it
//! bridges, or starts a new one. This is done in the file's order and in `--shuffles N` seeded
//! shuffled orders, since greedy matching depends on arrival order.
//!
//! Printed per part:
//! - the share of duplicate pairs (two reports with the same `group`) that end in the same
//!   problem;
//! - the number of problems that mix different complaints: reports of two groups, of a group
//!   and an ungrouped report, or two ungrouped reports.
//!
//! The corpus in the repository is split by article. The thresholds were tuned on the first half
//! of its articles only, and the second half is reported apart. `--halves` splits other files
//! the same way. `--verbose` lists every wrong merge and missed pair, with the number of orders
//! that made it.
//!
//! Cost: the time per report for analysing it, matching it against its article's open problems
//! and updating or creating the problem's signature; and the same with each open signature read
//! from JSON and the changed one written back, as ingest will do. Then once more with every
//! report of a file on one article, for a page with many open problems. Each figure is the
//! fastest of several identical runs, per report (see `cost`).

use std::collections::{BTreeMap, BTreeSet};
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Context};
use flagpole::domain::Category;
use flagpole::problems::{best_match, ArticleProblems, ProblemSignature, ReportText};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use serde::Deserialize;

#[derive(Deserialize)]
struct Line {
    id: String,
    article_url: String,
    category: String,
    quote: Option<String>,
    details: Option<String>,
    lang: Option<String>,
    lane: Option<String>,
    group: Option<String>,
}

struct Report {
    id: String,
    category: Category,
    quote: Option<String>,
    details: Option<String>,
    lang: Option<String>,
    /// The complaint: the group, or the report's own id when it has none.
    complaint: String,
    grouped: bool,
}

impl Report {
    fn text(&self) -> ReportText {
        ReportText::new(
            self.category,
            self.quote.as_deref(),
            self.details.as_deref(),
            self.lang.as_deref(),
        )
    }
}

/// An article's URL and its reports in file order.
type Article = (String, Vec<Report>);
/// Articles in order of their first report.
type Articles = Vec<Article>;

fn load(path: &PathBuf) -> anyhow::Result<(Articles, usize)> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut articles: Articles = Vec::new();
    let mut skipped = 0;
    for (n, raw) in text.lines().enumerate() {
        if raw.trim().is_empty() {
            continue;
        }
        let line: Line = serde_json::from_str(raw)
            .with_context(|| format!("{}:{}: not a report line", path.display(), n + 1))?;
        if line.lane.as_deref().is_some_and(|l| l != "queue") {
            skipped += 1;
            continue;
        }
        let Some(category) = Category::parse(&line.category) else {
            bail!(
                "{}:{}: unknown category {:?}",
                path.display(),
                n + 1,
                line.category
            );
        };
        let report = Report {
            complaint: line
                .group
                .clone()
                .unwrap_or_else(|| format!("#{}", line.id)),
            grouped: line.group.is_some(),
            id: line.id,
            category,
            quote: line.quote,
            details: line.details,
            lang: line.lang,
        };
        match articles
            .iter_mut()
            .find(|(url, _)| *url == line.article_url)
        {
            Some((_, reports)) => reports.push(report),
            None => articles.push((line.article_url, vec![report])),
        }
    }
    Ok((articles, skipped))
}

/// Feeds one article's reports in the given order, as ingest would; returns each report's final
/// problem number.
fn assign(reports: &[&Report]) -> Vec<usize> {
    let mut problems = ArticleProblems::new();
    for report in reports {
        problems.add(&report.text());
    }
    problems.assignments().to_vec()
}

/// The time each report of one article takes (µs): analysing it, matching it and updating or
/// creating its problem's signature. With `with_json`, as ingest will do it: every open signature
/// read from JSON first, and the changed one written as JSON.
fn timings(reports: &[&Report], with_json: bool) -> Vec<f64> {
    let mut problems = ArticleProblems::new();
    let mut micros = Vec::with_capacity(reports.len());
    for report in reports {
        if with_json {
            let stored: Vec<String> = problems
                .signatures()
                .iter()
                .filter_map(|s| s.to_json().ok())
                .collect();
            let start = Instant::now();
            let text = report.text();
            let open: Vec<ProblemSignature> = stored
                .iter()
                .filter_map(|json| ProblemSignature::from_json(json).ok())
                .collect();
            let changed = match best_match(&text, &open) {
                Some(found) => {
                    let mut signature = open[found.index].clone();
                    signature.absorb(&text);
                    signature
                }
                None => ProblemSignature::new(&text),
            };
            black_box(changed.to_json().ok());
            micros.push(start.elapsed().as_secs_f64() * 1e6);
            problems.add(&text);
        } else {
            let start = Instant::now();
            problems.add(&report.text());
            micros.push(start.elapsed().as_secs_f64() * 1e6);
        }
    }
    micros
}

#[derive(Default)]
struct Outcome {
    pairs: usize,
    folded: usize,
    mixed: usize,
    problems: usize,
    missed: Vec<String>,
    wrong: Vec<String>,
}

/// Scores one order of one part: pairs folded, problems mixing complaints.
fn score(articles: &[(String, Vec<&Report>)]) -> Outcome {
    let mut out = Outcome::default();
    for (url, reports) in articles {
        let assigned = assign(reports);
        for i in 0..reports.len() {
            for j in i + 1..reports.len() {
                if reports[i].grouped && reports[i].complaint == reports[j].complaint {
                    out.pairs += 1;
                    if assigned[i] == assigned[j] {
                        out.folded += 1;
                    } else {
                        let (a, b) = (&reports[i].id, &reports[j].id);
                        let (a, b) = if a < b { (a, b) } else { (b, a) };
                        out.missed
                            .push(format!("{url}: {a} / {b} ({})", reports[i].complaint));
                    }
                }
            }
        }
        let mut problems: BTreeMap<usize, BTreeSet<&str>> = BTreeMap::new();
        for (report, problem) in reports.iter().zip(&assigned) {
            problems
                .entry(*problem)
                .or_default()
                .insert(&report.complaint);
        }
        out.problems += problems.len();
        for (problem, complaints) in &problems {
            if complaints.len() > 1 {
                out.mixed += 1;
                let mut ids: Vec<&str> = reports
                    .iter()
                    .zip(&assigned)
                    .filter(|(_, p)| *p == problem)
                    .map(|(r, _)| r.id.as_str())
                    .collect();
                ids.sort_unstable();
                out.wrong
                    .push(format!("{url}: {ids:?} mixes {complaints:?}"));
            }
        }
    }
    out
}

fn shuffled(articles: &[Article], seed: Option<u64>) -> Vec<(String, Vec<&Report>)> {
    articles
        .iter()
        .enumerate()
        .map(|(n, (url, reports))| {
            let mut order: Vec<&Report> = reports.iter().collect();
            if let Some(seed) = seed {
                order.shuffle(&mut StdRng::seed_from_u64(seed * 1_000 + n as u64));
            }
            (url.clone(), order)
        })
        .collect()
}

fn percent(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        100.0 * a as f64 / b as f64
    }
}

fn report_part(name: &str, articles: &[Article], shuffles: u64, verbose: bool) {
    let first = score(&shuffled(articles, None));
    let runs: Vec<Outcome> = (1..=shuffles)
        .map(|s| score(&shuffled(articles, Some(s))))
        .collect();
    let recalls: Vec<f64> = runs.iter().map(|o| percent(o.folded, o.pairs)).collect();
    let mixed: Vec<usize> = runs.iter().map(|o| o.mixed).collect();
    let reports: usize = articles.iter().map(|(_, r)| r.len()).sum();
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    let min = recalls.iter().copied().fold(f64::INFINITY, f64::min);
    let max = recalls.iter().copied().fold(0.0, f64::max);
    println!(
        "  {name:<8} {:>3} articles {:>4} reports {:>4} pairs | file order: {:>5.1} % folded, {} mixed of {} problems | {shuffles} shuffles: {:.1} % folded (min {:.1}, max {:.1}), mixed problems mean {:.2}, max {}",
        articles.len(),
        reports,
        first.pairs,
        percent(first.folded, first.pairs),
        first.mixed,
        first.problems,
        mean(&recalls),
        if min.is_finite() { min } else { 0.0 },
        max,
        mean(&mixed.iter().map(|&m| m as f64).collect::<Vec<_>>()),
        mixed.iter().max().copied().unwrap_or(0),
    );
    if verbose {
        // How many of the orders (the file's and the shuffles) made each mistake.
        let mut tally: BTreeMap<String, usize> = BTreeMap::new();
        for outcome in std::iter::once(&first).chain(&runs) {
            for line in outcome.wrong.iter().map(|l| format!("WRONG  {l}")) {
                *tally.entry(line).or_default() += 1;
            }
            for line in outcome.missed.iter().map(|l| format!("MISSED {l}")) {
                *tally.entry(line).or_default() += 1;
            }
        }
        for (line, n) in tally {
            println!("      {n:>2}/{} {line}", runs.len() + 1);
        }
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Prints the cost per report: for each report, the fastest of `repeats` identical runs of its
/// article in file order. The machine is shared (two cores, other builds): the fastest run is
/// the matcher's own cost, the others add the neighbours'.
fn cost(label: &str, articles: &[Article], with_json: bool, repeats: usize) {
    let mut all: Vec<f64> = Vec::new();
    for (_, reports) in shuffled(articles, None) {
        let mut fastest = vec![f64::INFINITY; reports.len()];
        for _ in 0..repeats {
            for (best, micros) in fastest.iter_mut().zip(timings(&reports, with_json)) {
                *best = best.min(micros);
            }
        }
        all.extend(fastest);
    }
    all.sort_by(f64::total_cmp);
    let mean = all.iter().sum::<f64>() / all.len().max(1) as f64;
    println!(
        "  {label:<46} mean {mean:>6.1} µs, p99 {:>6.1} µs, max {:>6.1} µs ({} reports)",
        percentile(&all, 0.99),
        all.last().copied().unwrap_or(0.0),
        all.len()
    );
}

fn main() -> anyhow::Result<()> {
    let mut files: Vec<PathBuf> = Vec::new();
    let mut shuffles = 10;
    let mut halves = false;
    let mut verbose = false;
    let mut only: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--shuffles" => shuffles = args.next().context("--shuffles N")?.parse()?,
            "--halves" => halves = true,
            "--verbose" => verbose = true,
            "--only" => only = Some(args.next().context("--only tuned|untuned|all")?),
            "-h" | "--help" => {
                println!("problems-eval [--shuffles N] [--halves] [--verbose] [--only tuned|untuned|all] [FILE.jsonl ...]");
                return Ok(());
            }
            _ => files.push(PathBuf::from(arg)),
        }
    }
    if files.is_empty() {
        files.push(
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/problems/corpus/groups.jsonl"),
        );
        halves = true;
    }
    for path in &files {
        let (articles, skipped) = load(path)?;
        let reports: Vec<&Report> = articles.iter().flat_map(|(_, r)| r).collect();
        let groups: BTreeSet<&str> = reports
            .iter()
            .filter(|r| r.grouped)
            .map(|r| r.complaint.as_str())
            .collect();
        println!(
            "{}: {} queue reports ({} in other lanes skipped), {} articles, {} groups, {} ungrouped",
            path.display(),
            reports.len(),
            skipped,
            articles.len(),
            groups.len(),
            reports.iter().filter(|r| !r.grouped).count()
        );
        let half = articles.len().div_ceil(2);
        let (tuned, untuned) = articles.split_at(half);
        let parts: Vec<(&str, &[Article])> = if halves {
            vec![
                ("tuned", tuned),
                ("untuned", untuned),
                ("all", &articles[..]),
            ]
        } else {
            vec![("all", &articles[..])]
        };
        for (name, part) in parts {
            if only.as_deref().is_none_or(|o| o == name) {
                report_part(name, part, shuffles, verbose);
            }
        }
        println!("  cost per report (analyse, match, update or create the signature; fastest of 30 runs):");
        cost("signatures in memory", &articles, false, 30);
        cost(
            "signatures read from and written as JSON",
            &articles,
            true,
            30,
        );
        let one_page: Articles = vec![(
            "every report on one page".into(),
            articles.into_iter().flat_map(|(_, r)| r).collect(),
        )];
        cost(
            "every report of the file on one page, JSON",
            &one_page,
            true,
            10,
        );
    }
    Ok(())
}
