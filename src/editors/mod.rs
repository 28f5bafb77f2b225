//! Editors: adding and inviting them (`accounts`, with password resets), what they own and who
//! hears about an article, their e-mail settings (and the unsubscribe link in every e-mail,
//! `unsubscribe`), enabling, disabling, removing and passwords. The CLI and the dashboard's admin
//! pages call the same functions. Disabling or removing an editor or setting their password ends
//! every session they have. There is always an active administrator: the last one can be neither
//! demoted, disabled nor removed.
//!
//! Removal is soft: the row keeps the editor's name and e-mail address, so the audit trail (which
//! records the address) still shows who did what, and assignments still resolve. A removed editor
//! is listed nowhere, cannot sign in and is sent nothing; inviting the same address again brings
//! the account back.
//!
//! May import: `auth` (passwords, tokens), `db`, `domain`, `errors`, `http`, `mail` (templates).

pub mod accounts;
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
    let mut token = [0u8; 24];
    rand::rng().fill_bytes(&mut token);
    Ok(NewEditor {
        name: check_name(name)?,
        email,
        role: if admin { Role::Admin } else { Role::Editor },
        scopes: check_scopes(scopes)?,
        wants_alerts,
        wants_digest,
        unsubscribe_token: base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(token),
    })
}

/// An editor's name as shown in the dashboard and the audit trail.
pub fn check_name(name: &str) -> Result<String, String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err("a name must be 1 to 200 characters".into());
    }
    Ok(name.to_string())
}

/// What an editor owns, as typed (hosts or host/path prefixes).
pub fn check_scopes(scopes: &[String]) -> Result<Vec<Scope>, String> {
    scopes.iter().map(|s| Scope::parse(s)).collect()
}

pub(crate) fn editor_error(e: EditorError) -> ApiError {
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

/// An editor not removed, by e-mail address.
pub fn by_email(conn: &mut DbConn, email: &str) -> Result<Editor, ApiError> {
    store::by_email(conn, &email.trim().to_ascii_lowercase())?
        .filter(|e| e.removed_at.is_none())
        .ok_or_else(|| ApiError::not_found(&format!("editor with e-mail {}", email.trim())))
}

/// An editor not removed.
pub fn get(conn: &mut DbConn, id: EditorId) -> Result<Editor, ApiError> {
    store::get(conn, id.get())?
        .filter(|e| e.removed_at.is_none())
        .ok_or_else(|| ApiError::not_found(EditorId::WHAT))
}

/// Refuses to take away the last active administrator: nobody could manage editors afterwards
/// except from the server.
fn keep_an_admin(conn: &mut DbConn, editor: &Editor) -> Result<(), ApiError> {
    if editor.is_admin() && editor.active && store::other_admins(conn, editor.id)? == 0 {
        return Err(ApiError::conflict(format!(
            "{} is the last administrator; make someone else an administrator first",
            editor.email
        )));
    }
    Ok(())
}

/// Lets an editor sign in and receive e-mail again, or stops both. Disabling ends every session
/// they have; enabling opens none (they sign in again).
pub fn set_active(conn: &mut DbConn, id: EditorId, active: bool) -> Result<(), ApiError> {
    conn.write_tx(|c| {
        let editor = get(c, id)?;
        if !active {
            keep_an_admin(c, &editor)?;
        }
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
    conn.write_tx(|c| {
        let editor = get(c, id)?;
        if role != Role::Admin {
            keep_an_admin(c, &editor)?;
        }
        Ok(store::set_role(c, id.get(), role, crate::db::now())?)
    })
}

pub fn set_name(conn: &mut DbConn, id: EditorId, name: &str) -> Result<(), ApiError> {
    let name = check_name(name).map_err(|why| ApiError::invalid("name", why))?;
    get(conn, id)?;
    Ok(store::set_name(conn, id.get(), &name, crate::db::now())?)
}

/// Replaces what an editor owns (nothing: they hear about articles nobody owns).
pub fn set_scopes(conn: &mut DbConn, id: EditorId, scopes: &[String]) -> Result<(), ApiError> {
    let scopes = check_scopes(scopes).map_err(|why| ApiError::invalid("owns", why))?;
    conn.write_tx(|c| {
        get(c, id)?;
        Ok(store::set_scopes(c, id.get(), &scopes)?)
    })
}

/// Everything an administrator can change about an editor at once.
pub struct Changes {
    pub name: String,
    pub role: Role,
    pub scopes: Vec<String>,
    pub wants_alerts: bool,
    pub wants_digest: bool,
}

/// Applies all of `changes`, or none of them.
pub fn update(conn: &mut DbConn, id: EditorId, changes: &Changes) -> Result<(), ApiError> {
    conn.write_tx(|c| {
        set_name(c, id, &changes.name)?;
        set_role(c, id, changes.role)?;
        set_scopes(c, id, &changes.scopes)?;
        set_subscriptions(c, id, changes.wants_alerts, changes.wants_digest)
    })
}

/// Removes an editor (see the module documentation): their sessions end and their unused
/// account links stop working.
pub fn remove(conn: &mut DbConn, id: EditorId) -> Result<Editor, ApiError> {
    conn.write_tx(|c| {
        let editor = get(c, id)?;
        keep_an_admin(c, &editor)?;
        store::remove(c, id.get(), crate::db::now())?;
        sessions::delete_for_editor(c, id.get())?;
        crate::db::accounts::void_for_editor(c, id.get())?;
        Ok(editor)
    })
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
