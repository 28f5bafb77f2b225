//! Editor accounts without the server: invitations and password resets by one-time link, sent
//! through the outbox in the same transaction that makes the link.
//!
//! A link is 256 random bits; only its SHA-256 is stored (as for sessions and API tokens). It
//! works once: choosing a password marks it used, voids the editor's other unused links and ends
//! every session the editor has. An invitation is valid for [`INVITATION_HOURS`], a password
//! reset for [`RESET_MINUTES`] (a reset link is a password by another name, so it lives only as
//! long as someone waiting for the e-mail needs).

use chrono::{NaiveDateTime, TimeDelta};
use maud::html;

use super::{editor_error, get};
use crate::auth::sessions::random_token;
use crate::db::editors::{self as store, Editor, EditorError, NewEditor};
use crate::db::outbox::{self, NewEmail};
use crate::db::{accounts as links, sessions, tokens, DbConn};
use crate::domain::{EditorId, LinkPurpose, MailKind};
use crate::errors::ApiError;
use crate::mail::templates::{html_one_off, Email};

pub const INVITATION_HOURS: i64 = 72;
pub const RESET_MINUTES: i64 = 60;

/// Why a link does not open. Each gets its own page: the holder can do something about each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkRefused {
    /// No such link, or its editor was removed or disabled since.
    Unknown,
    Used,
    Expired,
}

#[derive(Debug)]
pub enum LinkError {
    Refused(LinkRefused),
    Failed(ApiError),
}

impl From<ApiError> for LinkError {
    fn from(e: ApiError) -> Self {
        LinkError::Failed(e)
    }
}

impl From<diesel::result::Error> for LinkError {
    fn from(e: diesel::result::Error) -> Self {
        LinkError::Failed(e.into())
    }
}

/// A link that works: whose it is and what it is for.
pub struct OpenLink {
    pub editor: Editor,
    pub purpose: LinkPurpose,
    link_id: i64,
}

fn validity(purpose: LinkPurpose) -> TimeDelta {
    match purpose {
        LinkPurpose::Invitation => TimeDelta::hours(INVITATION_HOURS),
        LinkPurpose::PasswordReset => TimeDelta::minutes(RESET_MINUTES),
    }
}

/// Invites someone to be an editor: adds them without a password (or brings back a removed
/// editor with that address, history and all) and queues the e-mail with their link, in one
/// transaction. `invited_by` is the inviter's name, for the e-mail.
pub fn invite(
    conn: &mut DbConn,
    new: &NewEditor,
    invited_by: &str,
    public_url: &str,
) -> Result<EditorId, ApiError> {
    conn.write_tx(|c| {
        let now = crate::db::now();
        let id = match store::by_email(c, &new.email)? {
            Some(old) if old.removed_at.is_some() => {
                store::revive(c, old.id, new, now)?;
                old.id
            }
            Some(_) => return Err(editor_error(EditorError::Exists(new.email.clone()))),
            None => store::add(c, new, now).map_err(editor_error)?,
        };
        let editor = get(c, EditorId(id))?;
        send_link(
            c,
            &editor,
            LinkPurpose::Invitation,
            invited_by,
            public_url,
            now,
        )?;
        Ok(EditorId(id))
    })
}

/// Sends a new invitation to an editor who has not chosen a password yet (the old link stops
/// working).
pub fn reinvite(
    conn: &mut DbConn,
    id: EditorId,
    invited_by: &str,
    public_url: &str,
) -> Result<(), ApiError> {
    conn.write_tx(|c| {
        let editor = get(c, id)?;
        if editor.password_hash.is_some() {
            return Err(ApiError::conflict(format!(
                "{} has a password already; they can use \"Forgot your password?\"",
                editor.email
            )));
        }
        send_link(
            c,
            &editor,
            LinkPurpose::Invitation,
            invited_by,
            public_url,
            crate::db::now(),
        )
    })
}

/// Sends a password-reset link to the active editor with this address, if there is one; true
/// when one was sent. Callers must answer the same either way.
pub fn request_reset(conn: &mut DbConn, email: &str, public_url: &str) -> Result<bool, ApiError> {
    let email = email.trim().to_ascii_lowercase();
    conn.write_tx(|c| match store::by_email(c, &email)? {
        Some(editor) if editor.active && editor.removed_at.is_none() => {
            send_link(
                c,
                &editor,
                LinkPurpose::PasswordReset,
                "",
                public_url,
                crate::db::now(),
            )?;
            Ok(true)
        }
        _ => Ok(false),
    })
}

