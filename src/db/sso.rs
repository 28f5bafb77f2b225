//! Single sign-on attempts in flight (see `auth::oidc`): stored when an editor is sent to the
//! identity provider, taken exactly once when the provider sends them back.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::sso_logins;
use super::DbConn;
use crate::with_conn;

/// What the answer to one authorization request is checked against.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sso_logins)]
pub struct SsoLogin {
    pub nonce: String,
    pub pkce_verifier: String,
    pub next_path: String,
    pub expires_at: NaiveDateTime,
}

pub fn create(
    conn: &mut DbConn,
    state_hash: &str,
    login: &SsoLogin,
    now: NaiveDateTime,
) -> QueryResult<()> {
    // Abandoned attempts go whenever another starts: no sweeper needed.
    with_conn!(conn, |c| diesel::delete(
        sso_logins::table.filter(sso_logins::expires_at.lt(now))
    )
    .execute(c))?;
    with_conn!(conn, |c| diesel::insert_into(sso_logins::table)
        .values((
            sso_logins::state_hash.eq(state_hash),
            sso_logins::nonce.eq(&login.nonce),
            sso_logins::pkce_verifier.eq(&login.pkce_verifier),
            sso_logins::next_path.eq(&login.next_path),
            sso_logins::expires_at.eq(login.expires_at),
        ))
        .execute(c))?;
    Ok(())
}

/// Removes and returns the attempt with this state, live or not. One statement, so of two
/// requests with the same state (on any instances) only one gets the row.
pub fn take(conn: &mut DbConn, state_hash: &str) -> QueryResult<Option<SsoLogin>> {
    with_conn!(conn, |c| diesel::delete(sso_logins::table.find(state_hash))
        .returning(SsoLogin::as_returning())
        .get_result(c)
        .optional())
}
