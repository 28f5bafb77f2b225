//! Editors: who triages, what they own, which e-mails they want.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::editors;
use super::{is_unique_violation, DbConn};
use crate::with_conn;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = editors)]
pub struct Editor {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: String,
    pub active: bool,
    pub wants_alerts: bool,
    pub wants_digest: bool,
    /// Hosts or host/path prefixes owned, one per line.
    pub scopes: String,
    pub password_hash: Option<String>,
    pub unsubscribe_token: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Editor {
    pub fn scope_list(&self) -> impl Iterator<Item = &str> {
        self.scopes.lines().map(str::trim).filter(|s| !s.is_empty())
    }

    pub fn is_admin(&self) -> bool {
        self.role == "admin"
    }
}

#[derive(Debug, Clone)]
pub struct NewEditor {
    pub name: String,
    pub email: String,
    pub role: String,
    pub scopes: Vec<String>,
    pub wants_alerts: bool,
    pub wants_digest: bool,
    pub unsubscribe_token: String,
}

#[derive(Debug, thiserror::Error)]
pub enum EditorError {
    #[error("an editor with e-mail {0} exists already")]
    Exists(String),
    #[error("no editor with e-mail {0}")]
    NotFound(String),
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
}

pub fn add(conn: &mut DbConn, e: &NewEditor, now: NaiveDateTime) -> Result<(), EditorError> {
    let inserted = with_conn!(conn, |c| diesel::insert_into(editors::table)
        .values((
            editors::name.eq(&e.name),
            editors::email.eq(&e.email),
            editors::role.eq(&e.role),
            editors::scopes.eq(e.scopes.join("\n")),
            editors::wants_alerts.eq(e.wants_alerts),
            editors::wants_digest.eq(e.wants_digest),
            editors::unsubscribe_token.eq(&e.unsubscribe_token),
            editors::created_at.eq(now),
            editors::updated_at.eq(now),
        ))
        .execute(c));
    match inserted {
        Ok(_) => Ok(()),
        Err(err) if is_unique_violation(&err) => Err(EditorError::Exists(e.email.clone())),
        Err(err) => Err(err.into()),
    }
}

pub fn list(conn: &mut DbConn) -> QueryResult<Vec<Editor>> {
    with_conn!(conn, |c| editors::table
        .order(editors::email.asc())
        .select(Editor::as_select())
        .load(c))
}

pub fn by_email(conn: &mut DbConn, email: &str) -> QueryResult<Option<Editor>> {
    with_conn!(conn, |c| editors::table
        .filter(editors::email.eq(email))
        .select(Editor::as_select())
        .get_result(c)
        .optional())
}

pub fn by_unsubscribe_token(conn: &mut DbConn, token: &str) -> QueryResult<Option<Editor>> {
    with_conn!(conn, |c| editors::table
        .filter(editors::unsubscribe_token.eq(token))
        .select(Editor::as_select())
        .get_result(c)
        .optional())
}

/// Every active editor (ownership counts whether or not they want e-mail).
pub fn active(conn: &mut DbConn) -> QueryResult<Vec<Editor>> {
    with_conn!(conn, |c| editors::table
        .filter(editors::active.eq(true))
        .select(Editor::as_select())
        .order(editors::id.asc())
        .load(c))
}

fn changed(n: usize, email: &str) -> Result<(), EditorError> {
    if n == 0 {
        Err(EditorError::NotFound(email.to_string()))
    } else {
        Ok(())
    }
}

pub fn set_active(
    conn: &mut DbConn,
    email: &str,
    active: bool,
    now: NaiveDateTime,
) -> Result<(), EditorError> {
    let n = with_conn!(conn, |c| diesel::update(
        editors::table.filter(editors::email.eq(email))
    )
    .set((editors::active.eq(active), editors::updated_at.eq(now)))
    .execute(c))?;
    changed(n, email)
}

pub fn set_password_hash(
    conn: &mut DbConn,
    email: &str,
    hash: &str,
    now: NaiveDateTime,
) -> Result<(), EditorError> {
    let n = with_conn!(conn, |c| diesel::update(
        editors::table.filter(editors::email.eq(email))
    )
    .set((editors::password_hash.eq(hash), editors::updated_at.eq(now)))
    .execute(c))?;
    changed(n, email)
}

/// Which e-mails an editor receives.
pub fn set_subscriptions(
    conn: &mut DbConn,
    id: i64,
    wants_alerts: bool,
    wants_digest: bool,
    now: NaiveDateTime,
) -> QueryResult<()> {
    with_conn!(conn, |c| diesel::update(editors::table.find(id))
        .set((
            editors::wants_alerts.eq(wants_alerts),
            editors::wants_digest.eq(wants_digest),
            editors::updated_at.eq(now),
        ))
        .execute(c))?;
    Ok(())
}

pub fn get(conn: &mut DbConn, id: i64) -> QueryResult<Option<Editor>> {
    with_conn!(conn, |c| editors::table
        .find(id)
        .select(Editor::as_select())
        .get_result(c)
        .optional())
}

pub fn set_role(conn: &mut DbConn, id: i64, role: &str, now: NaiveDateTime) -> QueryResult<()> {
    with_conn!(conn, |c| diesel::update(editors::table.find(id))
        .set((editors::role.eq(role), editors::updated_at.eq(now)))
        .execute(c))?;
    Ok(())
}
