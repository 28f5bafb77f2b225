//! What a reader may send, and how it becomes something safe to store: lengths checked, URLs
//! canonicalised, personal details scrubbed from free text, e-mail kept only with consent.

use serde::Deserialize;
use utoipa::ToSchema;

use super::visitor::VisitorSeed;
use crate::config::Settings;
use crate::domain::scrub::scrub_personal_details;
use crate::domain::{
    ArticleUrl, Category, NewReport, NewVote, Reason, ReportStatus, SiteRules, UrlProblem,
};
use crate::domain::{Lane, LaneReason, LaneReasons};
use crate::errors::ApiError;
use crate::http::body::{refuse_control, Allowed};
use crate::lanes::{self, Sorter};

/// A "Was this article helpful?" answer.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoteRequest {
    /// The article's address; canonicalised, and its host must be allowed.
    #[schema(
        example = "https://health.example.org/conditions/asthma",
        format = "uri",
        max_length = 2048
    )]
    pub article_url: String,
    pub helpful: bool,
    /// After "No": what was wrong. Any of `inaccurate`, `outdated`, `unclear`, `missing`, `other`.
    #[serde(default)]
    #[schema(value_type = Vec<Reason>)]
    pub reasons: Vec<String>,
    /// A short comment; e-mail addresses and phone numbers in it are replaced before storage.
    #[schema(max_length = 1000)]
    pub comment: Option<String>,
    /// The article revision the reader saw (e.g. its dateModified).
    #[schema(max_length = 100)]
    pub revision: Option<String>,
    #[schema(max_length = 300)]
    pub title: Option<String>,
    /// Honeypot: hidden from people; anything in it marks the submission as automated.
    pub website: Option<String>,
    /// A key for this submission, the same on every retry of it (like the `Idempotency-Key`
    /// header, which takes precedence): a retry gets the first answer and stores nothing new.
    #[schema(max_length = 255)]
    pub submission_id: Option<String>,
}

/// "Report a problem with this article".
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportRequest {
    #[schema(
        example = "https://health.example.org/medicines/ibuprofen",
        format = "uri",
        max_length = 2048
    )]
    pub article_url: String,
    /// One of `inaccurate`, `outdated`, `unclear`, `harmful`, `broken_link`, `typo`, `other`.
    #[schema(example = "harmful", value_type = Category)]
    pub category: String,
    /// The passage concerned, usually the reader's text selection.
    #[schema(max_length = 1000)]
    pub quote: Option<String>,
    #[schema(max_length = 4000)]
    pub details: Option<String>,
    /// Kept only when `contact_consent` is true.
    #[schema(max_length = 254)]
    pub email: Option<String>,
    pub contact_consent: Option<bool>,
    #[schema(max_length = 100)]
    pub revision: Option<String>,
    #[schema(max_length = 300)]
    pub title: Option<String>,
    /// Honeypot: hidden from people; anything in it marks the submission as spam.
    pub website: Option<String>,
    /// The language of the page the reader was on (a tag such as `en` or `pt-BR`), for the
    /// classifier and the signposting.
    #[schema(max_length = 35, example = "en")]
    pub lang: Option<String>,
    /// As for votes.
    #[schema(max_length = 255)]
    pub submission_id: Option<String>,
}

/// What validation concluded about a submission besides its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Genuine,
    /// The hidden honeypot field was filled in: a bot.
    Honeypot,
}

pub struct Validator<'a> {
    pub settings: &'a Settings,
    /// Sorts reports into lanes.
    pub sorter: &'a Sorter,
    pub sites: &'a SiteRules,
}

