-- A client that retries a submission (after a time-out, say) sends the same Idempotency-Key, and
-- gets the first answer instead of a second stored copy. Keys are kept for a day (hourly sweep).
CREATE TABLE submission_keys (
    kind TEXT NOT NULL CHECK (kind IN ('vote', 'report')),
    key TEXT NOT NULL,
    record_id BIGINT NOT NULL,
    article_id BIGINT NOT NULL,
    -- For a vote: whether the first answer was 201 (a new vote) rather than 200 (a replacement).
    created BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (kind, key)
);
CREATE INDEX submission_keys_time ON submission_keys (created_at);
