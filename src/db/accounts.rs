//! One-time account links (invitations, password resets), stored as the SHA-256 of their token.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::account_links;
use super::DbConn;
use crate::domain::LinkPurpose;
use crate::with_conn;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = account_links)]
pub struct LinkRow {
    pub id: i64,
    pub editor_id: i64,
    pub purpose: LinkPurpose,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
}

/// Stores a new link; the editor's earlier unused links for the same purpose stop working, so
/// only the newest e-mail's link does.
pub fn insert(
    conn: &mut DbConn,
    editor_id: i64,
    purpose: LinkPurpose,
    token_hash: &str,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> QueryResult<()> {
    with_conn!(conn, |c| diesel::delete(
        account_links::table
            .filter(account_links::editor_id.eq(editor_id))
            .filter(account_links::purpose.eq(purpose))
            .filter(account_links::used_at.is_null())
    )
    .execute(c))?;
    with_conn!(conn, |c| diesel::insert_into(account_links::table)
        .values((
            account_links::editor_id.eq(editor_id),
            account_links::purpose.eq(purpose),
            account_links::token_hash.eq(token_hash),
            account_links::created_at.eq(now),
            account_links::expires_at.eq(expires_at),
        ))
        .execute(c))?;
    Ok(())
}

pub fn find(conn: &mut DbConn, token_hash: &str) -> QueryResult<Option<LinkRow>> {
    with_conn!(conn, |c| account_links::table
        .filter(account_links::token_hash.eq(token_hash))
        .select(LinkRow::as_select())
        .get_result(c)
        .optional())
}

/// Marks a link used; false when it was used already (two tabs racing get one success).
pub fn consume(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> QueryResult<bool> {
    let n = with_conn!(conn, |c| diesel::update(
        account_links::table
            .filter(account_links::id.eq(id))
            .filter(account_links::used_at.is_null())
    )
    .set(account_links::used_at.eq(now))
    .execute(c))?;
    Ok(n == 1)
}

/// Ends every unused link of an editor (a password chosen, or the editor removed).
pub fn void_for_editor(conn: &mut DbConn, editor_id: i64) -> QueryResult<()> {
    with_conn!(conn, |c| diesel::delete(
        account_links::table
            .filter(account_links::editor_id.eq(editor_id))
            .filter(account_links::used_at.is_null())
    )
    .execute(c))?;
    Ok(())
}
