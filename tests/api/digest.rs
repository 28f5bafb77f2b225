//! The weekly digest: due at the configured local moment (asked of the scheduler's own function
//! with chosen instants), queued once per editor and week whatever restarts or instances, sent
//! through a real SMTP receiver, and saying the right things about a fixture week built through
//! the public API.

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Days, NaiveTime, Utc};
use flagpole::config::{DatabaseTarget, Settings};
use flagpole::db::articles::KnownArticles;
use flagpole::db::editors::Editor;
use flagpole::db::DbConn;
use flagpole::digest::{compose, Digest, Digests, IsoWeek};
use flagpole::domain::{ArticleUrl, Category, ReportStatus, SiteRules};
use serde_json::{json, Value};
use tokio::sync::Notify;

use crate::each_backend;
use crate::helpers::{
    article, fresh_postgres_schema, postgres_url, spawn_app, test_settings, Backend, TestApp,
};
use crate::smtp::SmtpServer;

/// Settings for a fresh, migrated database of its own: a SQLite file in `dir` or a new
/// PostgreSQL schema.
fn fresh_database(backend: Backend, dir: &Path) -> Settings {
    let mut settings = test_settings();
    settings.database.url = match backend {
        Backend::Sqlite => DatabaseTarget::Sqlite(dir.join("flagpole.db")),
        Backend::Postgres => fresh_postgres_schema().parse().expect("a PostgreSQL URL"),
    };
    settings.server.public_url = feedback_site();
    let mut conn = open(&settings);
    conn.run_migrations().expect("migrations");
    // An installation that has been running for years; the test of new installations moves it.
    installed_at(&mut conn, "2020-01-06T00:00:00Z");
    settings
}

/// Makes this database look installed at `at`: its first migration's time, as diesel records it
/// (on PostgreSQL a plain timestamp in the session's time zone).
fn installed_at(conn: &mut DbConn, at: &str) {
    let at = utc(at).naive_utc().format("%Y-%m-%d %H:%M:%S");
    let sql = match conn {
        DbConn::Sqlite(_) => format!("UPDATE __diesel_schema_migrations SET run_on = '{at}'"),
        DbConn::Postgres(_) => format!(
            "UPDATE __diesel_schema_migrations \
             SET run_on = (TIMESTAMPTZ '{at}+00') AT TIME ZONE current_setting('TimeZone')"
        ),
    };
    flagpole::with_conn!(conn, |c| diesel::RunQueryDsl::execute(
        diesel::sql_query(&sql),
        c
    ))
    .expect("backdate the installation");
}

fn open(settings: &Settings) -> DbConn {
    flagpole::db::open(&settings.database.url).expect("open")
}

fn feedback_site() -> url::Url {
    "https://feedback.example.org".parse().unwrap()
}

fn add_editor(conn: &mut DbConn, email: &str, owns: &[&str], wants_digest: bool) -> Editor {
    let owns: Vec<String> = owns.iter().map(|s| s.to_string()).collect();
    let new = flagpole::editors::new_editor(email, email, false, &owns, true, wants_digest)
        .expect("valid editor");
    flagpole::db::editors::add(conn, &new, flagpole::db::now()).expect("add editor");
    flagpole::db::editors::by_email(conn, email)
        .expect("read editor")
        .expect("editor")
}

fn digests(settings: &Settings) -> Digests {
    Digests::from_settings(settings, Arc::new(Notify::new()))
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn week(s: &str) -> IsoWeek {
    s.parse().unwrap()
}

/// The dedupe keys of every queued digest, sorted.
fn queued_keys(conn: &mut DbConn) -> Vec<String> {
    let mut keys: Vec<String> = flagpole::db::outbox::list(conn, None, 1000)
        .unwrap()
        .into_iter()
        .filter(|r| r.kind == flagpole::domain::MailKind::Digest)
        .filter_map(|r| r.dedupe_key)
        .collect();
    keys.sort();
    keys
}

fn keys_for(week: &str, editors: &[&Editor]) -> Vec<String> {
    let mut keys: Vec<String> = editors
        .iter()
        .map(|e| format!("digest:{week}:{}", e.id))
        .collect();
    keys.sort();
    keys
}

/// Runs blocking database work off the test's async workers.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.expect("blocking task")
}

