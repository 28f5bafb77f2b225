-- Dashboard sign-ins. The cookie carries a random token; only its SHA-256 is stored, with the
-- session's CSRF token. Disabling an editor or signing out deletes the row.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    editor_id BIGINT NOT NULL REFERENCES editors (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_editor ON sessions (editor_id);
CREATE INDEX reports_assignee ON reports (assignee, status);