fn send_link(
    c: &mut DbConn,
    editor: &Editor,
    purpose: LinkPurpose,
    invited_by: &str,
    public_url: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let token = random_token();
    let expires = now + validity(purpose);
    links::insert(c, editor.id, purpose, &tokens::hash(&token), now, expires)?;
    let url = format!(
        "{}/dashboard/password/{token}",
        public_url.trim_end_matches('/')
    );
    let (kind, email) = match purpose {
        LinkPurpose::Invitation => (
            MailKind::Invitation,
            invitation_email(editor, invited_by, &url, expires),
        ),
        LinkPurpose::PasswordReset => (MailKind::PasswordReset, reset_email(editor, &url, expires)),
    };
    outbox::enqueue(
        c,
        &NewEmail {
            kind,
            dedupe_key: None,
            alert_id: None,
            recipient: editor.email.clone(),
            subject: email.subject,
            body_text: email.text,
            body_html: email.html,
            message_id: format!(
                "<{}.{}.{:08x}@{}>",
                purpose.as_str(),
                editor.id,
                rand::random::<u32>(),
                crate::mail::message_id_domain(public_url)
            ),
            unsubscribe_url: None,
        },
        now,
    )?;
    Ok(())
}

/// The link for this token, if it still works.
pub fn open_link(conn: &mut DbConn, token: &str) -> Result<OpenLink, LinkError> {
    if token.is_empty() || token.len() > 100 {
        return Err(LinkError::Refused(LinkRefused::Unknown));
    }
    let Some(link) = links::find(conn, &tokens::hash(token))? else {
        return Err(LinkError::Refused(LinkRefused::Unknown));
    };
    if link.used_at.is_some() {
        return Err(LinkError::Refused(LinkRefused::Used));
    }
    if link.expires_at <= crate::db::now() {
        return Err(LinkError::Refused(LinkRefused::Expired));
    }
    match store::get(conn, link.editor_id)? {
        Some(editor) if editor.active && editor.removed_at.is_none() => Ok(OpenLink {
            editor,
            purpose: link.purpose,
            link_id: link.id,
        }),
        _ => Err(LinkError::Refused(LinkRefused::Unknown)),
    }
}

/// Sets the password of the link's editor and uses the link up; every session the editor had
/// ends and their other links stop working. Returns the editor, for a new session.
pub fn choose_password(
    conn: &mut DbConn,
    token: &str,
    password: &str,
) -> Result<Editor, LinkError> {
    open_link(conn, token)?;
    let hash = crate::auth::passwords::hash(password)
        .map_err(|why| LinkError::Failed(ApiError::invalid("password", why)))?;
    conn.write_tx(|c| {
        let link = open_link(c, token)?;
        if !links::consume(c, link.link_id, crate::db::now())? {
            return Err(LinkError::Refused(LinkRefused::Used));
        }
        store::set_password_hash(c, &link.editor.email, &hash, crate::db::now())
            .map_err(|e| LinkError::Failed(editor_error(e)))?;
        sessions::delete_for_editor(c, link.editor.id)?;
        links::void_for_editor(c, link.editor.id)?;
        Ok(link.editor)
    })
}

fn until(expires: NaiveDateTime) -> String {
    expires.format("%-d %B %Y, %H:%M UTC").to_string()
}

