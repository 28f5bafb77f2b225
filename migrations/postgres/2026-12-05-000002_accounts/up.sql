-- Editor accounts without the server: invitations and password resets by one-time link, and
-- soft removal (the row stays, so the audit trail keeps the editor's name).
ALTER TABLE editors ADD COLUMN removed_at TIMESTAMP;

-- One-time links: only the SHA-256 of the token is stored; the link is dead once used_at is set
-- or expires_at has passed.
CREATE TABLE account_links (
    id BIGSERIAL PRIMARY KEY,
    editor_id BIGINT NOT NULL REFERENCES editors (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL CHECK (purpose IN ('invitation', 'password_reset')),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX account_links_editor ON account_links (editor_id);

ALTER TABLE outbox DROP CONSTRAINT outbox_kind_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_kind_check
    CHECK (kind IN ('alert', 'digest', 'reply', 'invitation', 'password_reset'));
