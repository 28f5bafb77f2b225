//! Digest benchmark: seeds a fresh SQLite database with 100,000 articles, 5,000,000 votes over a
//! year, 300,000 reports, alerts and 1,000 editors, then times building every editor's digest for
//! one week (2026-W47) the way `flagpole serve` does. See bench/README.md.
//!
//! Seeding is SQLite SQL run inside the database (recursive CTEs, large transactions, no fsync),
//! with pseudo-random values derived from the row number so every run builds the same data set.
//! Counters are then derived from the rows the way ingest keeps them: vote_days from votes,
//! article vote counters from vote_days, open-report counters from reports, and attention with
//! flagpole's own function.

use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Utc};
use diesel::connection::SimpleConnection;
use diesel::sqlite::SqliteConnection;
use diesel::{QueryableByName, RunQueryDsl};
use flagpole::config::{DatabaseTarget, Settings};
use flagpole::db::{self, DbConn};
use flagpole::digest::{compose, Digests, IsoWeek};
use tokio::sync::Notify;

const ARTICLES: i64 = 100_000;
const VOTES: i64 = 5_000_000;
const REPORTS: i64 = 300_000;
const ALERTS: i64 = 3_000;
const EDITORS: i64 = 1_000;
/// The data ends with the benchmarked week: Sunday 2026-11-22 23:59:59 UTC.
const END_EPOCH: i64 = 1_795_391_999;
const WEEK: &str = "2026-W47";

/// Pseudo-random 32-bit values from the row number `i` (a multiplicative hash per stream).
fn rnd(stream: u32) -> String {
    const K: [u64; 6] = [
        2_654_435_761,
        2_246_822_519,
        3_266_489_917,
        668_265_263,
        374_761_393,
        1_181_783_497,
    ];
    format!("((i * {} + {stream}) % 4294967296)", K[stream as usize])
}

