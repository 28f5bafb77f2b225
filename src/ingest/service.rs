//! The ingest service: a reader's vote or report, checked (`validate`), keyed to the reader for
//! the day (`visitor`) and stored through the group-commit writer (`writer`), which evaluates the
//! alert rules in the same transaction. The JSON endpoints and the HTML form fallbacks both call
//! it, so a vote is the same vote whichever way it arrived.

use std::net::IpAddr;
use std::sync::Arc;

use crate::config::Settings;
use crate::db::reports::ReportOutcome;
use crate::db::votes::VoteOutcome;
use crate::domain::SiteRules;
use crate::errors::ApiError;
use crate::http::rate::RateLimits;

use super::validate::{ReportRequest, Validator, Verdict, VoteRequest};
use super::visitor::Visitors;
use super::writer::Writer;
use crate::lanes::Sorter;

/// Who is submitting, as far as the visitor key needs: never stored as such.
#[derive(Debug, Clone)]
pub struct Reader {
    pub ip: IpAddr,
    pub user_agent: String,
}

/// What became of a vote.
#[derive(Debug, Clone, Copy)]
pub enum VoteResult {
    Stored(VoteOutcome),
    /// The honeypot was filled: nothing stored.
    Discarded,
    /// The reader's address gave the article its day's share of counted votes already: nothing
    /// stored (the answer does not say why, so a stuffer learns nothing).
    NotCounted,
}

pub struct Ingest {
    settings: Arc<Settings>,
    sites: Arc<SiteRules>,
    sorter: Arc<Sorter>,
    writer: Writer,
    visitors: Visitors,
    /// Per client address; None when `limits.rate_limit_enabled` is off (benchmarks).
    rate_limits: Option<RateLimits<IpAddr>>,
}

impl Ingest {
    pub fn new(
        settings: Arc<Settings>,
        sites: Arc<SiteRules>,
        sorter: Arc<Sorter>,
        writer: Writer,
        visitors: Visitors,
    ) -> Ingest {
        let limits = &settings.limits;
        let rate_limits = limits
            .rate_limit_enabled
            .then(|| RateLimits::per_minute(limits.per_minute, limits.burst));
        Ingest {
            settings,
            sites,
            sorter,
            writer,
            visitors,
            rate_limits,
        }
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn sites(&self) -> &SiteRules {
        &self.sites
    }

    /// Admits one more submission from this address, or says how long to wait.
    pub fn admit(&self, ip: IpAddr) -> Result<(), ApiError> {
        match &self.rate_limits {
            Some(limits) => limits.check(&super::visitor::network(ip)).map_err(|wait| {
                metrics::counter!("flagpole_rate_limited_total").increment(1);
                ApiError::rate_limited(wait.as_secs_f64().ceil() as u64)
            }),
            None => Ok(()),
        }
    }

    /// Forgets the rate-limit buckets of addresses that are quiet again (run every minute).
    pub fn forget_idle(&self) {
        if let Some(limits) = &self.rate_limits {
            limits.forget_idle();
        }
    }

    fn validator(&self) -> Validator<'_> {
        Validator {
            settings: &self.settings,
            sorter: &self.sorter,
            sites: &self.sites,
        }
    }

    /// Validates and stores a vote; returns once it is committed.
    pub async fn vote(
        &self,
        reader: &Reader,
        request: VoteRequest,
    ) -> Result<VoteResult, ApiError> {
        let result = async {
            let seed = self.visitors.seed(reader).await?;
            let (vote, verdict) = self.validator().vote(request, &seed)?;
            if verdict == Verdict::Honeypot {
                return Ok(VoteResult::Discarded);
            }
            Ok(match self.writer.vote(vote).await? {
                Some(outcome) => VoteResult::Stored(outcome),
                None => VoteResult::NotCounted,
            })
        }
        .await;
        match &result {
            Ok(VoteResult::Stored(o)) => {
                let label = if o.created { "created" } else { "replaced" };
                metrics::counter!("flagpole_votes_total", "result" => label).increment(1);
            }
            Ok(VoteResult::Discarded) => {
                metrics::counter!("flagpole_votes_total", "result" => "honeypot").increment(1)
            }
            Ok(VoteResult::NotCounted) => {
                metrics::counter!("flagpole_votes_total", "result" => "over_cap").increment(1)
            }
            Err(e) => refused("vote", e),
        }
        result
    }

    /// Validates, sorts into its lane and stores a report; returns once it is committed, with
    /// the signposting the reader should see (when they asked for personal advice or described
    /// an emergency). Every lane is stored; only the queue counts.
    pub async fn report(
        &self,
        reader: &Reader,
        request: ReportRequest,
    ) -> Result<(ReportOutcome, Option<String>), ApiError> {
        let result = async {
            let seed = self.visitors.seed(reader).await?;
            let (report, signpost) = self.validator().report(request, &seed)?;
            let lane = report.lane;
            let text = signpost
                .then(|| self.signposting(&report.article.host, report.lang.as_deref()))
                .flatten();
            Ok((self.writer.report(report).await?, lane, text))
        }
        .await;
        match &result {
            Ok((_, lane, _)) => {
                metrics::counter!("flagpole_reports_total", "lane" => lane.as_str()).increment(1)
            }
            Err(e) => refused("report", e),
        }
        result.map(|(outcome, _, text)| (outcome, text))
    }

    /// The site's signposting for an article host and page language: the most specific entry
    /// (a named host over `*`, the page's language over its primary language over `*`).
    pub fn signposting(&self, host: &str, lang: Option<&str>) -> Option<String> {
        let lang = lang.map(str::to_ascii_lowercase);
        let primary = lang.as_deref().map(super::validate::primary_language);
        self.settings
            .lanes
            .signposting
            .iter()
            .filter_map(|s| {
                let host_rank = s
                    .hosts
                    .iter()
                    .filter_map(|h| match h.as_str() {
                        "*" => Some(0),
                        pattern if self.sites.host_matches(pattern, host) => Some(1),
                        _ => None,
                    })
                    .max()?;
                let wanted = s.lang.to_ascii_lowercase();
                let lang_rank = if lang.as_deref() == Some(wanted.as_str()) {
                    2
                } else if primary == Some(wanted.as_str()) {
                    1
                } else if wanted == "*" {
                    0
                } else {
                    return None;
                };
                Some(((host_rank, lang_rank), &s.text))
            })
            .max_by_key(|(rank, _)| *rank)
            .map(|(_, text)| text.clone())
    }
}

/// Counts a refused submission by what it was and why.
pub fn refused(kind: &'static str, e: &ApiError) {
    metrics::counter!("flagpole_submissions_refused_total", "kind" => kind, "code" => e.code)
        .increment(1);
}
