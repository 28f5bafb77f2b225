//! One article is one row however it is linked: article URLs are canonicalised before anything
//! else looks at them.

use url::Url;

/// The article hosts flagpole accepts feedback for and the query parameters that name a
/// different article.
#[derive(Debug, Clone)]
pub struct SiteRules {
    pub allowed_hosts: Vec<String>,
    /// Query parameters dropped in any case (kept for older configurations; with `query_params`
    /// empty, every parameter is dropped anyway).
    pub tracking_params: Vec<String>,
    /// The query parameters the site uses to tell articles apart (say `id` for `article?id=42`);
    /// every other parameter is dropped, so `?v=1`, `?v=2` … stay one article.
    pub query_params: Vec<String>,
}

impl SiteRules {
    /// Exact host, or any subdomain for an entry written `*.example.com`.
    pub fn host_allowed(&self, host: &str) -> bool {
        self.allowed_hosts
            .iter()
            .any(|allowed| self.host_matches(allowed, host))
    }

    /// Whether `host` is `pattern`, or a subdomain of it when `pattern` is `*.example.com`.
    pub fn host_matches(&self, pattern: &str, host: &str) -> bool {
        match pattern.strip_prefix("*.") {
            Some(parent) => host
                .strip_suffix(parent)
                .is_some_and(|sub| sub.ends_with('.') && sub.len() > 1),
            None => host == pattern,
        }
    }

    /// Whether a query parameter tells articles apart: declared by the site, and not tracking.
    fn is_meaningful(&self, key: &str) -> bool {
        self.query_params.iter().any(|p| p == key) && !self.is_tracking(key)
    }

    fn is_tracking(&self, key: &str) -> bool {
        let key = key.to_ascii_lowercase();
        self.tracking_params
            .iter()
            .any(|p| match p.strip_suffix('*') {
                Some(prefix) => key.starts_with(prefix),
                None => key == *p,
            })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleUrl {
    pub url: String,
    pub host: String,
    pub path: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlProblem {
    Invalid(String),
    HostNotAllowed(String),
}

impl ArticleUrl {
    /// Lower-cases scheme and host (the url crate does), drops the default port, credentials, the
    /// fragment and every query parameter the site has not declared meaningful, sorts the
    /// remaining parameters, and removes a trailing slash from any path but the root.
    pub fn canonicalise(raw: &str, rules: &SiteRules) -> Result<ArticleUrl, UrlProblem> {
        let mut url = Url::parse(raw.trim())
            .map_err(|e| UrlProblem::Invalid(format!("not a valid absolute URL ({e})")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(UrlProblem::Invalid(
                "must be an http:// or https:// URL".into(),
            ));
        }
        let host = url
            .host_str()
            .map(|h| h.trim_end_matches('.').to_string())
            .filter(|h| !h.is_empty())
            .ok_or_else(|| UrlProblem::Invalid("has no host".into()))?;
        if !rules.host_allowed(&host) {
            return Err(UrlProblem::HostNotAllowed(host));
        }
        url.set_host(Some(&host))
            .map_err(|e| UrlProblem::Invalid(format!("bad host ({e})")))?;
        // Credentials in an article link are never part of the article's identity.
        let _ = url.set_username("");
        let _ = url.set_password(None);
        url.set_fragment(None);

        let mut params: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(k, _)| rules.is_meaningful(k))
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        params.sort();
        if params.is_empty() {
            url.set_query(None);
        } else {
            url.query_pairs_mut().clear().extend_pairs(params);
        }

        let path = url.path().to_string();
        if path.len() > 1 && path.ends_with('/') {
            url.set_path(path.trim_end_matches('/'));
            if url.path().is_empty() {
                url.set_path("/");
            }
        }
        Ok(ArticleUrl {
            path: url.path().to_string(),
            url: url.to_string(),
            host,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> SiteRules {
        SiteRules {
            allowed_hosts: vec!["health.example.org".into(), "*.nhs.test".into()],
            tracking_params: vec!["utm_*".into(), "fbclid".into()],
            query_params: vec!["page".into(), "lang".into(), "utm_source".into()],
        }
    }

    fn canon(raw: &str) -> String {
        ArticleUrl::canonicalise(raw, &rules()).unwrap().url
    }

    #[test]
    fn many_links_one_article() {
        let expected = "https://health.example.org/conditions/asthma";
        for raw in [
            "https://health.example.org/conditions/asthma",
            "HTTPS://Health.Example.ORG:443/conditions/asthma/",
            "https://health.example.org/conditions/asthma#symptoms",
            "https://health.example.org/conditions/asthma?utm_source=x&fbclid=y",
            "https://user:pw@health.example.org./conditions/asthma",
        ] {
            assert_eq!(canon(raw), expected, "{raw}");
        }
    }

    #[test]
    fn meaningful_query_is_kept_and_sorted() {
        assert_eq!(
            canon("https://health.example.org/a?page=2&lang=es&utm_medium=mail"),
            "https://health.example.org/a?lang=es&page=2"
        );
    }

    #[test]
    fn undeclared_parameters_do_not_make_another_article() {
        for variant in ["?v=1", "?v=2&x=y", "?utm_source=x", "?PAGE=2"] {
            assert_eq!(
                canon(&format!("https://health.example.org/a{variant}")),
                "https://health.example.org/a",
                "{variant}"
            );
        }
    }

    #[test]
    fn root_keeps_its_slash() {
        assert_eq!(
            canon("https://health.example.org"),
            "https://health.example.org/"
        );
    }

    #[test]
    fn subdomain_wildcard() {
        assert!(rules().host_allowed("www.nhs.test"));
        assert!(!rules().host_allowed("nhs.test"));
        assert!(!rules().host_allowed("evilnhs.test"));
    }

    #[test]
    fn refusals() {
        assert!(matches!(
            ArticleUrl::canonicalise("https://evil.example/x", &rules()),
            Err(UrlProblem::HostNotAllowed(_))
        ));
        for raw in [
            "not a url",
            "ftp://health.example.org/x",
            "javascript:alert(1)",
            "/relative",
        ] {
            assert!(
                matches!(
                    ArticleUrl::canonicalise(raw, &rules()),
                    Err(UrlProblem::Invalid(_))
                ),
                "{raw}"
            );
        }
    }
}
