//! API bearer tokens, stored as the SHA-256 of the token (made and shown once by
//! `crate::auth::tokens`).

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use super::schema::api_tokens;
use super::{is_unique_violation, DbConn};
use crate::with_conn;

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("an active token named {0:?} exists already; revoke it first")]
    NameTaken(String),
    #[error("no active token named {0:?}")]
    NotFound(String),
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_tokens)]
pub struct TokenInfo {
    pub name: String,
    pub created_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

pub fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Stores a new token's hash under a name; the name must not be held by an active token.
pub fn insert(
    conn: &mut DbConn,
    name: &str,
    token_hash: &str,
    now: NaiveDateTime,
) -> Result<(), TokenError> {
    let inserted = with_conn!(conn, |c| diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::name.eq(name),
            api_tokens::token_hash.eq(token_hash),
            api_tokens::created_at.eq(now),
        ))
        .execute(c));
    match inserted {
        Ok(_) => Ok(()),
        Err(e) if is_unique_violation(&e) => Err(TokenError::NameTaken(name.to_string())),
        Err(e) => Err(e.into()),
    }
}

pub fn revoke(conn: &mut DbConn, name: &str, now: NaiveDateTime) -> Result<(), TokenError> {
    let n = with_conn!(conn, |c| diesel::update(
        api_tokens::table
            .filter(api_tokens::name.eq(name))
            .filter(api_tokens::revoked_at.is_null())
    )
    .set(api_tokens::revoked_at.eq(now))
    .execute(c))?;
    if n == 0 {
        return Err(TokenError::NotFound(name.to_string()));
    }
    Ok(())
}

pub fn list(conn: &mut DbConn) -> QueryResult<Vec<TokenInfo>> {
    with_conn!(conn, |c| api_tokens::table
        .order(api_tokens::id.asc())
        .select(TokenInfo::as_select())
        .load(c))
}

/// The name of the active token with this value, if any. Last use is recorded at most hourly so
/// that reads do not turn into writes.
pub fn authenticate(
    conn: &mut DbConn,
    token: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<String>> {
    let found: Option<(i64, String, Option<NaiveDateTime>)> = with_conn!(conn, |c| {
        api_tokens::table
            .filter(api_tokens::token_hash.eq(hash(token)))
            .filter(api_tokens::revoked_at.is_null())
            .select((api_tokens::id, api_tokens::name, api_tokens::last_used_at))
            .get_result(c)
            .optional()
    })?;
    let Some((id, name, last_used)) = found else {
        return Ok(None);
    };
    if last_used.is_none_or(|t| now - t > TimeDelta::hours(1)) {
        with_conn!(conn, |c| diesel::update(api_tokens::table.find(id))
            .set(api_tokens::last_used_at.eq(now))
            .execute(c))?;
    }
    Ok(Some(name))
}
