//! A triage action on a report, and who took it: one shape for the API's PATCH, the dashboard's
//! buttons and bulk actions, recorded as one event in the report's audit trail.

use std::fmt;

use super::{Lane, Note, ReportStatus};

/// What a triage action changes. Every action is recorded as an event, even a bare note.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportChange {
    pub status: Option<ReportStatus>,
    /// Moves the report to another lane (and teaches the classifier).
    pub lane: Option<Lane>,
    /// `Some(None)` removes the assignee.
    pub assignee: Option<Option<String>>,
    pub note: Option<Note>,
    /// Published with the date when the report is resolved: editor-written, never the reader's.
    pub public_correction: Option<Note>,
}

impl ReportChange {
    /// The longest assignee accepted (an e-mail address's limit).
    pub const MAX_ASSIGNEE_CHARS: usize = 254;

    /// Checks the parts of an action as a client sent them; an error names the field at fault.
    /// An empty assignee removes the assignee.
    pub fn new(
        status: Option<ReportStatus>,
        assignee: Option<&str>,
        note: Option<&str>,
    ) -> Result<ReportChange, (&'static str, String)> {
        let note = match note {
            Some(raw) => Note::parse(raw).map_err(|why| ("note", why))?,
            None => None,
        };
        let assignee = match assignee.map(str::trim) {
            None => None,
            Some("") => Some(None),
            Some(a) if a.chars().count() > Self::MAX_ASSIGNEE_CHARS => {
                return Err((
                    "assignee",
                    format!(
                        "assignee must be at most {} characters",
                        Self::MAX_ASSIGNEE_CHARS
                    ),
                ))
            }
            Some(a) if a.chars().any(char::is_control) => {
                return Err((
                    "assignee",
                    "assignee must not contain control characters".into(),
                ))
            }
            Some(a) => Some(Some(a.to_string())),
        };
        Ok(ReportChange {
            status,
            lane: None,
            assignee,
            note,
            public_correction: None,
        })
    }

    /// Adds a public correction; only a change that resolves may carry one.
    pub fn with_public_correction(
        mut self,
        raw: Option<&str>,
    ) -> Result<ReportChange, (&'static str, String)> {
        let Some(raw) = raw else {
            return Ok(self);
        };
        let text = Note::parse(raw).map_err(|why| {
            (
                "public_correction",
                why.replacen("a note", "a public correction", 1),
            )
        })?;
        if text.is_some() && self.status != Some(ReportStatus::Resolved) {
            return Err((
                "public_correction",
                "a public correction is published when resolving: give status resolved".into(),
            ));
        }
        self.public_correction = text;
        Ok(self)
    }

    pub fn is_empty(&self) -> bool {
        self.status.is_none()
            && self.lane.is_none()
            && self.assignee.is_none()
            && self.note.is_none()
    }
}

/// Who did something, as the audit trail shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// An API client, by its token's name.
    Token(String),
    /// A signed-in editor, by e-mail address.
    Editor(String),
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::Token(name) => write!(f, "token:{name}"),
            Actor::Editor(email) => f.write_str(email),
        }
    }
}
