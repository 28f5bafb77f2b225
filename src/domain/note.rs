//! What an editor writes beside an action (a triage note, a review note): one rule for the API,
//! the dashboard and the CLI.

use std::fmt;

/// Trimmed, non-empty editor text of at most [`Note::MAX_CHARS`] characters, without control
/// characters other than newline and tab.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note(String);

impl Note {
    pub const MAX_CHARS: usize = 4000;

    /// None for nothing but whitespace; an error (a sentence for the editor) for text that cannot
    /// be kept.
    pub fn parse(raw: &str) -> Result<Option<Note>, String> {
        let text = raw.trim();
        if text.is_empty() {
            return Ok(None);
        }
        if text.chars().count() > Note::MAX_CHARS {
            return Err(format!(
                "a note must be at most {} characters",
                Note::MAX_CHARS
            ));
        }
        if text
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
        {
            return Err("a note must not contain control characters".into());
        }
        Ok(Some(Note(text.replace("\r\n", "\n"))))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_are_trimmed_bounded_and_printable() {
        assert_eq!(Note::parse("  \n "), Ok(None));
        assert_eq!(
            Note::parse(" checked with pharmacy\r\nfixed ")
                .unwrap()
                .unwrap()
                .as_str(),
            "checked with pharmacy\nfixed"
        );
        assert!(Note::parse(&"x".repeat(Note::MAX_CHARS)).unwrap().is_some());
        assert!(Note::parse(&"x".repeat(Note::MAX_CHARS + 1)).is_err());
        assert!(Note::parse("a\u{0}b").is_err());
    }
}