fn invitation_email(editor: &Editor, invited_by: &str, url: &str, expires: NaiveDateTime) -> Email {
    let inviter = if invited_by.is_empty() {
        "An administrator"
    } else {
        invited_by
    };
    let role = if editor.is_admin() {
        "an administrator"
    } else {
        "an editor"
    };
    let subject = format!("{inviter} invited you to flagpole");
    let text = format!(
        "Hello {name},\n\n\
         {inviter} invited you to flagpole as {role}. flagpole collects readers' feedback on \
         articles and tells editors which ones need attention.\n\n\
         Choose a password to accept the invitation:\n{url}\n\n\
         The link works once, until {until} ({INVITATION_HOURS} hours). If it has expired, ask \
         {inviter} to invite you again. You will sign in with this address, {email}.\n\n\
         -- \nYou receive this because {inviter} invited {email} to flagpole. If you did not \
         expect it, ignore it: nothing happens unless the link is used.\n",
        name = editor.name,
        until = until(expires),
        email = editor.email,
    );
    let why = format!(
        "You receive this because {inviter} invited {} to flagpole. If you did not expect it, ignore it: nothing happens unless the link is used.",
        editor.email
    );
    let html = html_one_off(
        &subject,
        html! {
            p { "Hello " (editor.name) "," }
            p { (inviter) " invited you to flagpole as " (role) ". flagpole collects readers' feedback on articles and tells editors which ones need attention." }
            p { a href=(url) style="font-weight:bold" { "Choose a password to accept the invitation" } }
            p { "The link works once, until " (until(expires)) " (" (INVITATION_HOURS) " hours). If it has expired, ask " (inviter) " to invite you again. You will sign in with this address, " (editor.email) "." }
        },
        &why,
    );
    Email {
        subject,
        text,
        html: html.into_string(),
    }
}

fn reset_email(editor: &Editor, url: &str, expires: NaiveDateTime) -> Email {
    let subject = "Choose a new flagpole password".to_string();
    let text = format!(
        "Hello {name},\n\n\
         Someone, probably you, asked to reset the password of the flagpole account {email}.\n\n\
         Choose a new password here:\n{url}\n\n\
         The link works once, until {until} ({RESET_MINUTES} minutes). Choosing a new password \
         signs you out everywhere else.\n\n\
         -- \nIf you did not ask for this, ignore this e-mail: your password stays as it is.\n",
        name = editor.name,
        email = editor.email,
        until = until(expires),
    );
    let html = html_one_off(
        &subject,
        html! {
            p { "Hello " (editor.name) "," }
            p { "Someone, probably you, asked to reset the password of the flagpole account " (editor.email) "." }
            p { a href=(url) style="font-weight:bold" { "Choose a new password" } }
            p { "The link works once, until " (until(expires)) " (" (RESET_MINUTES) " minutes). Choosing a new password signs you out everywhere else." }
        },
        "If you did not ask for this, ignore this e-mail: your password stays as it is.",
    );
    Email {
        subject,
        text,
        html: html.into_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Role;

    fn editor(name: &str) -> Editor {
        let now = crate::db::now();
        Editor {
            id: 7,
            name: name.into(),
            email: "ana@example.org".into(),
            role: Role::Admin,
            active: true,
            wants_alerts: true,
            wants_digest: true,
            scopes: vec![],
            password_hash: None,
            unsubscribe_token: "t".into(),
            created_at: now,
            updated_at: now,
            removed_at: None,
        }
    }

    /// Names are typed by administrators, but an e-mail's HTML escapes them all the same.
    #[test]
    fn account_emails_escape_names_and_carry_the_link_in_both_parts() {
        let expires = chrono::NaiveDate::from_ymd_opt(2026, 12, 8)
            .and_then(|d| d.and_hms_opt(9, 5, 0))
            .expect("a date");
        let url = "https://feedback.example.org/dashboard/password/abc";
        let invited = invitation_email(&editor("<b>Ana</b>"), "Lee & Co", url, expires);
        assert_eq!(invited.subject, "Lee & Co invited you to flagpole");
        assert!(
            invited.html.contains("&lt;b&gt;Ana&lt;/b&gt;") && !invited.html.contains("<b>Ana")
        );
        assert!(invited.html.contains("Lee &amp; Co invited you"));
        assert!(invited.text.contains("as an administrator"));
        assert!(invited
            .text
            .contains("until 8 December 2026, 09:05 UTC (72 hours)"));
        let reset = reset_email(&editor("Ana"), url, expires);
        for part in [&invited.text, &invited.html, &reset.text, &reset.html] {
            assert!(part.contains(url), "{part}");
        }
        assert!(reset.text.contains("(60 minutes)"));
        let anonymous = invitation_email(&editor("Ana"), "", url, expires);
        assert_eq!(
            anonymous.subject,
            "An administrator invited you to flagpole"
        );
    }
}