impl Validator<'_> {
    pub fn vote(
        &self,
        req: VoteRequest,
        who: &VisitorSeed,
    ) -> Result<(NewVote, Verdict), ApiError> {
        let verdict = honeypot(req.website.as_deref());
        let article = self.article(&req.article_url)?;
        if req.reasons.len() > Reason::ALL.len() {
            return Err(ApiError::invalid(
                "reasons",
                format!("at most {} reasons", Reason::ALL.len()),
            ));
        }
        let mut reasons = Vec::new();
        for raw in &req.reasons {
            let reason = Reason::parse(raw).ok_or_else(|| {
                ApiError::invalid(
                    "reasons",
                    format!(
                        "unknown reason {raw:?}; use {}",
                        list(Reason::ALL.map(|r| r.as_str()))
                    ),
                )
            })?;
            if !reasons.contains(&reason) {
                reasons.push(reason);
            }
        }
        let limits = &self.settings.limits;
        let vote = NewVote {
            visitor_key: who.key_for(&article.url)?,
            address_key: who.address_key_for(&article.url)?,
            article,
            title: self.one_line("title", req.title, limits.max_title_chars)?,
            revision: self.one_line("revision", req.revision, limits.max_revision_chars)?,
            helpful: req.helpful,
            reasons,
            comment: self.text("comment", req.comment, limits.max_comment_chars, true)?,
            submission_key: submission_key(req.submission_id)?,
        };
        Ok((vote, verdict))
    }

    /// A report, sorted into its lane (on the text as the reader wrote it: the classifier sees
    /// that there was a WhatsApp number before scrubbing removes it), then scrubbed. Also says
    /// whether the reader should be shown the site's signposting.
    pub fn report(
        &self,
        req: ReportRequest,
        who: &VisitorSeed,
    ) -> Result<(NewReport, bool), ApiError> {
        let verdict = honeypot(req.website.as_deref());
        let article = self.article(&req.article_url)?;
        let category = Category::parse(req.category.trim()).ok_or_else(|| {
            ApiError::new(
                actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
                "unknown_category",
                format!(
                    "unknown category {:?}; use {}",
                    req.category,
                    list(Category::ALL.map(|c| c.as_str()))
                ),
            )
            .with_field("category")
        })?;
        let limits = &self.settings.limits;
        let raw_quote = self.text("quote", req.quote, limits.max_quote_chars, false)?;
        let raw_details = self.text("details", req.details, limits.max_details_chars, false)?;
        let email = self.email(req.email)?;
        let lang = language_tag(req.lang)?;
        let sorted = match verdict {
            Verdict::Honeypot => lanes::Verdict {
                lane: Lane::Spam,
                reasons: vec![LaneReason {
                    code: "honeypot".into(),
                    text: "a form field hidden from people was filled in, or the form was sent \
                           faster than a person could"
                        .into(),
                }],
                signpost: false,
            },
            Verdict::Genuine => self.sorter.classify(lanes::Submission {
                category,
                quote: raw_quote.as_deref(),
                details: raw_details.as_deref(),
                article_host: &article.host,
                article_lang: lang.as_deref().map(primary_language),
                recent_spam: &[],
            }),
        };
        let quote = raw_quote.map(|t| self.scrubbed(t));
        let details = raw_details.map(|t| self.scrubbed(t));
        let status = if sorted.lane == Lane::Spam {
            ReportStatus::Spam
        } else {
            ReportStatus::New
        };
        let report = NewReport {
            lane: sorted.lane,
            lane_reasons: LaneReasons(sorted.reasons),
            fingerprint: lanes::Fingerprint::of(quote.as_deref(), details.as_deref())
                .map(|f| f.to_hex()),
            lang,
            visitor_key: who.key_for(&article.url)?,
            article,
            title: self.one_line("title", req.title, limits.max_title_chars)?,
            revision: self.one_line("revision", req.revision, limits.max_revision_chars)?,
            category,
            quote,
            details,
            // Without consent the address is dropped here and never stored.
            email: email.filter(|_| req.contact_consent == Some(true)),
            status,
            submission_key: submission_key(req.submission_id)?,
        };
        Ok((report, sorted.signpost))
    }

    fn scrubbed(&self, text: String) -> String {
        if self.settings.privacy.scrub_free_text {
            scrub_personal_details(&text)
        } else {
            text
        }
    }

    fn article(&self, raw: &str) -> Result<ArticleUrl, ApiError> {
        let max = self.settings.limits.max_url_chars;
        if raw.chars().count() > max {
            return Err(too_long("article_url", max));
        }
        ArticleUrl::canonicalise(raw, self.sites).map_err(|problem| match problem {
            UrlProblem::Invalid(why) => {
                ApiError::invalid("article_url", format!("article_url {why}"))
            }
            UrlProblem::HostNotAllowed(host) => ApiError::new(
                actix_web::http::StatusCode::FORBIDDEN,
                "host_not_allowed",
                format!("feedback for articles on {host} is not accepted here"),
            )
            .with_field("article_url"),
        })
    }

    /// A title or revision: one line (any run of whitespace, newlines included, becomes one
    /// space, so it cannot forge lines in a plain-text e-mail), scrubbed of personal details like
    /// free text.
    fn one_line(
        &self,
        field: &str,
        value: Option<String>,
        max: usize,
    ) -> Result<Option<String>, ApiError> {
        let line = value.map(|v| v.split_whitespace().collect::<Vec<_>>().join(" "));
        self.text(field, line, max, true)
    }

    /// Trims free text, refuses control characters and over-long values, and optionally scrubs
    /// personal details. Empty becomes None.
    fn text(
        &self,
        field: &str,
        value: Option<String>,
        max: usize,
        free_text: bool,
    ) -> Result<Option<String>, ApiError> {
        let Some(value) = value else { return Ok(None) };
        let value = value.trim();
        if value.is_empty() {
            return Ok(None);
        }
        refuse_control(field, value, Allowed::LineBreaksAndTabs)?;
        if value.chars().count() > max {
            return Err(too_long(field, max));
        }
        let value = if free_text && self.settings.privacy.scrub_free_text {
            scrub_personal_details(value)
        } else {
            value.to_string()
        };
        Ok(Some(value))
    }

    fn email(&self, value: Option<String>) -> Result<Option<String>, ApiError> {
        let Some(value) = value
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
        else {
            return Ok(None);
        };
        let max = self.settings.limits.max_email_chars;
        if value.chars().count() > max {
            return Err(too_long("email", max));
        }
        let well_formed = match value.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains('@')
                    && !value.chars().any(|c| c.is_whitespace() || c.is_control())
            }
            None => false,
        };
        if !well_formed {
            return Err(ApiError::invalid(
                "email",
                "email is not an e-mail address (like name@example.org)",
            ));
        }
        Ok(Some(value))
    }
}

