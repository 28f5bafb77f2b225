//! Editors: who triages, what they own (one `editor_scopes` row per scope), which e-mails they
//! want.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{editor_scopes, editors};
use super::{is_unique_violation, DbConn};
use crate::domain::{Role, Scope};
use crate::with_conn;

/// An editor with what they own.
#[derive(Debug, Clone)]
pub struct Editor {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub active: bool,
    pub wants_alerts: bool,
    pub wants_digest: bool,
    /// Hosts or host/path prefixes owned; none means they hear about articles nobody owns.
    pub scopes: Vec<Scope>,
    pub password_hash: Option<String>,
    pub unsubscribe_token: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// When an administrator removed them: the row stays so the audit trail keeps their name.
    pub removed_at: Option<NaiveDateTime>,
}

impl Editor {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// Whether this editor owns the article at `host` and `path`.
    pub fn owns(&self, host: &str, path: &str) -> bool {
        self.scopes.iter().any(|s| s.covers(host, path))
    }
}

/// The `editors` row itself; its scopes are loaded beside it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = editors)]
pub struct EditorRow {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub active: bool,
    pub wants_alerts: bool,
    pub wants_digest: bool,
    pub password_hash: Option<String>,
    pub unsubscribe_token: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub removed_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone)]
pub struct NewEditor {
    pub name: String,
    pub email: String,
    pub role: Role,
    pub scopes: Vec<Scope>,
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

/// Adds an editor with their scopes.
pub fn add(conn: &mut DbConn, e: &NewEditor, now: NaiveDateTime) -> Result<i64, EditorError> {
    conn.write_tx(|conn| {
        let inserted = with_conn!(conn, |c| diesel::insert_into(editors::table)
            .values((
                editors::name.eq(&e.name),
                editors::email.eq(&e.email),
                editors::role.eq(e.role),
                editors::wants_alerts.eq(e.wants_alerts),
                editors::wants_digest.eq(e.wants_digest),
                editors::unsubscribe_token.eq(&e.unsubscribe_token),
                editors::created_at.eq(now),
                editors::updated_at.eq(now),
            ))
            .returning(editors::id)
            .get_result::<i64>(c));
        let id = match inserted {
            Ok(id) => id,
            Err(err) if is_unique_violation(&err) => {
                return Err(EditorError::Exists(e.email.clone()))
            }
            Err(err) => return Err(err.into()),
        };
        set_scopes(conn, id, &e.scopes)?;
        Ok(id)
    })
}

/// Replaces what an editor owns.
pub fn set_scopes(conn: &mut DbConn, editor_id: i64, scopes: &[Scope]) -> QueryResult<()> {
    with_conn!(conn, |c| diesel::delete(
        editor_scopes::table.filter(editor_scopes::editor_id.eq(editor_id))
    )
    .execute(c))?;
    let mut rows: Vec<String> = scopes.iter().map(Scope::to_string).collect();
    rows.sort();
    rows.dedup();
    for scope in rows {
        with_conn!(conn, |c| diesel::insert_into(editor_scopes::table)
            .values((
                editor_scopes::editor_id.eq(editor_id),
                editor_scopes::scope.eq(&scope),
            ))
            .execute(c))?;
    }
    Ok(())
}

/// Loads the scopes of these editor rows.
fn with_scopes(conn: &mut DbConn, rows: Vec<EditorRow>) -> QueryResult<Vec<Editor>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut scopes: HashMap<i64, Vec<Scope>> = HashMap::new();
    for chunk in ids.chunks(500) {
        let found: Vec<(i64, String)> = with_conn!(conn, |c| editor_scopes::table
            .filter(editor_scopes::editor_id.eq_any(chunk))
            .order((editor_scopes::editor_id, editor_scopes::scope))
            .select((editor_scopes::editor_id, editor_scopes::scope))
            .load(c))?;
        for (id, scope) in found {
            let scope = Scope::parse(&scope).map_err(|e| {
                diesel::result::Error::DeserializationError(format!("editor_scopes: {e}").into())
            })?;
            scopes.entry(id).or_default().push(scope);
        }
    }
    Ok(rows
        .into_iter()
        .map(|r| Editor {
            scopes: scopes.remove(&r.id).unwrap_or_default(),
            id: r.id,
            name: r.name,
            email: r.email,
            role: r.role,
            active: r.active,
            wants_alerts: r.wants_alerts,
            wants_digest: r.wants_digest,
            password_hash: r.password_hash,
            unsubscribe_token: r.unsubscribe_token,
            created_at: r.created_at,
            updated_at: r.updated_at,
            removed_at: r.removed_at,
        })
        .collect())
}

fn one(conn: &mut DbConn, row: Option<EditorRow>) -> QueryResult<Option<Editor>> {
    match row {
        Some(row) => Ok(with_scopes(conn, vec![row])?.pop()),
        None => Ok(None),
    }
}