async fn due_at_0800_london_time_on_monday_in_winter_and_summer(backend: Backend) {
    blocking(move || {
        let dir = tempfile::tempdir().unwrap();
        let settings = fresh_database(backend, dir.path());
        assert_eq!(settings.digest.time_zone, chrono_tz::Europe::London);
        let mut conn = open(&settings);
        let a = add_editor(&mut conn, "a@example.org", &[], true);
        let b = add_editor(&mut conn, "b@example.org", &["localhost/medicines"], true);
        add_editor(&mut conn, "no-digest@example.org", &[], false);
        let gone = add_editor(&mut conn, "gone@example.org", &[], true);
        flagpole::db::editors::set_active(&mut conn, &gone.email, false, flagpole::db::now())
            .unwrap();
        let d = digests(&settings);
        let mut enqueue = |at: &str| {
            d.enqueue_due(&mut conn, utc(at))
                .expect("enqueue")
                .expect("a week after the installation")
        };

        // Winter (GMT): 08:00 London is 08:00 UTC. At 07:59:59 on Monday 12 January the week
        // before last (W01) is still the one due; week 2 is not.
        let (w, q) = enqueue("2026-01-12T07:59:59Z");
        assert_eq!((w, q.queued, q.already), (week("2026-W01"), 2, 0));
        let (w, q) = enqueue("2026-01-12T08:00:00Z");
        assert_eq!((w, q.queued, q.already), (week("2026-W02"), 2, 0));
        // Every later check that week (and a restarted scheduler: it keeps nothing in memory)
        // finds them queued.
        let (w, q) = enqueue("2026-01-12T08:01:00Z");
        assert_eq!((w, q.queued, q.already), (week("2026-W02"), 0, 2));
        let (_, q) = digests(&settings)
            .enqueue_due(&mut open(&settings), utc("2026-01-14T12:00:00Z"))
            .unwrap()
            .unwrap();
        assert_eq!((q.queued, q.already), (0, 2));

        // Summer (BST): 08:00 London is 07:00 UTC.
        let (w, _) = enqueue("2026-06-15T06:59:59Z");
        assert_eq!(w, week("2026-W23"));
        let (w, q) = enqueue("2026-06-15T07:00:00Z");
        assert_eq!((w, q.queued), (week("2026-W24"), 2));

        // Missed: nothing ran at 07:00 UTC on Monday 22 June. The next check, the next day,
        // still finds week 25 due and queues it.
        let (w, q) = enqueue("2026-06-23T15:30:00Z");
        assert_eq!((w, q.queued), (week("2026-W25"), 2));

        let mut expected = Vec::new();
        for w in ["2026-W01", "2026-W02", "2026-W23", "2026-W24", "2026-W25"] {
            expected.extend(keys_for(w, &[&a, &b]));
        }
        expected.sort();
        assert_eq!(queued_keys(&mut conn), expected);
    })
    .await
}
each_backend!(due_at_0800_london_time_on_monday_in_winter_and_summer);

/// Several instances racing on the same week: one row per editor.
async fn racing_schedulers_queue_one_digest_per_editor(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let settings = blocking({
        let dir = dir.path().to_path_buf();
        move || {
            let settings = fresh_database(backend, &dir);
            let mut conn = open(&settings);
            for i in 0..12 {
                add_editor(&mut conn, &format!("e{i}@example.org"), &[], true);
            }
            settings
        }
    })
    .await;
    let racers: Vec<_> = (0..4)
        .map(|_| {
            let settings = settings.clone();
            tokio::task::spawn_blocking(move || {
                digests(&settings)
                    .enqueue_week(&mut open(&settings), week("2026-W47"), Utc::now())
                    .expect("enqueue")
            })
        })
        .collect();
    let mut queued = 0;
    for r in racers {
        let q = r.await.unwrap();
        assert_eq!(q.queued + q.already, 12);
        queued += q.queued;
    }
    assert_eq!(queued, 12);
    let keys = blocking(move || queued_keys(&mut open(&settings))).await;
    assert_eq!(keys.len(), 12);
}
each_backend!(racing_schedulers_queue_one_digest_per_editor);

