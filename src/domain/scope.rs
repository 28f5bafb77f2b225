//! What an editor owns: a host, or a host and a path prefix (a section of a site).

use std::fmt;

/// A host (`health.example.org`) or a host with a path prefix (`health.example.org/medicines`).
/// Stored lower-case, without scheme or trailing slash.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Scope {
    host: String,
    /// Empty for a whole host; otherwise starts with `/` and has no trailing slash.
    path: String,
}

impl Scope {
    /// Accepts what an operator types: `host`, `host/path`, with or without `http(s)://` and a
    /// trailing slash. Hosts are case-insensitive and kept lower-case; paths keep their case, as
    /// article paths do.
    pub fn parse(raw: &str) -> Result<Scope, String> {
        let trimmed = raw.trim();
        let without_scheme = ["https://", "http://"]
            .iter()
            .find_map(|scheme| {
                trimmed
                    .get(..scheme.len())
                    .filter(|head| head.eq_ignore_ascii_case(scheme))
                    .map(|_| &trimmed[scheme.len()..])
            })
            .unwrap_or(trimmed);
        let (host, path) = match without_scheme.find('/') {
            Some(i) => (
                &without_scheme[..i],
                without_scheme[i..].trim_end_matches('/'),
            ),
            None => (without_scheme, ""),
        };
        let host = host.to_ascii_lowercase();
        let host_ok = !host.is_empty()
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'));
        if !host_ok || path.contains(char::is_whitespace) {
            return Err(format!("{raw:?} is not a host or host/path prefix"));
        }
        Ok(Scope {
            host,
            path: path.to_string(),
        })
    }

    pub fn host(&self) -> &str {
        &self.host
    }

    /// The path prefix; empty for a whole host.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Whether this scope covers an article. A path prefix matches whole segments:
    /// `/medicines` covers `/medicines` and `/medicines/x`, not `/medicinesx`.
    pub fn covers(&self, host: &str, path: &str) -> bool {
        self.host.eq_ignore_ascii_case(host)
            && (self.path.is_empty()
                || path == self.path
                || path
                    .strip_prefix(self.path.as_str())
                    .is_some_and(|rest| rest.starts_with('/')))
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.host, self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(s: &str) -> Scope {
        Scope::parse(s).expect("valid scope")
    }

    #[test]
    fn scopes_match_whole_segments() {
        assert!(scope("health.example.org").covers("health.example.org", "/any"));
        assert!(scope("health.example.org/medicines").covers("health.example.org", "/medicines"));
        assert!(scope("health.example.org/medicines/").covers("health.example.org", "/medicines/x"));
        assert!(!scope("health.example.org/medicines").covers("health.example.org", "/medicinesx"));
        assert!(!scope("health.example.org").covers("other.example.org", "/"));
    }

    #[test]
    fn what_operators_type_is_normalised() {
        assert_eq!(
            scope("HTTPS://Health.Example.org/Medicines/").to_string(),
            "health.example.org/Medicines"
        );
        for bad in ["", "/medicines", "two words.org", "a b/c"] {
            assert!(Scope::parse(bad).is_err(), "{bad:?}");
        }
    }
}
