-- People who triage. scopes: the hosts or host/path prefixes they own, one per line; none means
-- they hear about articles nobody owns.
CREATE TABLE editors (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    wants_alerts BOOLEAN NOT NULL DEFAULT TRUE,
    wants_digest BOOLEAN NOT NULL DEFAULT TRUE,
    scopes TEXT NOT NULL DEFAULT '',
    password_hash TEXT,
    unsubscribe_token TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- Edge-triggering: one row per article and rule. armed = true means the next crossing alerts.
CREATE TABLE alert_states (
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    rule TEXT NOT NULL,
    armed BOOLEAN NOT NULL,
    last_fired_at TIMESTAMP,
    PRIMARY KEY (article_id, rule)
);

-- Every alert raised, with the figures that raised it (JSON).
CREATE TABLE alerts (
    id BIGSERIAL PRIMARY KEY,
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    rule TEXT NOT NULL,
    figures TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX alerts_article ON alerts (article_id, created_at);

-- Outgoing e-mail, written in the same transaction as what caused it. A worker claims rows with a
-- lease; dedupe_key (when set) makes an e-mail exactly-once, e.g. one digest per editor per week.
CREATE TABLE outbox (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL,
    dedupe_key TEXT UNIQUE,
    alert_id BIGINT REFERENCES alerts (id) ON DELETE SET NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    message_id TEXT NOT NULL,
    unsubscribe_url TEXT,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    lease_until TIMESTAMP,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

-- Article-level events (re-reviewed), beside the per-report audit trail.
CREATE TABLE article_events (
    id BIGSERIAL PRIMARY KEY,
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    note TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX article_events_article ON article_events (article_id, id);