/// `flagpole serve` on an existing database, with the digest scheduler on.
async fn serve(settings: &Settings, smtp: &SmtpServer) -> TestApp {
    let (url, port) = (settings.database.url.clone(), smtp.port);
    let backend = match url {
        DatabaseTarget::Postgres(_) => Backend::Postgres,
        DatabaseTarget::Sqlite(_) => Backend::Sqlite,
    };
    spawn_app(backend, move |s| {
        s.database.url = url;
        s.smtp.port = port;
        s.server.public_url = feedback_site();
        s.digest.enabled = true;
    })
    .await
}

/// The server was down at the moment: the digest goes out when it starts, once, also after a
/// restart; its List-Unsubscribe link turns the digest off and leaves alerts on.
async fn a_missed_digest_is_sent_on_start_once(backend: Backend) {
    let smtp = SmtpServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let settings = blocking({
        let dir = dir.path().to_path_buf();
        move || {
            let settings = fresh_database(backend, &dir);
            let mut conn = open(&settings);
            add_editor(&mut conn, "ed@example.org", &["localhost/medicines"], true);
            add_editor(&mut conn, "all@example.org", &[], true);
            add_editor(&mut conn, "quiet@example.org", &[], false);
            settings
        }
    })
    .await;
    let due = digests(&settings).schedule.due_week(Utc::now());

    let app = serve(&settings, &smtp).await;
    let mail = smtp.wait_for(2).await;
    let mut to: Vec<String> = mail.iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    assert_eq!(to, ["all@example.org", "ed@example.org"]);
    let m = mail.iter().find(|m| m.to == ["ed@example.org"]).unwrap();
    assert!(
        m.subject()
            .starts_with(&format!("Weekly digest for {due}: ")),
        "{}",
        m.subject()
    );
    assert_eq!(
        m.header("Message-ID").unwrap(),
        format!("<digest.{due}.1@feedback.example.org>")
    );
    let text = m.text();
    assert!(
        text.contains("Covering articles under localhost/medicines."),
        "{text}"
    );
    assert!(
        text.contains("Everything in flagpole: https://feedback.example.org/dashboard"),
        "{text}"
    );
    assert!(m
        .html()
        .contains("href=\"https://feedback.example.org/dashboard\""));
    let unsubscribe = m.header("List-Unsubscribe").unwrap();
    assert!(unsubscribe.ends_with("?list=digest>"), "{unsubscribe}");
    assert!(
        text.contains(unsubscribe.trim_matches(['<', '>'])),
        "{text}"
    );

    // A restart (another instance on the same database) sends nothing more.
    let again = serve(&settings, &smtp).await;
    assert_eq!(smtp.settle().await.len(), 2);

    // One-click unsubscribe from the digest, as a mail client sends it.
    let path = unsubscribe
        .trim_matches(['<', '>'])
        .trim_start_matches("https://feedback.example.org")
        .to_string();
    let r = again
        .post_raw(
            &path,
            "application/x-www-form-urlencoded",
            b"List-Unsubscribe=One-Click".to_vec(),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("no longer receive the weekly digest"));
    let (ed, q) = blocking(move || {
        let mut conn = open(&settings);
        let q = digests(&settings)
            .enqueue_week(&mut conn, week("2030-W10"), Utc::now())
            .unwrap();
        let ed = flagpole::db::editors::by_email(&mut conn, "ed@example.org")
            .unwrap()
            .unwrap();
        (ed, q)
    })
    .await;
    assert!(!ed.wants_digest && ed.wants_alerts);
    assert_eq!(q.queued, 1, "only all@ still receives it");
    drop(app);
}
each_backend!(a_missed_digest_is_sent_on_start_once);

