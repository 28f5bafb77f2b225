-- Closed sets become CHECKed columns, and the two lists stored as joined text become rows:
-- an editor's scopes (one per line) and a vote's reasons (comma-separated).
ALTER TABLE reports
    ADD CONSTRAINT reports_category_check CHECK (category IN ('inaccurate', 'outdated', 'unclear', 'harmful', 'broken_link', 'typo', 'other')),
    ADD CONSTRAINT reports_status_check CHECK (status IN ('new', 'acknowledged', 'resolved', 'dismissed', 'spam'));
ALTER TABLE report_events
    ADD CONSTRAINT report_events_from_status_check CHECK (from_status IN ('new', 'acknowledged', 'resolved', 'dismissed', 'spam')),
    ADD CONSTRAINT report_events_to_status_check CHECK (to_status IN ('new', 'acknowledged', 'resolved', 'dismissed', 'spam'));
ALTER TABLE editors ADD CONSTRAINT editors_role_check CHECK (role IN ('admin', 'editor'));
ALTER TABLE outbox
    ADD CONSTRAINT outbox_kind_check CHECK (kind IN ('alert', 'digest', 'reply')),
    ADD CONSTRAINT outbox_status_check CHECK (status IN ('pending', 'sending', 'sent', 'failed'));
ALTER TABLE article_events ADD CONSTRAINT article_events_kind_check CHECK (kind IN ('reviewed'));

-- What an editor owns, one row per host or host/path prefix.
CREATE TABLE editor_scopes (
    editor_id BIGINT NOT NULL REFERENCES editors (id) ON DELETE CASCADE,
    scope TEXT NOT NULL,
    PRIMARY KEY (editor_id, scope)
);
INSERT INTO editor_scopes (editor_id, scope)
    SELECT DISTINCT id, trim(s) FROM editors, regexp_split_to_table(scopes, E'\n') AS s
    WHERE trim(s) <> '';
ALTER TABLE editors DROP COLUMN scopes;

-- What a reader picked after "No", one row per reason; most votes have none.
CREATE TABLE vote_reasons (
    vote_id BIGINT NOT NULL REFERENCES votes (id) ON DELETE CASCADE,
    reason TEXT NOT NULL CHECK (reason IN ('inaccurate', 'outdated', 'unclear', 'missing', 'other')),
    PRIMARY KEY (vote_id, reason)
);
INSERT INTO vote_reasons (vote_id, reason)
    SELECT DISTINCT id, r FROM votes, regexp_split_to_table(reasons, ',') AS r
    WHERE reasons <> '' AND r <> '';
ALTER TABLE votes DROP COLUMN reasons;
