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
    /// The reader's key for one article. HMAC takes keys of any length, so an error here is a
    /// bug: it fails the request rather than merge every reader into one key.
    pub fn key_for(&self, canonical_url: &str) -> Result<VisitorKey, ApiError> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.salt)
            .map_err(|e| ApiError::internal(format!("HMAC refused the day's salt: {e}")))?;
        mac.update(self.ip.to_string().as_bytes());
        mac.update(b"\0");
        mac.update(self.user_agent.as_bytes());
        mac.update(b"\0");
        mac.update(canonical_url.as_bytes());
        VisitorKey::from_hex(hex::encode(&mac.finalize().into_bytes()[..16]))
            .ok_or_else(|| ApiError::internal("an empty visitor key"))
    }
}

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
