-- Articles carry their own counters so listings, thresholds and digests never scan votes.
-- open_* count reports whose status is new or acknowledged.
CREATE TABLE articles (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    host TEXT NOT NULL,
    path TEXT NOT NULL,
    title TEXT,
    external_id TEXT,
    revision TEXT,
    helpful BIGINT NOT NULL DEFAULT 0,
    not_helpful BIGINT NOT NULL DEFAULT 0,
    open_reports BIGINT NOT NULL DEFAULT 0,
    open_inaccurate BIGINT NOT NULL DEFAULT 0,
    open_outdated BIGINT NOT NULL DEFAULT 0,
    open_unclear BIGINT NOT NULL DEFAULT 0,
    open_harmful BIGINT NOT NULL DEFAULT 0,
    open_broken_link BIGINT NOT NULL DEFAULT 0,
    open_typo BIGINT NOT NULL DEFAULT 0,
    open_other BIGINT NOT NULL DEFAULT 0,
    report_score DOUBLE NOT NULL DEFAULT 0,
    helpfulness DOUBLE NOT NULL DEFAULT 0,
    attention DOUBLE NOT NULL DEFAULT 0,
    last_activity_at TIMESTAMP NOT NULL,
    reviewed_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX articles_attention ON articles (attention DESC, id DESC);
CREATE INDEX articles_open_reports ON articles (open_reports DESC, id DESC);
CREATE INDEX articles_helpfulness ON articles (helpfulness ASC, id ASC);
CREATE INDEX articles_recent ON articles (last_activity_at DESC, id DESC);
CREATE INDEX articles_host ON articles (host);

-- Every revision string an article was seen with; the newest first sighting is articles.revision.
CREATE TABLE article_revisions (
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    revision TEXT NOT NULL,
    first_seen_at TIMESTAMP NOT NULL,
    PRIMARY KEY (article_id, revision)
);

-- One row per reader per article per day: visitor_key is keyed by that day's salt.
CREATE TABLE votes (
    id INTEGER PRIMARY KEY,
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    helpful BOOLEAN NOT NULL,
    reasons TEXT NOT NULL DEFAULT '',
    comment TEXT,
    revision TEXT,
    visitor_key TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX votes_reader_once ON votes (article_id, visitor_key);
CREATE INDEX votes_article_time ON votes (article_id, created_at);

-- Daily vote totals per article: windows, trends and week-on-week drops without scanning votes.
CREATE TABLE vote_days (
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    day DATE NOT NULL,
    helpful BIGINT NOT NULL DEFAULT 0,
    not_helpful BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (article_id, day)
);

CREATE TABLE reports (
    id INTEGER PRIMARY KEY,
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    category TEXT NOT NULL,
    quote TEXT,
    details TEXT,
    email TEXT,
    contact_consent BOOLEAN NOT NULL DEFAULT FALSE,
    revision TEXT,
    status TEXT NOT NULL,
    assignee TEXT,
    visitor_key TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    closed_at TIMESTAMP
);
CREATE INDEX reports_article_status ON reports (article_id, status, created_at);
CREATE INDEX reports_status_time ON reports (status, created_at);
CREATE INDEX reports_time ON reports (created_at);

-- The audit trail: every status change, assignment or note, with who and when.
CREATE TABLE report_events (
    id INTEGER PRIMARY KEY,
    report_id BIGINT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    actor TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT,
    assignee TEXT,
    note TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX report_events_report ON report_events (report_id, id);

-- Only a SHA-256 of each bearer token is kept.
CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE UNIQUE INDEX api_tokens_active_name ON api_tokens (name) WHERE revoked_at IS NULL;

-- Today's salt for visitor keys; earlier days' rows are deleted when a new day's salt is made.
CREATE TABLE daily_salts (
    day DATE PRIMARY KEY,
    salt TEXT NOT NULL
);
