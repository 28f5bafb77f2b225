//! Editors: adding them, what they own and who hears about an article, their e-mail settings
//! (and the unsubscribe link in every e-mail, `unsubscribe`), enabling, disabling and passwords.
//! The CLI and the dashboard's admin pages call the same functions. Disabling an editor or
//! setting their password ends every session they have.
//!
//! May import: `auth` (passwords), `db`, `domain`, `errors`, `http`.

pub mod unsubscribe;

use base64::Engine;
use rand::RngCore;

use crate::auth::passwords;
use crate::db::editors::{self as store, Editor, EditorError, NewEditor};
use crate::db::{sessions, DbConn};
use crate::domain::{EditorId, Role, Scope};
use crate::errors::ApiError;

/// Who is e-mailed about an article: the active editors who own it and want alerts; when no
/// active editor owns it, every active editor who wants alerts.
pub fn alert_recipients<'a>(editors: &'a [Editor], host: &str, path: &str) -> Vec<&'a Editor> {
    let owners: Vec<&Editor> = editors
        .iter()
        .filter(|e| e.active && e.owns(host, path))
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
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err("a name must be 1 to 200 characters".into());
    }
    let scopes = scopes
        .iter()
        .map(|s| Scope::parse(s))
        .collect::<Result<Vec<_>, _>>()?;
    let mut token = [0u8; 24];
    rand::rng().fill_bytes(&mut token);
    Ok(NewEditor {
        name: name.to_string(),
        email,
        role: if admin { Role::Admin } else { Role::Editor },
        scopes,
        wants_alerts,
        wants_digest,
        unsubscribe_token: base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(token),
    })
}

fn editor_error(e: EditorError) -> ApiError {
    match e {
        EditorError::Database(d) => d.into(),
        EditorError::Exists(_) => ApiError::conflict(e.to_string()).with_field("email"),
        EditorError::NotFound(_) => ApiError::not_found("editor"),
    }
}

pub fn add(conn: &mut DbConn, new: &NewEditor) -> Result<EditorId, ApiError> {
    store::add(conn, new, crate::db::now())
        .map(EditorId)
        .map_err(editor_error)
}

/// Adds an editor whom single sign-on verified in an allowed domain: role editor, owning
/// nothing, with alerts and the digest as `flagpole editor add` gives them. Their name is the
/// provider's, or the address's local part when the provider gives none fit to show. When the
/// same editor signs in twice at once, the second finds the first's row.
pub fn join(conn: &mut DbConn, email: &str, name: Option<String>) -> Result<Editor, ApiError> {
    let local = email.split('@').next().unwrap_or(email);
    let new = name
        .and_then(|n| new_editor(&n, email, false, &[], true, true).ok())
        .map_or_else(|| new_editor(local, email, false, &[], true, true), Ok)
        .map_err(|e| ApiError::bad_request("invalid_editor", e))?;
    match store::add(conn, &new, crate::db::now()) {
        Ok(id) => get(conn, EditorId(id)),
        Err(EditorError::Exists(_)) => by_email(conn, email),
        Err(e) => Err(editor_error(e)),
    }
}

pub fn by_email(conn: &mut DbConn, email: &str) -> Result<Editor, ApiError> {
    store::by_email(conn, &email.trim().to_ascii_lowercase())?
        .ok_or_else(|| ApiError::not_found(&format!("editor with e-mail {}", email.trim())))
}

pub fn get(conn: &mut DbConn, id: EditorId) -> Result<Editor, ApiError> {
    store::get(conn, id.get())?.ok_or_else(|| ApiError::not_found(EditorId::WHAT))
}

/// Lets an editor sign in and receive e-mail again, or stops both. Disabling ends every session
/// they have; enabling opens none (they sign in again).
pub fn set_active(conn: &mut DbConn, id: EditorId, active: bool) -> Result<(), ApiError> {
    conn.write_tx(|c| {
        let editor = get(c, id)?;
        store::set_active(c, &editor.email, active, crate::db::now()).map_err(editor_error)?;
        if !active {
            sessions::delete_for_editor(c, id.get())?;
        }
        Ok(())
    })
}

/// Sets an editor's password and ends every session they have (a password changed because it
/// leaked must lock out whoever used it).
pub fn set_password(conn: &mut DbConn, id: EditorId, password: &str) -> Result<(), ApiError> {
    let hash = passwords::hash(password).map_err(|why| ApiError::invalid("password", why))?;
    conn.write_tx(|c| {
        let editor = get(c, id)?;
        store::set_password_hash(c, &editor.email, &hash, crate::db::now())
            .map_err(editor_error)?;
        sessions::delete_for_editor(c, id.get())?;
        Ok(())
    })
}

pub fn set_role(conn: &mut DbConn, id: EditorId, role: Role) -> Result<(), ApiError> {
    get(conn, id)?;
    Ok(store::set_role(conn, id.get(), role, crate::db::now())?)
}

/// Which e-mails an editor receives.
pub fn set_subscriptions(
    conn: &mut DbConn,
    id: EditorId,
    alerts: bool,
    digest: bool,
) -> Result<(), ApiError> {
    Ok(store::set_subscriptions(
        conn,
        id.get(),
        alerts,
        digest,
        crate::db::now(),
    )?)
}
