-- Reports of the same problem on the same article are one problem, which editors act on once.
-- A problem is open while one of its reports is open in the queue. Its signature (the passages
-- and rare words of its reports, as JSON) is what a new report is matched against, so matching
-- reads one small row per open problem and never the reports. Existing reports are grouped by
-- the same matcher when flagpole first starts (or `flagpole migrate` runs) after this migration.
CREATE TABLE problems (
    id INTEGER PRIMARY KEY,
    article_id BIGINT NOT NULL REFERENCES articles (id),
    signature TEXT NOT NULL,
    -- Why the newest report joined (or "a new problem").
    reason TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX problems_article ON problems (article_id, id);
-- No REFERENCES here: SQLite cannot drop a column that has one (the down migration), and
-- only the ingest writer and the grouping step set it.
ALTER TABLE reports ADD COLUMN problem_id BIGINT;
CREATE INDEX reports_problem ON reports (problem_id, id);
