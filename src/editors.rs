//! Editors as the rest of flagpole sees them: who owns an article, who hears about it, and
//! password hashing for the dashboard.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::Engine;
use rand::RngCore;

use crate::db::editors::{Editor, NewEditor};

pub const MIN_PASSWORD_CHARS: usize = 12;

/// Whether a scope (`host` or `host/path/prefix`) covers an article. A path prefix matches whole
/// segments: `/medicines` covers `/medicines` and `/medicines/x`, not `/medicinesx`.
pub fn scope_covers(scope: &str, host: &str, path: &str) -> bool {
    let (scope_host, scope_path) = split_scope(scope);
    if !scope_host.eq_ignore_ascii_case(host) {
        return false;
    }
    scope_path.is_empty()
        || path == scope_path
        || path
            .strip_prefix(scope_path)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// A scope's host and path prefix (empty for a whole host), without a trailing slash.
pub fn split_scope(scope: &str) -> (&str, &str) {
    match scope.find('/') {
        Some(i) => (&scope[..i], scope[i..].trim_end_matches('/')),
        None => (scope, ""),
    }
}

/// Who is e-mailed about an article: the active editors who own it and want alerts; when no
/// active editor owns it, every active editor who wants alerts.
pub fn alert_recipients<'a>(editors: &'a [Editor], host: &str, path: &str) -> Vec<&'a Editor> {
    let owners: Vec<&Editor> = editors
        .iter()
        .filter(|e| e.active && e.scope_list().any(|s| scope_covers(s, host, path)))
        .collect();
    let pool = if owners.is_empty() {
        editors.iter().filter(|e| e.active).collect()
    } else {
        owners
    };
    pool.into_iter().filter(|e| e.wants_alerts).collect()
}

/// Checks and normalises what an operator typed for a new editor.
pub fn new_editor(
    name: &str,
    email: &str,
    admin: bool,
    scopes: &[String],
    wants_alerts: bool,
    wants_digest: bool,
) -> Result<NewEditor, String> {
    let email = email.trim().to_ascii_lowercase();
    if email.parse::<lettre::Address>().is_err() {
        return Err(format!("{email:?} is not an e-mail address"));
    }
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err("a name must be 1 to 200 characters".into());
    }
    let mut clean = Vec::new();
    for scope in scopes {
        let scope = scope
            .trim()
            .trim_start_matches("https://")
            .trim_start_matches("http://");
        let scope = scope.to_ascii_lowercase();
        if scope.is_empty() || scope.contains(char::is_whitespace) || scope.starts_with('/') {
            return Err(format!("{scope:?} is not a host or host/path prefix"));
        }
        clean.push(scope);
    }
    let mut token = [0u8; 24];
    rand::rng().fill_bytes(&mut token);
    Ok(NewEditor {
        name: name.to_string(),
        email,
        role: if admin { "admin" } else { "editor" }.to_string(),
        scopes: clean,
        wants_alerts,
        wants_digest,
        unsubscribe_token: base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(token),
    })
}

/// An argon2id hash in PHC format.
pub fn hash_password(password: &str) -> Result<String, String> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(format!(
            "a password must be at least {MIN_PASSWORD_CHARS} characters"
        ));
    }
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| format!("cannot hash the password: {e}"))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_match_whole_segments() {
        assert!(scope_covers(
            "health.example.org",
            "health.example.org",
            "/any"
        ));
        assert!(scope_covers(
            "health.example.org/medicines",
            "health.example.org",
            "/medicines"
        ));
        assert!(scope_covers(
            "health.example.org/medicines/",
            "health.example.org",
            "/medicines/x"
        ));
        assert!(!scope_covers(
            "health.example.org/medicines",
            "health.example.org",
            "/medicinesx"
        ));
        assert!(!scope_covers(
            "health.example.org",
            "other.example.org",
            "/"
        ));
    }

    #[test]
    fn passwords_round_trip() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("wrong horse battery", &hash));
        assert!(hash_password("short").is_err());
    }
}