/// Two `serve` instances starting together on one PostgreSQL database: one digest per editor.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_postgresql_send_one_digest_per_editor() {
    if postgres_url().is_none() {
        return;
    }
    let smtp = SmtpServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let settings = blocking({
        let dir = dir.path().to_path_buf();
        move || {
            let settings = fresh_database(Backend::Postgres, &dir);
            let mut conn = open(&settings);
            for i in 0..8 {
                add_editor(&mut conn, &format!("e{i}@example.org"), &[], true);
            }
            settings
        }
    })
    .await;
    let (a, b) = tokio::join!(serve(&settings, &smtp), serve(&settings, &smtp));
    smtp.wait_for(8).await;
    let mail = smtp.settle().await;
    let mut to: Vec<String> = mail.iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    to.dedup();
    assert_eq!((mail.len(), to.len()), (8, 8));
    drop((a, b));
}

// ---------------------------------------------------------------------------------------------
// The figures, against a fixture week built through the public API.

struct Fixture {
    app: TestApp,
    token: String,
    week: IsoWeek,
    start: DateTime<Utc>,
}

impl Fixture {
    async fn vote(&self, reader: &str, url: &str, title: &str, helpful: bool) {
        let r = self
            .app
            .post_json_as(
                reader,
                "/api/v1/votes",
                &json!({"article_url": url, "helpful": helpful, "title": title}),
            )
            .await;
        assert_eq!(r.status(), 201);
    }

    /// `helpful` "Yes" and then "No" votes, to `total`.
    async fn votes(&self, tag: &str, url: &str, title: &str, total: usize, helpful: usize) {
        for i in 0..total {
            self.vote(&format!("{tag}-{i}"), url, title, i < helpful)
                .await;
        }
    }

    /// A report by a reader of its own (the open-reports rule counts readers).
    async fn report(&self, url: &str, category: &str, quote: &str) -> Value {
        let r = self
            .app
            .post_json_as(
                &format!("reader of {quote}"),
                "/api/v1/reports",
                &json!({"article_url": url, "category": category, "quote": quote,
                        "details": "Reader details"}),
            )
            .await;
        assert_eq!(r.status(), 201);
        r.json().await.unwrap()
    }

    /// Marks a report resolved; returns (reported, resolved) as the API shows them.
    async fn resolve(&self, id: i64) -> (DateTime<Utc>, DateTime<Utc>) {
        let r = self
            .app
            .patch_report(&self.token, id, &json!({"status": "resolved"}))
            .await;
        assert_eq!(r.status(), 200);
        let body: Value = r.json().await.unwrap();
        let at = |k: &str| utc(body[k].as_str().unwrap_or_else(|| panic!("{k}: {body}")));
        (at("created_at"), at("closed_at"))
    }

    /// Feedback from before this week. The API stamps feedback with the current time, so earlier
    /// feedback goes in through the same database functions the writer uses, with an explicit
    /// time.
    async fn earlier(&self, at: DateTime<Utc>, url: &str, what: Earlier) -> i64 {
        let settings = self.app.settings.clone();
        let url = url.to_string();
        blocking(move || {
            let rules = SiteRules {
                allowed_hosts: settings.sites.allowed_hosts.clone(),
                tracking_params: vec![],
                query_params: vec![],
            };
            let article = ArticleUrl::canonicalise(&url, &rules).unwrap();
            let key = format!("earlier-{}", rand::random::<u64>());
            let at = at.naive_utc();
            let mut conn = open(&settings);
            conn.write_tx(|c| {
                let article_id = flagpole::db::articles::find_or_create(
                    c,
                    &mut KnownArticles::default(),
                    &article,
                    None,
                    None,
                    &flagpole::domain::ReviewPolicies::default(),
                    at,
                )?;
                match what {
                    Earlier::Vote(helpful) => {
                        let mut added = flagpole::db::votes::VotesAdded::default();
                        let vote = flagpole::domain::NewVote {
                            article,
                            title: None,
                            revision: None,
                            helpful,
                            reasons: vec![],
                            comment: None,
                            visitor_key: flagpole::domain::VisitorKey::from_hex(key.clone())
                                .expect("key"),
                            address_key: flagpole::domain::VisitorKey::from_hex(key).expect("key"),
                            submission_key: None,
                        };
                        let stored = flagpole::db::votes::record_all(
                            c,
                            &[(article_id, &vote)],
                            at,
                            &mut added,
                        )?;
                        added.store(c, at)?;
                        Ok(stored[0].vote_id)
                    }
                    Earlier::Report(category, quote) => flagpole::db::reports::record(
                        c,
                        article_id,
                        &flagpole::domain::NewReport {
                            article,
                            title: None,
                            revision: None,
                            category,
                            quote: Some(quote.to_string()),
                            details: None,
                            email: None,
                            status: ReportStatus::New,
                            lane: flagpole::domain::Lane::Queue,
                            lane_reasons: flagpole::domain::LaneReasons(Vec::new()),
                            fingerprint: None,
                            lang: None,
                            visitor_key: flagpole::domain::VisitorKey::from_hex(key).expect("key"),
                            submission_key: None,
                        },
                        at,
                    )
                    .map(|r| r.report_id),
                }
            })
            .expect("earlier feedback")
        })
        .await
    }

