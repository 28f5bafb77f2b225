//! Polite fetching: only hosts in `sites.allowed_hosts`, redirects followed by hand so that none
//! leads off them, one request at a time with a pause between two to the same host, a time limit
//! on the whole request and a size limit on what is read.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header;
use url::Url;

use crate::config::Settings;
use crate::domain::SiteRules;

const MAX_REDIRECTS: usize = 5;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    #[error("{0} is not in sites.allowed_hosts: not fetched")]
    NotAllowed(String),
    #[error("redirected to {0}, outside sites.allowed_hosts: refused")]
    RedirectOffSite(String),
    #[error("more than {MAX_REDIRECTS} redirects")]
    TooManyRedirects,
    #[error("a redirect without a usable Location")]
    BadRedirect,
    #[error("HTTP status {0}")]
    Status(u16),
    #[error("timed out after {0} s")]
    Timeout(u64),
    #[error("larger than {0} bytes: not read")]
    TooLarge(usize),
    #[error("{0}")]
    Network(String),
}

pub struct Fetcher {
    client: reqwest::Client,
    sites: Arc<SiteRules>,
    delay: Duration,
    timeout_secs: u64,
    /// When each host was last asked, for the pause between requests.
    last: HashMap<String, Instant>,
}

impl Fetcher {
    pub fn new(settings: &Settings, sites: Arc<SiteRules>) -> anyhow::Result<Fetcher> {
        let c = &settings.catalogue;
        let user_agent = if c.user_agent.trim().is_empty() {
            format!(
                "flagpole-catalogue/{} (+{})",
                env!("CARGO_PKG_VERSION"),
                settings.server.public_url
            )
        } else {
            c.user_agent.trim().to_string()
        };
        let client = reqwest::Client::builder()
            .user_agent(user_agent)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(c.timeout_secs))
            .connect_timeout(Duration::from_secs(c.timeout_secs))
            .build()?;
        Ok(Fetcher {
            client,
            sites,
            delay: Duration::from_millis(c.delay_ms),
            timeout_secs: c.timeout_secs,
            last: HashMap::new(),
        })
    }

    fn allowed(&self, url: &Url) -> bool {
        matches!(url.scheme(), "http" | "https")
            && url.host_str().is_some_and(|h| self.sites.host_allowed(h))
    }

    async fn wait_turn(&mut self, host: &str) {
        if let Some(last) = self.last.get(host) {
            let since = last.elapsed();
            if since < self.delay {
                tokio::time::sleep(self.delay - since).await;
            }
        }
        self.last.insert(host.to_string(), Instant::now());
    }

    fn network(&self, e: reqwest::Error) -> FetchError {
        if e.is_timeout() {
            FetchError::Timeout(self.timeout_secs)
        } else {
            // Without the URL: the caller names the page.
            FetchError::Network(e.without_url().to_string())
        }
    }

    /// The body of `url` (after redirects on allowed hosts), at most `max_bytes` of it.
    pub async fn get(&mut self, url: &Url, max_bytes: usize) -> Result<Vec<u8>, FetchError> {
        let mut url = url.clone();
        for hop in 0..=MAX_REDIRECTS {
            if !self.allowed(&url) {
                let host = url.host_str().unwrap_or("").to_string();
                return Err(if hop == 0 {
                    FetchError::NotAllowed(host)
                } else {
                    FetchError::RedirectOffSite(host)
                });
            }
            self.wait_turn(url.host_str().unwrap_or("")).await;
            let mut response = self
                .client
                .get(url.clone())
                .send()
                .await
                .map_err(|e| self.network(e))?;
            let status = response.status();
            if status.is_redirection() {
                let next = response
                    .headers()
                    .get(header::LOCATION)
                    .and_then(|l| l.to_str().ok())
                    .and_then(|l| url.join(l).ok())
                    .ok_or(FetchError::BadRedirect)?;
                url = next;
                continue;
            }
            if !status.is_success() {
                return Err(FetchError::Status(status.as_u16()));
            }
            if response
                .content_length()
                .is_some_and(|n| n > max_bytes as u64)
            {
                return Err(FetchError::TooLarge(max_bytes));
            }
            let mut body = Vec::new();
            while let Some(chunk) = response.chunk().await.map_err(|e| self.network(e))? {
                if body.len() + chunk.len() > max_bytes {
                    return Err(FetchError::TooLarge(max_bytes));
                }
                body.extend_from_slice(&chunk);
            }
            return Ok(body);
        }
        Err(FetchError::TooManyRedirects)
    }
}
