-- Webhook subscriptions and their deliveries. A delivery is written in the transaction of the
-- change that caused it and sent by the webhook worker with the e-mail outbox's retry columns
-- (status, attempts, next_attempt_at, lease_until, last_error, sent_at), so both share one set
-- of queue queries.
CREATE TABLE webhooks (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL,
    -- The subscribed event identifiers, comma-separated (a closed set, checked in the code).
    events TEXT NOT NULL,
    format TEXT NOT NULL CHECK (format IN ('json', 'slack', 'teams')),
    secret TEXT NOT NULL,
    include_text BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL
);

-- No foreign key to webhooks: an instance whose cached subscription list is a minute old may
-- still queue for a subscription just removed, and that must not fail the report's transaction.
-- The worker fails such a delivery instead; removing a subscription deletes its deliveries.
CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY,
    webhook_id BIGINT NOT NULL,
    event TEXT NOT NULL CHECK (event IN ('alert.fired', 'report.created', 'problem.resolved', 'digest.ready', 'webhook.test')),
    dedupe_key TEXT UNIQUE,
    body TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    lease_until TIMESTAMP,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, id);
