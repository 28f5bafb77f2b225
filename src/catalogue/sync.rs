//! One catalogue run: sitemaps in, pages fetched and stored, a summary out. An error on one page
//! or one sitemap is recorded in the summary and the run goes on.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime};
use sha2::{Digest, Sha256};
use url::Url;

use super::fetch::Fetcher;
use super::page::{self, PageFacts};
use super::sitemap::{self, Entry, Sitemap};
use crate::config::Settings;
use crate::db::articles::{self, KnownArticles};
use crate::db::pages::{self, Page};
use crate::db::reviews::{self as review_store, NewReview};
use crate::db::{reports, Db, DbConn};
use crate::domain::passage;
use crate::domain::{
    ArticleUrl, PassageStatus, ReviewOutcome, ReviewPolicies, ReviewSource, SiteRules, UrlProblem,
};
use crate::errors::ApiError;

/// Sitemap indexes nest; a loop of them must end.
const MAX_INDEX_DEPTH: usize = 3;
/// Who reviewed, when a page gives `lastReviewed` without `reviewedBy`.
const UNNAMED_PAGE_REVIEWER: &str = "(the page)";

#[derive(Clone)]
pub struct Catalogue {
    db: Db,
    settings: Arc<Settings>,
    sites: Arc<SiteRules>,
    policies: Arc<ReviewPolicies>,
}

/// What happened to one page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Fetched for the first time.
    New { revision: String },
    /// Fetched, with a revision not seen before; `gone` reports' passages are no longer there.
    Changed { revision: String, gone: usize },
    /// Fetched; the same revision as before.
    Same,
    /// Not fetched: the sitemap's `<lastmod>` has not changed.
    Unchanged,
    /// Not fetched: not on an allowed host, or not a usable article URL.
    Skipped(String),
    /// Fetching or reading failed.
    Failed(String),
}

/// Progress, for the terminal or the log.
#[derive(Debug, Clone)]
pub enum Progress<'a> {
    Sitemap {
        url: &'a str,
        pages: usize,
    },
    SitemapFailed {
        url: &'a str,
        error: &'a str,
    },
    Page {
        n: usize,
        of: usize,
        url: &'a str,
        outcome: &'a Outcome,
    },
}

#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub sitemaps: usize,
    pub listed: usize,
    pub new: usize,
    pub changed: usize,
    pub same: usize,
    pub unchanged: usize,
    /// (URL, why) for pages not fetched.
    pub skipped: Vec<(String, String)>,
    /// (URL, error) for pages and sitemaps that failed.
    pub errors: Vec<(String, String)>,
    /// Open reports whose passage was no longer on a page with a new revision.
    pub passages_gone: usize,
}

impl Catalogue {
    pub fn new(
        db: Db,
        settings: Arc<Settings>,
        sites: Arc<SiteRules>,
        policies: Arc<ReviewPolicies>,
    ) -> Catalogue {
        Catalogue {
            db,
            settings,
            sites,
            policies,
        }
    }

    /// Whether any sitemap is configured.
    pub fn configured(&self) -> bool {
        !self.settings.sites.catalogue.is_empty()
    }

    /// Reads every configured sitemap and fetches what is new or changed.
    pub async fn sync(
        &self,
        progress: &mut (dyn FnMut(Progress) + Send),
    ) -> anyhow::Result<Summary> {
        let mut fetcher = Fetcher::new(&self.settings, self.sites.clone())?;
        let mut summary = Summary::default();
        let mut entries: Vec<Entry> = Vec::new();
        for s in &self.settings.sites.catalogue {
            self.read_sitemap(
                &mut fetcher,
                &s.sitemap,
                0,
                &mut entries,
                &mut summary,
                progress,
            )
            .await;
        }
        // A page listed twice (two sitemaps) is fetched once.
        let mut seen = std::collections::HashSet::new();
        entries.retain(|e| seen.insert(e.loc.clone()));
        summary.listed = entries.len();
        for (i, entry) in entries.iter().enumerate() {
            let outcome = self.page(&mut fetcher, entry).await;
            match &outcome {
                Outcome::New { .. } => summary.new += 1,
                Outcome::Changed { gone, .. } => {
                    summary.changed += 1;
                    summary.passages_gone += gone;
                }
                Outcome::Same => summary.same += 1,
                Outcome::Unchanged => summary.unchanged += 1,
                Outcome::Skipped(why) => summary.skipped.push((entry.loc.clone(), why.clone())),
                Outcome::Failed(e) => summary.errors.push((entry.loc.clone(), e.clone())),
            }
            progress(Progress::Page {
                n: i + 1,
                of: entries.len(),
                url: &entry.loc,
                outcome: &outcome,
            });
        }
        Ok(summary)
    }

