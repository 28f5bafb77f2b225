//! Visitor keys: how a repeat vote is recognised without storing who voted. The key is an
//! HMAC-SHA256 of (client address, user agent, article) under the day's salt, which all
//! instances share through the database and which is deleted when the next day's is made.

use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use chrono::{NaiveDate, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::service::Reader;
use crate::db::{salts, Pool};
use crate::domain::VisitorKey;
use crate::errors::ApiError;

pub struct Visitors {
    pool: Pool,
    today: Mutex<Option<(NaiveDate, Arc<Vec<u8>>)>>,
}

/// A reader as far as flagpole can tell within one day: hashed, never stored as given.
pub struct VisitorSeed {
    salt: Arc<Vec<u8>>,
    ip: IpAddr,
    user_agent: String,
}

impl VisitorSeed {
    /// The key of the reader's network (an IPv4 address, or an IPv6 /64, which one household or
    /// one device typically holds whole) for one article: what the vote cap counts by.
    pub fn address_key_for(&self, canonical_url: &str) -> Result<VisitorKey, ApiError> {
        self.hmac(&[
            b"address",
            network(self.ip).to_string().as_bytes(),
            canonical_url.as_bytes(),
        ])
    }

    /// The reader's key for one article. HMAC takes keys of any length, so an error here is a
    /// bug: it fails the request rather than merge every reader into one key.
    pub fn key_for(&self, canonical_url: &str) -> Result<VisitorKey, ApiError> {
        self.hmac(&[
            self.ip.to_string().as_bytes(),
            self.user_agent.as_bytes(),
            canonical_url.as_bytes(),
        ])
    }

    /// HMAC-SHA256 of the parts (separated by NUL) under the day's salt, as 32 hex digits.
    fn hmac(&self, parts: &[&[u8]]) -> Result<VisitorKey, ApiError> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.salt)
            .map_err(|e| ApiError::internal(format!("HMAC refused the day's salt: {e}")))?;
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                mac.update(b"\0");
            }
            mac.update(part);
        }
        VisitorKey::from_hex(hex::encode(&mac.finalize().into_bytes()[..16]))
            .ok_or_else(|| ApiError::internal("an empty visitor key"))
    }
}

pub use crate::http::client::network;

impl Visitors {
    pub fn new(pool: Pool) -> Visitors {
        Visitors {
            pool,
            today: Mutex::new(None),
        }
    }

    pub async fn seed(&self, reader: &Reader) -> Result<VisitorSeed, ApiError> {
        let day = Utc::now().date_naive();
        let cached = self.today.lock().ok().and_then(|guard| {
            guard
                .as_ref()
                .filter(|(d, _)| *d == day)
                .map(|(_, s)| s.clone())
        });
        let salt = match cached {
            Some(salt) => salt,
            None => {
                let pool = self.pool.clone();
                let salt = actix_web::web::block(move || -> Result<Vec<u8>, ApiError> {
                    let mut conn = pool.get()?;
                    Ok(salts::salt_for(&mut conn, day)?)
                })
                .await??;
                let salt = Arc::new(salt);
                if let Ok(mut guard) = self.today.lock() {
                    *guard = Some((day, salt.clone()));
                }
                salt
            }
        };
        Ok(VisitorSeed {
            salt,
            ip: reader.ip,
            user_agent: reader.user_agent.clone(),
        })
    }
}