    /// The ids of these articles in the API's attention order (articles with open reports).
    async fn attention_order(&self, urls: &[&str]) -> Vec<i64> {
        let page = self
            .app
            .get_json(
                &self.token,
                "/api/v1/articles?sort=attention&status=open&limit=50",
            )
            .await;
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| urls.contains(&i["url"].as_str().unwrap()))
            .map(|i| i["id"].as_i64().unwrap())
            .collect()
    }

    async fn earlier_votes(&self, at: DateTime<Utc>, url: &str, total: usize, helpful: usize) {
        for i in 0..total {
            self.earlier(at, url, Earlier::Vote(i < helpful)).await;
        }
    }

    async fn digests_for(
        &self,
        emails: &[&str],
    ) -> Vec<(Digest, flagpole::mail::templates::Email)> {
        let settings = self.app.settings.clone();
        let emails: Vec<String> = emails.iter().map(|s| s.to_string()).collect();
        let week = self.week;
        blocking(move || {
            let mut conn = open(&settings);
            let editors: Vec<Editor> = emails
                .iter()
                .map(|e| {
                    flagpole::db::editors::by_email(&mut conn, e)
                        .unwrap()
                        .unwrap()
                })
                .collect();
            let d = digests(&settings);
            let figures = compose::build(&mut conn, &d.schedule, d.limits, week, &editors).unwrap();
            let emails = d.render(&mut conn, week, &editors).unwrap();
            figures.into_iter().zip(emails).collect()
        })
        .await
    }
}