/// Every editor not removed.
pub fn list(conn: &mut DbConn) -> QueryResult<Vec<Editor>> {
    let rows = with_conn!(conn, |c| editors::table
        .filter(editors::removed_at.is_null())
        .order(editors::email.asc())
        .select(EditorRow::as_select())
        .load(c))?;
    with_scopes(conn, rows)
}

pub fn by_email(conn: &mut DbConn, email: &str) -> QueryResult<Option<Editor>> {
    let row = with_conn!(conn, |c| editors::table
        .filter(editors::email.eq(email))
        .select(EditorRow::as_select())
        .get_result(c)
        .optional())?;
    one(conn, row)
}

pub fn by_unsubscribe_token(conn: &mut DbConn, token: &str) -> QueryResult<Option<Editor>> {
    let row = with_conn!(conn, |c| editors::table
        .filter(editors::unsubscribe_token.eq(token))
        .select(EditorRow::as_select())
        .get_result(c)
        .optional())?;
    one(conn, row)
}

pub fn get(conn: &mut DbConn, id: i64) -> QueryResult<Option<Editor>> {
    let row = with_conn!(conn, |c| editors::table
        .find(id)
        .select(EditorRow::as_select())
        .get_result(c)
        .optional())?;
    one(conn, row)
}

/// Every active editor (ownership counts whether or not they want e-mail).
pub fn active(conn: &mut DbConn) -> QueryResult<Vec<Editor>> {
    let rows = with_conn!(conn, |c| editors::table
        .filter(editors::active.eq(true))
        .select(EditorRow::as_select())
        .order(editors::id.asc())
        .load(c))?;
    with_scopes(conn, rows)
}

/// An editor's row loaded with other data (a session), completed with their scopes.
pub fn complete(conn: &mut DbConn, row: EditorRow) -> QueryResult<Editor> {
    with_scopes(conn, vec![row])?
        .pop()
        .ok_or(diesel::result::Error::NotFound)
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

pub fn set_role(conn: &mut DbConn, id: i64, role: Role, now: NaiveDateTime) -> QueryResult<()> {
    with_conn!(conn, |c| diesel::update(editors::table.find(id))
        .set((editors::role.eq(role), editors::updated_at.eq(now)))
        .execute(c))?;
    Ok(())
}

pub fn set_name(conn: &mut DbConn, id: i64, name: &str, now: NaiveDateTime) -> QueryResult<()> {
    with_conn!(conn, |c| diesel::update(editors::table.find(id))
        .set((editors::name.eq(name), editors::updated_at.eq(now)))
        .execute(c))?;
    Ok(())
}

/// Every editor's name by e-mail address, removed editors included: audit trails record the
/// address and show the name.
pub fn names(conn: &mut DbConn) -> QueryResult<HashMap<String, String>> {
    let rows: Vec<(String, String)> = with_conn!(conn, |c| editors::table
        .select((editors::email, editors::name))
        .load(c))?;
    Ok(rows.into_iter().collect())
}

/// How many active administrators there are besides `except`.
pub fn other_admins(conn: &mut DbConn, except: i64) -> QueryResult<i64> {
    with_conn!(conn, |c| editors::table
        .filter(editors::role.eq(Role::Admin))
        .filter(editors::active.eq(true))
        .filter(editors::removed_at.is_null())
        .filter(editors::id.ne(except))
        .count()
        .get_result(c))
}

/// Removes an editor softly: the row stays (with name and e-mail address, so audit trails and
/// assignments still read), but nothing signs in as it or mails it.
pub fn remove(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> QueryResult<()> {
    with_conn!(conn, |c| diesel::update(editors::table.find(id))
        .set((
            editors::removed_at.eq(now),
            editors::active.eq(false),
            editors::wants_alerts.eq(false),
            editors::wants_digest.eq(false),
            editors::password_hash.eq(None::<String>),
            editors::updated_at.eq(now),
        ))
        .execute(c))?;
    Ok(())
}

/// Brings a removed editor back as `e` describes them, without a password (they accept a new
/// invitation). Their unsubscribe token stays.
pub fn revive(conn: &mut DbConn, id: i64, e: &NewEditor, now: NaiveDateTime) -> QueryResult<()> {
    with_conn!(conn, |c| diesel::update(editors::table.find(id))
        .set((
            editors::name.eq(&e.name),
            editors::role.eq(e.role),
            editors::active.eq(true),
            editors::wants_alerts.eq(e.wants_alerts),
            editors::wants_digest.eq(e.wants_digest),
            editors::password_hash.eq(None::<String>),
            editors::removed_at.eq(None::<NaiveDateTime>),
            editors::updated_at.eq(now),
        ))
        .execute(c))?;
    set_scopes(conn, id, &e.scopes)
}