    async fn read_sitemap(
        &self,
        fetcher: &mut Fetcher,
        url: &Url,
        depth: usize,
        entries: &mut Vec<Entry>,
        summary: &mut Summary,
        progress: &mut (dyn FnMut(Progress) + Send),
    ) {
        let max = self.settings.catalogue.max_sitemap_bytes;
        let read = match fetcher.get(url, max).await {
            Ok(bytes) => sitemap::parse(&bytes, max),
            Err(e) => Err(e.to_string()),
        };
        summary.sitemaps += 1;
        match read {
            Ok(Sitemap::Pages(pages)) => {
                progress(Progress::Sitemap {
                    url: url.as_str(),
                    pages: pages.len(),
                });
                entries.extend(pages);
            }
            Ok(Sitemap::Index(children)) if depth < MAX_INDEX_DEPTH => {
                progress(Progress::Sitemap {
                    url: url.as_str(),
                    pages: 0,
                });
                for child in children {
                    match url.join(&child) {
                        Ok(child) => {
                            Box::pin(self.read_sitemap(
                                fetcher,
                                &child,
                                depth + 1,
                                entries,
                                summary,
                                progress,
                            ))
                            .await
                        }
                        Err(e) => summary.errors.push((child, format!("not a URL ({e})"))),
                    }
                }
            }
            Ok(Sitemap::Index(_)) => {
                let error = format!("sitemap indexes nested more than {MAX_INDEX_DEPTH} deep");
                progress(Progress::SitemapFailed {
                    url: url.as_str(),
                    error: &error,
                });
                summary.errors.push((url.to_string(), error));
            }
            Err(error) => {
                progress(Progress::SitemapFailed {
                    url: url.as_str(),
                    error: &error,
                });
                summary.errors.push((url.to_string(), error));
            }
        }
    }

    async fn page(&self, fetcher: &mut Fetcher, entry: &Entry) -> Outcome {
        let article = match ArticleUrl::canonicalise(&entry.loc, &self.sites) {
            Ok(a) => a,
            Err(UrlProblem::HostNotAllowed(host)) => {
                return Outcome::Skipped(format!("{host} is not in sites.allowed_hosts"))
            }
            Err(UrlProblem::Invalid(why)) => return Outcome::Skipped(format!("the URL {why}")),
        };
        let url = article.url.clone();
        let known = match self.db.run(move |c| Ok(pages::known(c, &url)?)).await {
            Ok(k) => k,
            Err(e) => return Outcome::Failed(e.message),
        };
        if let (Some((_, Some(stored), _)), Some(lastmod)) = (&known, &entry.lastmod) {
            if stored == lastmod {
                return Outcome::Unchanged;
            }
        }
        let Ok(loc) = Url::parse(&entry.loc) else {
            return Outcome::Skipped("not a URL".into());
        };
        let body = match fetcher
            .get(&loc, self.settings.catalogue.max_page_bytes)
            .await
        {
            Ok(b) => b,
            Err(e) => return Outcome::Failed(e.to_string()),
        };
        let html = String::from_utf8_lossy(&body);
        let facts = page::read(&html, &loc);
        let revision = revision_of(&facts, self.settings.limits.max_revision_chars);
        let previous = known.map(|(_, _, revision)| revision);
        let (lastmod, policies) = (entry.lastmod.clone(), self.policies.clone());
        let stored = self
            .db
            .write(move |c| {
                store(
                    c,
                    &article,
                    &facts,
                    &revision,
                    lastmod,
                    &policies,
                    crate::db::now(),
                )
                .map(|gone| (revision, gone))
            })
            .await;
        match (stored, previous) {
            (Err(e), _) => Outcome::Failed(e.message),
            (Ok((revision, _)), None) => Outcome::New { revision },
            (Ok((revision, _)), Some(p)) if p == revision => Outcome::Same,
            (Ok((revision, gone)), Some(_)) => Outcome::Changed { revision, gone },
        }
    }
}