fn seed_sql() -> Vec<(&'static str, String)> {
    let year = 364 * 86_400;
    vec![
        (
            "articles",
            format!(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {ARTICLES})
                 INSERT INTO articles (id, url, host, path, title, helpfulness, last_activity_at,
                                       created_at, updated_at)
                 SELECT i, 'https://' || host || path, host, path, 'Article ' || i, 0.8,
                        '2025-11-01 00:00:00', '2025-11-01 00:00:00', '2025-11-01 00:00:00'
                 FROM (SELECT i, 'site' || (i % 10) || '.example.org' AS host,
                              '/section' || (i / 10 % 50) || '/article-' || i AS path FROM n)"
            ),
        ),
        (
            // Popular articles (low ids) get most votes: the product of two uniform draws. Each
            // article has its own helpful rate; one in 13 got worse in the benchmarked week.
            "votes",
            format!(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {VOTES})
                 INSERT INTO votes (article_id, helpful, reasons, visitor_key, created_at, updated_at)
                 SELECT a, ({r4} % 100) < (55 + a % 40
                            - CASE WHEN a % 13 = 0 AND t >= '2026-11-16' THEN 35 ELSE 0 END),
                        '', 'v' || i, t, t
                 FROM (SELECT i, ({r1} % {ARTICLES}) * ({r2} % {ARTICLES}) / {ARTICLES} + 1 AS a,
                              datetime({END_EPOCH} - {r3} % {year}, 'unixepoch') AS t FROM n)",
                r1 = rnd(0),
                r2 = rnd(1),
                r3 = rnd(2),
                r4 = rnd(3),
            ),
        ),
        (
            "vote_days",
            "INSERT INTO vote_days (article_id, day, helpful, not_helpful)
             SELECT article_id, date(created_at), SUM(helpful), SUM(1 - helpful)
             FROM votes GROUP BY article_id, date(created_at)"
                .into(),
        ),
        (
            "article vote counters",
            "UPDATE articles SET helpful = s.h, not_helpful = s.n
             FROM (SELECT article_id, SUM(helpful) AS h, SUM(not_helpful) AS n
                   FROM vote_days GROUP BY article_id) AS s
             WHERE s.article_id = articles.id"
                .into(),
        ),
        (
            // Older reports are mostly closed; a closed one took up to two weeks.
            "reports",
            format!(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {REPORTS})
                 INSERT INTO reports (article_id, category, quote, details, contact_consent,
                                      status, visitor_key, created_at, updated_at, closed_at)
                 SELECT a, cat, 'Passage ' || i, 'Details of report ' || i, 0, status,
                        'r' || i, t, t,
                        CASE WHEN status IN ('resolved', 'dismissed')
                             THEN datetime(t, '+' || ({r5} % 1209600) || ' seconds') END
                 FROM (SELECT i, a, t,
                              CASE {r4} % 7 WHEN 0 THEN 'inaccurate' WHEN 1 THEN 'outdated'
                                   WHEN 2 THEN 'unclear' WHEN 3 THEN 'broken_link'
                                   WHEN 4 THEN 'typo' WHEN 5 THEN 'other'
                                   ELSE CASE WHEN {r5} % 10 = 0 THEN 'harmful' ELSE 'other' END
                              END AS cat,
                              CASE WHEN {r5} % 50 = 0 THEN 'spam'
                                   WHEN t < '2026-10-25' AND {r4} % 10 < 9
                                        THEN CASE WHEN {r5} % 4 = 0 THEN 'dismissed' ELSE 'resolved' END
                                   WHEN t >= '2026-10-25' AND {r4} % 2 = 0 THEN 'resolved'
                                   WHEN {r5} % 3 = 0 THEN 'acknowledged'
                                   ELSE 'new' END AS status
                       FROM (SELECT i, ({r1} % {ARTICLES}) * ({r2} % {ARTICLES}) / {ARTICLES} + 1 AS a,
                                    datetime({END_EPOCH} - {r3} % {year}, 'unixepoch') AS t FROM n))",
                r1 = rnd(1),
                r2 = rnd(0),
                r3 = rnd(4),
                r4 = rnd(5),
                r5 = rnd(2),
            ),
        ),
        (
            "open report counters",
            "UPDATE articles SET open_reports = s.n, open_inaccurate = s.c1,
                    open_outdated = s.c2, open_unclear = s.c3, open_harmful = s.c4,
                    open_broken_link = s.c5, open_typo = s.c6, open_other = s.c7
             FROM (SELECT article_id, COUNT(*) AS n,
                          SUM(category = 'inaccurate') AS c1, SUM(category = 'outdated') AS c2,
                          SUM(category = 'unclear') AS c3, SUM(category = 'harmful') AS c4,
                          SUM(category = 'broken_link') AS c5, SUM(category = 'typo') AS c6,
                          SUM(category = 'other') AS c7
                   FROM reports WHERE status IN ('new', 'acknowledged')
                   GROUP BY article_id) AS s
             WHERE s.article_id = articles.id"
                .into(),
        ),
        (
            "alerts",
            format!(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {ALERTS})
                 INSERT INTO alerts (article_id, rule, figures, created_at)
                 SELECT {r1} % {ARTICLES} + 1,
                        CASE i % 3 WHEN 0 THEN 'harmful' WHEN 1 THEN 'open-reports'
                             ELSE 'unhelpful' END,
                        '{{}}', datetime({END_EPOCH} - {r2} % (4 * 604800), 'unixepoch')
                 FROM n",
                r1 = rnd(3),
                r2 = rnd(4),
            ),
        ),
        (
            // 10 editors own nothing (they see everything), 90 own a whole site, 900 one or two
            // sections.
            "editors",
            format!(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {EDITORS})
                 INSERT INTO editors (name, email, role, scopes, unsubscribe_token, created_at,
                                      updated_at)
                 SELECT 'Editor ' || i, 'editor' || i || '@example.org', 'editor',
                        CASE WHEN i <= 10 THEN ''
                             WHEN i <= 100 THEN 'site' || (i % 10) || '.example.org'
                             WHEN i % 2 = 0 THEN 'site' || (i % 10) || '.example.org/section' || (i % 50)
                             ELSE 'site' || (i % 10) || '.example.org/section' || (i % 50) || char(10)
                                  || 'site' || ((i + 3) % 10) || '.example.org/section' || ((i * 7) % 50)
                        END,
                        'token-' || i, '2025-01-01 00:00:00', '2025-01-01 00:00:00'
                 FROM n"
            ),
        ),
    ]
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

fn count(c: &mut SqliteConnection, sql: &str) -> anyhow::Result<i64> {
    Ok(diesel::sql_query(sql).get_result::<Count>(c)?.n)
}

fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = std::env::var_os("DIGEST_BENCH_DB")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| dir.path().join("digest-bench.db"));
    if path.exists() {
        anyhow::bail!(
            "{} exists: the benchmark wants a fresh file",
            path.display()
        );
    }
    let mut conn = db::open(&DatabaseTarget::Sqlite(path.clone()))?;
    conn.run_migrations()?;
    let DbConn::Sqlite(c) = &mut conn else {
        anyhow::bail!("expected SQLite");
    };
    println!("seeding {}", path.display());
    // Seeding only: a crash loses a benchmark, not data.
    c.batch_execute("PRAGMA synchronous = OFF; PRAGMA cache_size = -262144;")?;
    let seeding = Instant::now();
    for (what, sql) in seed_sql() {
        let t = Instant::now();
        c.batch_execute(&format!("BEGIN; {sql}; COMMIT;"))?;
        println!("  {what:<22} {:>7.1} s", t.elapsed().as_secs_f64());
    }
    let t = Instant::now();
    let end = DateTime::<Utc>::from_timestamp(END_EPOCH, 0).unwrap_or_default();
    let scored = flagpole::db::articles::refresh_all_report_scores(&mut conn, end.naive_utc())?;
    println!(
        "  {:<22} {:>7.1} s ({scored} articles with open reports)",
        "attention",
        t.elapsed().as_secs_f64()
    );
    let DbConn::Sqlite(c) = &mut conn else {
        anyhow::bail!("expected SQLite");
    };
    c.batch_execute("PRAGMA synchronous = FULL; ANALYZE; PRAGMA wal_checkpoint(TRUNCATE);")?;
    println!("seeded in {:.0} s", seeding.elapsed().as_secs_f64());

    let week: IsoWeek = WEEK.parse().map_err(anyhow::Error::msg)?;
    let mut settings = Settings::load(None)?;
    settings.digest.time_zone = chrono_tz::UTC;
    let digests = Digests::from_settings(&settings, Arc::new(Notify::new()));
    for (label, sql) in [
        ("articles", "SELECT COUNT(*) AS n FROM articles"),
        ("votes", "SELECT COUNT(*) AS n FROM votes"),
        ("vote_days rows", "SELECT COUNT(*) AS n FROM vote_days"),
        (
            "votes in the week",
            "SELECT COALESCE(SUM(helpful + not_helpful), 0) AS n FROM vote_days
             WHERE day BETWEEN '2026-11-16' AND '2026-11-22'",
        ),
        ("reports", "SELECT COUNT(*) AS n FROM reports"),
        (
            "open reports",
            "SELECT COUNT(*) AS n FROM reports WHERE status IN ('new', 'acknowledged')",
        ),
        ("editors", "SELECT COUNT(*) AS n FROM editors"),
    ] {
        println!("{label:<22} {:>10}", count(c, sql)?);
    }
    println!(
        "database file          {:>7.0} MiB",
        std::fs::metadata(&path)?.len() as f64 / 1_048_576.0
    );
    let editors = flagpole::db::editors::active(&mut conn)?;

    // Three rounds each, to show the spread; the first runs on a cold page cache.
    for round in 1..=3 {
        let t = Instant::now();
        let built = compose::build(&mut conn, &digests.schedule, digests.limits, week, &editors)?;
        let composed = t.elapsed();
        let t = Instant::now();
        let emails = digests.render(&mut conn, week, &editors)?;
        let rendered = t.elapsed();
        let bytes: usize = emails.iter().map(|e| e.text.len() + e.html.len()).sum();
        println!(
            "round {round}: figures for {} editors {:.2} s; figures + e-mails {:.2} s ({:.1} MiB of e-mail); quiet digests: {}",
            built.len(),
            composed.as_secs_f64(),
            rendered.as_secs_f64(),
            bytes as f64 / 1_048_576.0,
            built.iter().filter(|d| d.is_quiet()).count()
        );
    }
    let t = Instant::now();
    let q = digests.enqueue_week(&mut conn, week, Utc::now())?;
    println!(
        "enqueue_week (figures, e-mails, outbox inserts): {} queued in {:.2} s",
        q.queued,
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let q = digests.enqueue_week(&mut conn, week, Utc::now())?;
    println!(
        "enqueue_week again (all queued already): {} queued, {} already, {:.3} s",
        q.queued,
        q.already,
        t.elapsed().as_secs_f64()
    );
    Ok(())
}
