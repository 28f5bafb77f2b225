//! Dashboard sessions, kept in the database so that every instance knows them and signing out,
//! or disabling an editor, ends them everywhere.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::editors::{self as editor_rows, Editor, EditorRow};
use super::schema::{editors, sessions};
use super::DbConn;
use crate::with_conn;

pub fn create(
    conn: &mut DbConn,
    token_hash: &str,
    editor_id: i64,
    csrf_token: &str,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> QueryResult<()> {
    // Expired sessions go whenever someone signs in: no sweeper needed.
    with_conn!(conn, |c| diesel::delete(
        sessions::table.filter(sessions::expires_at.lt(now))
    )
    .execute(c))?;
    with_conn!(conn, |c| diesel::insert_into(sessions::table)
        .values((
            sessions::token_hash.eq(token_hash),
            sessions::editor_id.eq(editor_id),
            sessions::csrf_token.eq(csrf_token),
            sessions::created_at.eq(now),
            sessions::expires_at.eq(expires_at),
        ))
        .execute(c))?;
    Ok(())
}

/// The active editor and CSRF token of a live session.
pub fn find(
    conn: &mut DbConn,
    token_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<(Editor, String)>> {
    let found: Option<(EditorRow, String, NaiveDateTime)> = with_conn!(conn, |c| sessions::table
        .inner_join(editors::table)
        .filter(sessions::token_hash.eq(token_hash))
        .select((
            EditorRow::as_select(),
            sessions::csrf_token,
            sessions::expires_at
        ))
        .get_result(c)
        .optional())?;
    match found.filter(|(editor, _, expires)| editor.active && *expires > now) {
        Some((row, csrf, _)) => Ok(Some((editor_rows::complete(conn, row)?, csrf))),
        None => Ok(None),
    }
}

pub fn delete(conn: &mut DbConn, token_hash: &str) -> QueryResult<()> {
    with_conn!(conn, |c| diesel::delete(sessions::table.find(token_hash))
        .execute(c))?;
    Ok(())
}

/// Ends every session of an editor (disabled, or password changed).
pub fn delete_for_editor(conn: &mut DbConn, editor_id: i64) -> QueryResult<()> {
    with_conn!(conn, |c| diesel::delete(
        sessions::table.filter(sessions::editor_id.eq(editor_id))
    )
    .execute(c))?;
    Ok(())
}
