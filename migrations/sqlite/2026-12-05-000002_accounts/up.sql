-- Editor accounts without the server: invitations and password resets by one-time link, and
-- soft removal (the row stays, so the audit trail keeps the editor's name).
PRAGMA foreign_keys = OFF;
BEGIN;

ALTER TABLE editors ADD COLUMN removed_at TIMESTAMP;

-- One-time links: only the SHA-256 of the token is stored; the link is dead once used_at is set
-- or expires_at has passed.
CREATE TABLE account_links (
    id INTEGER PRIMARY KEY,
    editor_id BIGINT NOT NULL REFERENCES editors (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL CHECK (purpose IN ('invitation', 'password_reset')),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX account_links_editor ON account_links (editor_id);

-- The outbox carries invitations and password resets too.
CREATE TABLE outbox_accounts (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('alert', 'digest', 'reply', 'invitation', 'password_reset')),
    dedupe_key TEXT UNIQUE,
    alert_id BIGINT REFERENCES alerts (id) ON DELETE SET NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    message_id TEXT NOT NULL,
    unsubscribe_url TEXT,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    lease_until TIMESTAMP,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
INSERT INTO outbox_accounts
    SELECT id, kind, dedupe_key, alert_id, recipient, subject, body_text, body_html, message_id,
           unsubscribe_url, status, attempts, next_attempt_at, lease_until, last_error,
           created_at, sent_at
    FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_accounts RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

COMMIT;
PRAGMA foreign_keys = ON;
