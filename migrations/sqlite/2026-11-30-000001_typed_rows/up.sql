-- Closed sets become CHECKed columns, and the two lists stored as joined text become rows:
-- an editor's scopes (one per line) and a vote's reasons (comma-separated).
-- SQLite cannot add a CHECK to an existing table, so reports, report_events, editors, outbox and
-- article_events are rebuilt (the documented 12-step procedure, with foreign keys off).
PRAGMA foreign_keys = OFF;
BEGIN;

CREATE TABLE reports_checked (
    id INTEGER PRIMARY KEY,
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    category TEXT NOT NULL CHECK (category IN ('inaccurate', 'outdated', 'unclear', 'harmful', 'broken_link', 'typo', 'other')),
    quote TEXT,
    details TEXT,
    email TEXT,
    contact_consent BOOLEAN NOT NULL DEFAULT FALSE,
    revision TEXT,
    status TEXT NOT NULL CHECK (status IN ('new', 'acknowledged', 'resolved', 'dismissed', 'spam')),
    assignee TEXT,
    visitor_key TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    closed_at TIMESTAMP
);
INSERT INTO reports_checked
    SELECT id, article_id, category, quote, details, email, contact_consent, revision, status,
           assignee, visitor_key, created_at, updated_at, closed_at
    FROM reports;
DROP TABLE reports;
ALTER TABLE reports_checked RENAME TO reports;
CREATE INDEX reports_article_status ON reports (article_id, status, created_at);
CREATE INDEX reports_status_time ON reports (status, created_at);
CREATE INDEX reports_time ON reports (created_at);
CREATE INDEX reports_assignee ON reports (assignee, status);
CREATE INDEX reports_status_closed ON reports (status, closed_at);

CREATE TABLE report_events_checked (
    id INTEGER PRIMARY KEY,
    report_id BIGINT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    actor TEXT NOT NULL,
    from_status TEXT CHECK (from_status IN ('new', 'acknowledged', 'resolved', 'dismissed', 'spam')),
    to_status TEXT CHECK (to_status IN ('new', 'acknowledged', 'resolved', 'dismissed', 'spam')),
    assignee TEXT,
    note TEXT,
    created_at TIMESTAMP NOT NULL
);
INSERT INTO report_events_checked
    SELECT id, report_id, actor, from_status, to_status, assignee, note, created_at
    FROM report_events;
DROP TABLE report_events;
ALTER TABLE report_events_checked RENAME TO report_events;
CREATE INDEX report_events_report ON report_events (report_id, id);

-- What an editor owns, one row per host or host/path prefix.
CREATE TABLE editor_scopes (
    editor_id BIGINT NOT NULL REFERENCES editors (id) ON DELETE CASCADE,
    scope TEXT NOT NULL,
    PRIMARY KEY (editor_id, scope)
);
WITH RECURSIVE split (editor_id, rest, scope) AS (
    SELECT id, scopes || char(10), '' FROM editors
    UNION ALL
    SELECT editor_id, substr(rest, instr(rest, char(10)) + 1),
           substr(rest, 1, instr(rest, char(10)) - 1)
    FROM split WHERE rest <> ''
)
INSERT OR IGNORE INTO editor_scopes (editor_id, scope)
    SELECT editor_id, trim(scope) FROM split WHERE trim(scope) <> '';

CREATE TABLE editors_checked (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('admin', 'editor')),
    active BOOLEAN NOT NULL DEFAULT TRUE,
    wants_alerts BOOLEAN NOT NULL DEFAULT TRUE,
    wants_digest BOOLEAN NOT NULL DEFAULT TRUE,
    password_hash TEXT,
    unsubscribe_token TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
INSERT INTO editors_checked
    SELECT id, name, email, role, active, wants_alerts, wants_digest, password_hash,
           unsubscribe_token, created_at, updated_at
    FROM editors;
DROP TABLE editors;
ALTER TABLE editors_checked RENAME TO editors;

CREATE TABLE outbox_checked (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('alert', 'digest', 'reply')),
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
INSERT INTO outbox_checked
    SELECT id, kind, dedupe_key, alert_id, recipient, subject, body_text, body_html, message_id,
           unsubscribe_url, status, attempts, next_attempt_at, lease_until, last_error,
           created_at, sent_at
    FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_checked RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

CREATE TABLE article_events_checked (
    id INTEGER PRIMARY KEY,
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('reviewed')),
    note TEXT,
    created_at TIMESTAMP NOT NULL
);
INSERT INTO article_events_checked
    SELECT id, article_id, actor, kind, note, created_at FROM article_events;
DROP TABLE article_events;
ALTER TABLE article_events_checked RENAME TO article_events;
CREATE INDEX article_events_article ON article_events (article_id, id);

-- What a reader picked after "No", one row per reason; most votes have none.
CREATE TABLE vote_reasons (
    vote_id BIGINT NOT NULL REFERENCES votes (id) ON DELETE CASCADE,
    reason TEXT NOT NULL CHECK (reason IN ('inaccurate', 'outdated', 'unclear', 'missing', 'other')),
    PRIMARY KEY (vote_id, reason)
);
WITH RECURSIVE split (vote_id, rest, reason) AS (
    SELECT id, reasons || ',', '' FROM votes WHERE reasons <> ''
    UNION ALL
    SELECT vote_id, substr(rest, instr(rest, ',') + 1), substr(rest, 1, instr(rest, ',') - 1)
    FROM split WHERE rest <> ''
)
INSERT OR IGNORE INTO vote_reasons (vote_id, reason)
    SELECT vote_id, reason FROM split WHERE reason <> '';
ALTER TABLE votes DROP COLUMN reasons;

COMMIT;
PRAGMA foreign_keys = ON;