/// A page language as the widget sends it: a tag like `en`, `pt-BR` or `zh-Hans` (ASCII letters,
/// digits, `-` and `_`, at most 35 characters).
fn language_tag(tag: Option<String>) -> Result<Option<String>, ApiError> {
    let Some(tag) = tag.map(|t| t.trim().to_string()).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let well_formed = tag.len() <= 35
        && tag.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && tag
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if well_formed {
        Ok(Some(tag))
    } else {
        Err(ApiError::invalid(
            "lang",
            "lang is not a language tag like en, pt-BR or zh-Hans",
        ))
    }
}

/// `pt-BR` → `pt`: the language the classifier compares the reader's with.
pub fn primary_language(tag: &str) -> &str {
    tag.split(['-', '_']).next().unwrap_or(tag)
}

/// A client's key for a submission: 1 to 255 visible ASCII characters (a UUID, typically).
fn submission_key(key: Option<String>) -> Result<Option<String>, ApiError> {
    match key {
        None => Ok(None),
        Some(k) if (1..=255).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()) => {
            Ok(Some(k))
        }
        Some(_) => Err(ApiError::invalid(
            "Idempotency-Key",
            "an idempotency key must be 1 to 255 visible ASCII characters",
        )),
    }
}

fn honeypot(website: Option<&str>) -> Verdict {
    if website.is_some_and(|w| !w.trim().is_empty()) {
        Verdict::Honeypot
    } else {
        Verdict::Genuine
    }
}

fn too_long(field: &str, max: usize) -> ApiError {
    ApiError::new(
        actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
        "too_long",
        format!("{field} must be at most {max} characters"),
    )
    .with_field(field)
}

fn list<const N: usize>(items: [&str; N]) -> String {
    items.join(", ")
}