enum Earlier {
    Vote(bool),
    Report(Category, &'static str),
}

fn percent(helpful: i64, total: i64) -> String {
    format!("{:.0} %", helpful as f64 * 100.0 / total as f64)
}

fn median(mut values: Vec<i64>) -> i64 {
    values.sort();
    values[values.len() / 2]
}

async fn the_figures_match_a_fixture_week(backend: Backend) {
    let app = spawn_app(backend, |s| {
        s.server.public_url = feedback_site();
        s.digest.time_zone = chrono_tz::UTC;
    })
    .await;
    let token = app.token("t").await;
    let now = Utc::now();
    let week = IsoWeek::containing(now.date_naive());
    let start = week.monday().and_time(NaiveTime::MIN).and_utc();
    let f = Fixture {
        app,
        token,
        week,
        start,
    };
    let before = f.start - Days::new(2);
    for (email, owns) in [
        ("med@example.org", vec!["localhost/medicines"]),
        ("all@example.org", vec![]),
        ("ip@example.org", vec!["127.0.0.1"]),
        ("none@example.org", vec!["localhost/nothing-here"]),
    ] {
        f.app.add_editor(email, &owns).await;
    }
    let a = article("/medicines/a");
    let b = article("/medicines/b");
    let c = article("/medicines-old/c");
    let d = article("/conditions/d");
    let x = "http://127.0.0.1/x".to_string();

    // Votes: (this week: total, helpful), (the week before: total, helpful).
    f.votes("a", &a, "Aspirin <i>daily</i>", 12, 4).await;
    f.earlier_votes(before, &a, 12, 10).await;
    f.earlier_votes(f.start - Days::new(9), &a, 5, 5).await; // two weeks back: not counted
    f.votes("b", &b, "Bisoprolol", 10, 4).await;
    f.earlier_votes(before, &b, 10, 5).await;
    f.votes("c", &c, "Codeine (old section)", 3, 3).await;
    f.votes("d", &d, "Diabetes", 15, 5).await;
    f.earlier_votes(before, &d, 9, 9).await; // too few votes the week before to be a drop
    f.votes("x", &x, "Xanthoma", 2, 0).await;

    // Reports. The oldest open one is from the week before, on B.
    let old_open = f
        .earlier(
            // Outside the 14-day window of the open-reports alert rule.
            f.start - Days::new(20),
            &b,
            Earlier::Report(Category::Outdated, "<img src=x onerror=alert(1)>"),
        )
        .await;
    f.report(&a, "inaccurate", "first").await;
    f.report(&a, "inaccurate", "second").await;
    let harmful = f
        .report(&a, "harmful", "<script>alert('dose')</script>")
        .await;
    f.report(&b, "typo", "teh").await;
    f.report(&c, "outdated", "old").await;
    f.report(&d, "unclear", "what").await;
    f.report(&x, "other", "x").await;
    let spam = f
        .app
        .post_json(
            "/api/v1/reports",
            &json!({"article_url": a, "category": "harmful", "website": "bot"}),
        )
        .await;
    assert_eq!(spam.status(), 201);
    // Resolved this week: one reported the week before, one earlier this week, one just now.
    let elapsed = now - f.start;
    let resolved_ids = [
        f.earlier(
            f.start - Days::new(1),
            &a,
            Earlier::Report(Category::Inaccurate, "last week"),
        )
        .await,
        f.earlier(
            f.start + elapsed / 2,
            &a,
            Earlier::Report(Category::Typo, "midweek"),
        )
        .await,
        f.report(&b, "broken_link", "404").await["report_id"]
            .as_i64()
            .unwrap(),
    ];
    let mut durations = Vec::new();
    for id in resolved_ids {
        let (reported, resolved) = f.resolve(id).await;
        assert!(resolved >= f.start);
        durations.push((resolved - reported).num_seconds());
    }

    let (a_id, b_id) = (
        f.attention_order(&[&a]).await[0],
        f.attention_order(&[&b]).await[0],
    );

    let built = f
        .digests_for(&[
            "med@example.org",
            "all@example.org",
            "ip@example.org",
            "none@example.org",
        ])
        .await;
    let (med, med_mail) = &built[0];
    let (all, _) = &built[1];
    let (ip, ip_mail) = &built[2];
    let (none, none_mail) = &built[3];

    // Votes against the week before.
    let votes = |d: &Digest| {
        (
            d.votes.total(),
            d.votes.helpful,
            d.votes_before.total(),
            d.votes_before.helpful,
        )
    };
    assert_eq!(votes(med), (12 + 10, 4 + 4, 12 + 10, 10 + 5));
    assert_eq!(
        votes(all),
        (12 + 10 + 3 + 15 + 2, 4 + 4 + 3 + 5, 12 + 10 + 9, 10 + 5 + 9)
    );
    assert_eq!(votes(ip), (2, 0, 0, 0));

    // New reports by category: spam and last week's left out.
    assert_eq!(
        med.new_reports,
        vec![
            (Category::Inaccurate, 2),
            (Category::Harmful, 1),
            (Category::BrokenLink, 1),
            (Category::Typo, 2),
        ]
    );
    assert_eq!(all.new_reports_total(), 6 + 3);
    assert_eq!(ip.new_reports, vec![(Category::Other, 1)]);

    // Most in need of attention: the API's attention order, cut to the editor's articles.
    let med_attention: Vec<i64> = med.attention.iter().map(|i| i.article.id).collect();
    assert_eq!(med_attention, f.attention_order(&[&a, &b]).await);
    assert_eq!(med_attention[0], a_id, "the harmful report comes first");
    let all_attention: Vec<i64> = all.attention.iter().map(|i| i.article.id).collect();
    assert_eq!(
        all_attention,
        f.attention_order(&[&a, &b, &c, &d, &x]).await
    );

    // Biggest drops: A 83 % → 33 %, B 50 % → 40 %; D had too few votes the week before.
    let drops: Vec<i64> = all.drops.iter().map(|i| i.article.id).collect();
    assert_eq!(drops, vec![a_id, b_id]);
    assert_eq!(
        (all.drops[0].before.total(), all.drops[0].before.helpful),
        (12, 10)
    );
    assert_eq!(
        (all.drops[0].after.total(), all.drops[0].after.helpful),
        (12, 4)
    );
    assert!(ip.drops.is_empty());

    // Oldest unresolved: last week's report on B, then this week's in the order they came.
    assert_eq!(med.open_total, 5);
    assert_eq!(med.oldest_open[0].report_id, old_open);
    assert_eq!(med.oldest_open.len(), 5);
    assert_eq!(all.open_total, 8);

    // Resolved this week, and the median time it took.
    assert_eq!(med.resolved, 3);
    assert_eq!(
        med.median_time_to_resolve.map(|m| m.num_seconds()),
        Some(median(durations))
    );
    assert_eq!(ip.resolved, 0);

    // Alerts: the harmful report crossed "harmful" and, as the third open report on A,
    // "open-reports".
    let mut rules: Vec<&str> = med.alerts.iter().map(|a| a.rule.as_str()).collect();
    rules.sort();
    assert_eq!(rules, ["harmful", "open-reports"]);
    assert!(med.alerts.iter().all(|a| a.article.id == a_id));
    assert_eq!(ip.alerts_total, 0);

    // The e-mail says so.
    let text = &med_mail.text;
    assert_eq!(
        med_mail.subject,
        format!("Weekly digest for {week}: 22 votes, 6 new reports (1 could cause harm)")
    );
    let votes_line = format!(
        "Votes: 22 (8 helpful, {}); the week before: 22 (15 helpful, {}).",
        percent(8, 22),
        percent(15, 22)
    );
    assert!(text.contains(&votes_line), "{text}");
    assert!(
        text.contains("New reports: 6 (2 inaccurate, 1 could cause harm, 1 broken link, 2 typo)."),
        "{text}"
    );
    assert!(
        text.contains("Resolved: 3 reports, median time to resolve"),
        "{text}"
    );
    assert!(text.contains("Alerts: 2 sent."), "{text}");
    assert!(
        text.contains(&format!(
            "https://feedback.example.org/dashboard/articles/{a_id}"
        )),
        "{text}"
    );
    assert!(
        text.contains("83 % → 33 % helpful (12 votes, then 12)"),
        "{text}"
    );
    assert!(text.contains("> <img src=x onerror=alert(1)>"), "{text}");
    assert!(
        !text.contains("Codeine") && !text.contains("Diabetes"),
        "{text}"
    );
    assert!(ip_mail
        .text
        .contains("Votes: 2 (0 helpful, 0 %); the week before: none."));

    // Reader text is escaped and marked in the HTML.
    let html = &med_mail.html;
    assert!(!html.contains("<script>alert"), "{html}");
    assert!(!html.contains("<img src=x"), "{html}");
    assert!(!html.contains("<i>daily</i>"), "{html}");
    assert!(
        html.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "{html}"
    );
    assert!(html.contains("Passage (reader text):"), "{html}");
    assert!(html.contains(&format!(
        "href=\"https://feedback.example.org/dashboard/articles/{a_id}\""
    )));
    assert!(harmful["report_id"].is_i64());

    // An editor whose articles had nothing: one line.
    assert!(none.is_quiet());
    assert!(
        none_mail.text.contains(
            "A quiet week: no new votes, reports or alerts on these articles, and no report is waiting."
        ),
        "{}",
        none_mail.text
    );
    assert!(!none_mail.text.contains("Most in need of attention"));
    assert!(!none_mail.html.contains("<table"));

    // `flagpole digest preview` prints the same digest.
    if backend == Backend::Sqlite {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_flagpole"))
            .args([
                "digest",
                "preview",
                "--week",
                &week.to_string(),
                "--editor",
                "MED@example.org",
            ])
            .env(
                "FLAGPOLE__DATABASE__URL",
                f.app.settings.database.url.expose_url(),
            )
            .env("FLAGPOLE__DIGEST__TIME_ZONE", "UTC")
            .env(
                "FLAGPOLE__SERVER__PUBLIC_URL",
                "https://feedback.example.org",
            )
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            stdout.starts_with("To: med@example.org <med@example.org>\nSubject: "),
            "{stdout}"
        );
        assert!(stdout.contains(&votes_line), "{stdout}");
        let bad = std::process::Command::new(env!("CARGO_BIN_EXE_flagpole"))
            .args(["digest", "preview", "--week", "2026-W99"])
            .env(
                "FLAGPOLE__DATABASE__URL",
                f.app.settings.database.url.expose_url(),
            )
            .output()
            .unwrap();
        assert_eq!(bad.status.code(), Some(64));
        assert!(String::from_utf8_lossy(&bad.stderr).contains("2026 has no week 99"));
    }
}
each_backend!(the_figures_match_a_fixture_week);

