//! Signing editors in and out. A session is 256 random bits in the editor's cookie; the database
//! keeps only their SHA-256, with the session's CSRF token, so every instance knows every session
//! and ending one (sign-out, a disabled editor, a new password) ends it everywhere.
//!
//! Sign-in attempts are limited per client address (its network: an IPv6 /64) and per address
//! and e-mail address together (in memory, per instance), never per e-mail address alone: a
//! limit per e-mail address lets anyone lock an editor out by guessing wrong for them from
//! anywhere, while the editor signing in from their own address has not been guessing and gets
//! through. The address limit is checked before the sign-in form is read
//! ([`Sessions::admit`]), so a client over it cannot hold the server with slow bodies either.
//! The limiters forget idle keys, so a guessing run with random addresses cannot grow them
//! without bound.

use std::net::IpAddr;
use std::sync::LazyLock;

use base64::Engine;
use chrono::TimeDelta;
use rand::RngCore;

use super::passwords;
use crate::db::editors::{self, Editor};
use crate::db::{sessions, tokens, Db};
use crate::errors::ApiError;
use crate::http::client::network;
use crate::http::rate::RateLimits;

pub const SESSION_HOURS: i64 = 12;

pub struct Sessions {
    db: Db,
    by_address: RateLimits<IpAddr>,
    by_address_and_email: RateLimits<(IpAddr, String)>,
}

/// A new session: the token for the cookie (never stored) and who signed in.
pub struct SignedIn {
    pub token: String,
    pub editor: Editor,
}

/// Why a sign-in did not happen.
#[derive(Debug)]
pub enum SignInRefused {
    /// Too many attempts from this address, or from it for this e-mail address.
    Throttled,
    /// Unknown address, wrong password, disabled editor or no password set: one answer for all.
    NoMatch,
    Failed(ApiError),
}

impl From<ApiError> for SignInRefused {
    fn from(e: ApiError) -> Self {
        SignInRefused::Failed(e)
    }
}

/// 256 random bits, URL-safe: session tokens, CSRF tokens, one-time account links.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

impl Sessions {
    pub fn new(db: Db) -> Sessions {
        Sessions {
            db,
            // Enough for an office of editors behind one address.
            by_address: RateLimits::per_minute(10, 10),
            // Five quick tries at one's own password, then one every three minutes.
            by_address_and_email: RateLimits::per_hour(20, 5),
        }
    }

    /// Takes a sign-in attempt from `ip`'s network: call before reading the form, so that a
    /// client over its limit is answered without its body being read.
    pub fn admit(&self, ip: IpAddr) -> Result<(), SignInRefused> {
        self.by_address.check(&network(ip)).map_err(|_| throttled())
    }

    /// Takes an attempt at the account with this e-mail address from `ip`'s network (a sign-in,
    /// or asking for a password-reset link).
    pub fn admit_email(&self, ip: IpAddr, email: &str) -> Result<(), SignInRefused> {
        self.by_address_and_email
            .check(&(network(ip), email.trim().to_ascii_lowercase()))
            .map_err(|_| throttled())
    }

    /// Checks an e-mail address and password and opens a session. The caller has admitted `ip`.
    pub async fn sign_in(
        &self,
        ip: IpAddr,
        email: &str,
        password: String,
    ) -> Result<SignedIn, SignInRefused> {
        self.admit_email(ip, email)?;
        let email = email.trim().to_ascii_lowercase();
        let editor = self
            .db
            .run(move |c| Ok::<_, ApiError>(editors::by_email(c, &email)?))
            .await?;
        // Verify against a real hash even for an unknown address, so timing does not tell.
        let hash = editor
            .as_ref()
            .and_then(|e| e.password_hash.clone())
            .unwrap_or_else(|| DUMMY_HASH.clone());
        let valid = tokio::task::spawn_blocking(move || passwords::verify(&password, &hash))
            .await
            .map_err(ApiError::from)?;
        let editor = match editor {
            Some(e) if valid && e.active && e.password_hash.is_some() => e,
            _ => return Err(SignInRefused::NoMatch),
        };
        Ok(self.open(editor).await?)
    }

    /// Opens a session for an editor who has proved who they are (a password, a one-time link
    /// from their mailbox, or the identity provider).
    pub async fn open(&self, editor: Editor) -> Result<SignedIn, ApiError> {
        let token = random_token();
        let (hash, csrf, editor_id) = (tokens::hash(&token), random_token(), editor.id);
        self.db
            .run(move |c| {
                let now = crate::db::now();
                let expires = now + TimeDelta::hours(SESSION_HOURS);
                Ok::<_, ApiError>(sessions::create(c, &hash, editor_id, &csrf, now, expires)?)
            })
            .await?;
        Ok(SignedIn { token, editor })
    }

    /// The signed-in editor and the session's CSRF token, for a live session.
    pub async fn find(&self, token: &str) -> Result<Option<(Editor, String)>, ApiError> {
        let hash = tokens::hash(token);
        self.db
            .run(move |c| Ok(sessions::find(c, &hash, crate::db::now())?))
            .await
    }

    pub async fn sign_out(&self, token: &str) -> Result<(), ApiError> {
        let hash = tokens::hash(token);
        self.db.run(move |c| Ok(sessions::delete(c, &hash)?)).await
    }

    /// Forgets the limiters' idle keys (run every minute).
    pub fn forget_idle(&self) {
        self.by_address.forget_idle();
        self.by_address_and_email.forget_idle();
    }

    /// How many keys the limiters remember (for tests).
    pub fn remembered(&self) -> usize {
        self.by_address.len() + self.by_address_and_email.len()
    }
}

fn throttled() -> SignInRefused {
    metrics::counter!("flagpole_sign_in_throttled_total").increment(1);
    SignInRefused::Throttled
}

static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| passwords::hash("not a password anyone has").unwrap_or_default());