/// The page's revision: its `dateModified`, else a hash of its main text (so a changed text is a
/// new revision even on a site that does not say when it changed).
fn revision_of(facts: &PageFacts, max_chars: usize) -> String {
    match &facts.date_modified {
        Some(date) => date.chars().take(max_chars).collect(),
        None => {
            let hash = Sha256::digest(facts.main_text.as_bytes());
            format!("text:{}", &hex::encode(hash)[..16])
        }
    }
}

/// A schema.org date: a day (`2026-09-14`) or a date-time.
fn parse_date(raw: &str) -> Option<NaiveDateTime> {
    let raw = raw.trim();
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map(|d| d.and_time(NaiveTime::MIN))
        .ok()
        .or_else(|| {
            DateTime::parse_from_rfc3339(raw)
                .ok()
                .map(|t| t.naive_utc())
        })
        .or_else(|| {
            raw.get(..10)
                .and_then(|d| parse_date(d).filter(|_| raw.len() > 10))
        })
}

/// Stores one fetched page in one transaction: the article (created if new, with the revision),
/// the page, the page's own review, and the passage check of its open reports. Returns how many
/// open reports' passages are gone.
fn store(
    c: &mut DbConn,
    article: &ArticleUrl,
    facts: &PageFacts,
    revision: &str,
    lastmod: Option<String>,
    policies: &ReviewPolicies,
    now: NaiveDateTime,
) -> Result<usize, ApiError> {
    let id = articles::find_or_create(
        c,
        &mut KnownArticles::default(),
        article,
        facts.title.as_deref(),
        Some(revision),
        policies,
        now,
    )?;
    pages::store(
        c,
        &Page {
            article_id: id,
            sitemap_lastmod: lastmod,
            title: facts.title.clone(),
            canonical_url: facts.canonical_url.clone(),
            date_modified: facts.date_modified.clone(),
            last_reviewed: facts.last_reviewed.clone(),
            reviewed_by: facts.reviewed_by.clone(),
            revision: revision.to_string(),
            main_text: facts.main_text.clone(),
            fetched_at: now,
        },
    )?;
    if let Some(at) = facts.last_reviewed.as_deref().and_then(parse_date) {
        if at <= now && !review_store::page_review_known(c, id, at)? {
            review_store::insert(
                c,
                id,
                &NewReview {
                    reviewer: facts
                        .reviewed_by
                        .as_deref()
                        .unwrap_or(UNNAMED_PAGE_REVIEWER),
                    reviewed_at: at,
                    outcome: ReviewOutcome::NoChange,
                    note: None,
                    source: ReviewSource::Page,
                },
                now,
            )?;
            if let Some(a) = articles::get(c, id)? {
                review_store::refresh_article(c, &a, policies, now)?;
            }
        }
    }
    check_passages(c, id, &facts.main_text, revision)
}

/// Looks for each open report's quoted passage in the page's text; returns how many are gone.
fn check_passages(
    c: &mut DbConn,
    article_id: i64,
    text: &str,
    revision: &str,
) -> Result<usize, ApiError> {
    if text.is_empty() {
        return Ok(0);
    }
    let mut gone = 0;
    for (id, quote) in reports::open_quoted(c, article_id)? {
        let status = match passage::on_page(&quote, text) {
            Some(true) => PassageStatus::OnPage,
            Some(false) => {
                gone += 1;
                PassageStatus::Gone
            }
            None => continue,
        };
        reports::set_passage(c, id, status, revision)?;
    }
    Ok(gone)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_dates_and_revisions() {
        assert_eq!(
            parse_date("2026-09-14").map(|d| d.to_string()).as_deref(),
            Some("2026-09-14 00:00:00")
        );
        assert_eq!(
            parse_date("2026-09-14T10:00:00+02:00")
                .map(|d| d.to_string())
                .as_deref(),
            Some("2026-09-14 08:00:00")
        );
        assert_eq!(
            parse_date("2026-09-14T10:00")
                .map(|d| d.to_string())
                .as_deref(),
            Some("2026-09-14 00:00:00"),
            "a date-time without a zone counts by its day"
        );
        assert_eq!(parse_date("last week"), None);
        let mut facts = PageFacts {
            main_text: "Some text".into(),
            ..PageFacts::default()
        };
        assert!(revision_of(&facts, 100).starts_with("text:"));
        facts.date_modified = Some("2026-10-01".into());
        assert_eq!(revision_of(&facts, 100), "2026-10-01");
    }
}