/// A new installation sends no digest for a week that ended before it was installed (it once
/// sent every editor "a quiet week" for last week, the moment it started on a Monday
/// afternoon). The week it was installed in is sent as usual, and an operator may still queue
/// an earlier week by naming it (`flagpole digest send --week`).
async fn no_digest_for_a_week_before_the_installation(backend: Backend) {
    blocking(move || {
        let dir = tempfile::tempdir().unwrap();
        let settings = fresh_database(backend, dir.path());
        let mut conn = open(&settings);
        // Monday 16 November 2026, 14:00 in London (GMT).
        installed_at(&mut conn, "2026-11-16T14:00:00Z");
        assert_eq!(
            conn.installed_at().unwrap().map(|at| at.and_utc()),
            Some(utc("2026-11-16T14:00:00Z"))
        );
        let a = add_editor(&mut conn, "a@example.org", &[], true);
        let b = add_editor(&mut conn, "b@example.org", &[], true);
        let d = digests(&settings);

        // Week 46 ended at midnight, before the installation: not due, however often asked.
        for at in [
            "2026-11-16T14:01:00Z",
            "2026-11-18T09:00:00Z",
            "2026-11-23T07:59:59Z",
        ] {
            assert_eq!(d.enqueue_due(&mut conn, utc(at)).unwrap(), None, "{at}");
        }
        assert!(queued_keys(&mut conn).is_empty());
        assert_eq!(
            d.installed_after(&mut conn, week("2026-W46")).unwrap(),
            Some(utc("2026-11-16T14:00:00Z"))
        );
        assert_eq!(
            d.installed_after(&mut conn, week("2026-W47")).unwrap(),
            None
        );

        // The first Monday after: week 47, the one it was installed in.
        let (w, q) = d
            .enqueue_due(&mut conn, utc("2026-11-23T08:00:00Z"))
            .unwrap()
            .expect("due");
        assert_eq!((w, q.queued), (week("2026-W47"), 2));
        // Named explicitly, an earlier week is queued.
        let q = d
            .enqueue_week(&mut conn, week("2026-W46"), utc("2026-11-23T09:00:00Z"))
            .unwrap();
        assert_eq!(q.queued, 2);
        let mut expected = keys_for("2026-W47", &[&a, &b]);
        expected.extend(keys_for("2026-W46", &[&a, &b]));
        expected.sort();
        assert_eq!(queued_keys(&mut conn), expected);
    })
    .await
}
each_backend!(no_digest_for_a_week_before_the_installation);

/// `flagpole digest send` on a database installed just now says why it queues nothing for the
/// week just ended; with `--week` it queues it.
#[test]
fn digest_send_skips_a_week_before_the_installation_unless_named() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_flagpole"))
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    run(&["migrate"]);
    run(&["editor", "add", "sam@example.org", "--name", "Sam"]);
    let settings = Settings::load(None).unwrap();
    let last_week = digests(&settings).schedule.week_just_ended(Utc::now());
    let said = run(&["digest", "send"]);
    assert!(
        said.starts_with(&format!(
            "nothing queued: {last_week} ended before flagpole was installed here ("
        )),
        "{said}"
    );
    let said = run(&["digest", "send", "--week", &last_week.to_string()]);
    assert_eq!(
        said.trim(),
        format!("queued 1 digests for {last_week} (0 queued already)")
    );
}
