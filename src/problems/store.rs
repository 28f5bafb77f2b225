//! Problems as they are stored: a queue report joins (or starts) a problem of its article inside
//! the transaction that stores or moves it, so that reports arriving at once — through several
//! instances on PostgreSQL too — meet the same problems (the article row is locked first by the
//! caller). Reports stored before problems existed are grouped by the same steps, in order.

use chrono::NaiveDateTime;
use diesel::QueryResult;

use super::{best_match, ProblemSignature, ReportText};
use crate::db::problems::{self as store, StoredProblem};
use crate::db::reports::Report;
use crate::db::DbConn;
use crate::domain::{Category, Lane};

/// How many ungrouped reports one grouping transaction takes.
const GROUP_BATCH: i64 = 500;

/// A report as the matcher reads it; `lang_tag` is the page's language tag, whose primary subtag
/// chooses the stop words. The one place ingest, triage and grouping analyse a report.
pub fn analyse(
    category: Category,
    quote: Option<&str>,
    details: Option<&str>,
    lang_tag: Option<&str>,
) -> ReportText {
    let language = lang_tag.map(crate::ingest::validate::primary_language);
    ReportText::new(category, quote, details, language)
}

pub fn text_of(report: &Report) -> ReportText {
    analyse(
        report.category,
        report.quote.as_deref(),
        report.details.as_deref(),
        report.lang.as_deref(),
    )
}

fn to_json(signature: &ProblemSignature) -> QueryResult<String> {
    signature
        .to_json()
        .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))
}

/// A stored signature, or (from an older build, or damaged) one rebuilt from the problem's queue
/// reports.
fn signature_of(conn: &mut DbConn, problem: &StoredProblem) -> QueryResult<ProblemSignature> {
    if let Ok(signature) = ProblemSignature::from_json(&problem.signature) {
        return Ok(signature);
    }
    let reports = store::reports_of(conn, &[problem.id])?;
    let texts: Vec<ReportText> = reports
        .iter()
        .filter(|r| r.lane == Lane::Queue)
        .map(text_of)
        .collect();
    // An open problem has an open queue report, so there is at least one.
    ProblemSignature::from_reports(&texts).ok_or(diesel::result::Error::NotFound)
}

/// Puts a queue report into the best-matching open problem of its article (merging the problems
/// it bridges) or a new one; returns the problem's id. Call inside the report's transaction,
/// after locking the article.
pub fn assign(
    conn: &mut DbConn,
    article_id: i64,
    report_id: i64,
    text: &ReportText,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    let open = store::open_of_article(conn, article_id)?;
    let mut signatures = Vec::with_capacity(open.len());
    for problem in &open {
        signatures.push(signature_of(conn, problem)?);
    }
    let Some(found) = best_match(text, &signatures) else {
        let signature = ProblemSignature::new(text);
        let id = store::create(
            conn,
            article_id,
            &to_json(&signature)?,
            "a new problem",
            now,
        )?;
        store::set_problem(conn, &[report_id], id)?;
        return Ok(id);
    };
    let into = open[found.index].id;
    let mut signature = signatures[found.index].clone();
    signature.absorb(text);
    for &other in &found.merge {
        signature.merge(&signatures[other]);
    }
    let merged: Vec<i64> = found.merge.iter().map(|&i| open[i].id).collect();
    store::merge(conn, &merged, into)?;
    store::set_problem(conn, &[report_id], into)?;
    store::update(conn, into, &to_json(&signature)?, &found.reason, now)?;
    Ok(into)
}

/// An editor's merge: every report of `from` joins `into` (same article; the caller checks and
/// locks it), whose signature takes in `from`'s.
pub fn merge(
    conn: &mut DbConn,
    from: &StoredProblem,
    into: &StoredProblem,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let mut signature = signature_of(conn, into)?;
    signature.merge(&signature_of(conn, from)?);
    store::merge(conn, &[from.id], into.id)?;
    store::update(
        conn,
        into.id,
        &to_json(&signature)?,
        "merged by an editor",
        now,
    )
}

/// An editor's split: `moving` (reports of `problem`) leave it for a new problem of the same
/// article, whose id is returned. Both signatures are rebuilt from their reports and marked kept
/// apart, so the matcher does not merge them again by itself. The caller checks that `moving`
/// and the reports staying are both non-empty, and locks the article.
pub fn split(
    conn: &mut DbConn,
    problem: &StoredProblem,
    moving: &[i64],
    now: NaiveDateTime,
) -> QueryResult<i64> {
    let reports = store::reports_of(conn, &[problem.id])?;
    let signature = |leaving: bool| {
        let texts: Vec<ReportText> = reports
            .iter()
            .filter(|r| r.lane == Lane::Queue && moving.contains(&r.id) == leaving)
            .map(text_of)
            .collect();
        let mut signature =
            ProblemSignature::from_reports(&texts).ok_or(diesel::result::Error::NotFound)?;
        signature.keep_apart();
        to_json(&signature)
    };
    let (staying, leaving) = (signature(false)?, signature(true)?);
    let id = store::create(
        conn,
        problem.article_id,
        &leaving,
        "split off by an editor",
        now,
    )?;
    store::set_problem(conn, moving, id)?;
    store::update(conn, problem.id, &staying, "split by an editor", now)?;
    Ok(id)
}

/// Groups queue reports that are in no problem yet, oldest first, a batch per transaction;
/// returns how many were grouped. At start-up (after the migration that added problems, this
/// groups every existing report) and every minute (reports an editor moved into the queue).
pub fn group_ungrouped(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<usize> {
    let mut grouped = 0;
    loop {
        let done = conn.write_tx(|c| {
            let batch = store::ungrouped(c, GROUP_BATCH)?;
            let mut articles: Vec<i64> = batch.iter().map(|r| r.article_id).collect();
            articles.dedup();
            crate::db::articles::lock(c, &articles)?;
            for r in &batch {
                let text = analyse(
                    r.category,
                    r.quote.as_deref(),
                    r.details.as_deref(),
                    r.lang.as_deref(),
                );
                assign(c, r.article_id, r.id, &text, now)?;
            }
            // Attention counts problems: the articles' grouping changed.
            for article in &articles {
                crate::db::articles::refresh_report_score(c, *article, now)?;
            }
            Ok::<_, diesel::result::Error>(batch.len())
        })?;
        grouped += done;
        if done < GROUP_BATCH as usize {
            return Ok(grouped);
        }
    }
}
