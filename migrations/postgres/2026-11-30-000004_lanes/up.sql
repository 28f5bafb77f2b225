-- Every report is sorted into a lane, with the reasons that decided it; only the queue counts.
-- Reports stored before are in the queue, except those already marked spam.
ALTER TABLE reports ADD COLUMN lane TEXT NOT NULL DEFAULT 'queue'
    CONSTRAINT reports_lane_check CHECK (lane IN ('queue', 'question', 'site', 'comment', 'noise', 'spam'));
ALTER TABLE reports ADD COLUMN lane_reasons TEXT NOT NULL DEFAULT '[]';
-- A MinHash of the report's text, for telling near-copies of spam (null for short texts).
ALTER TABLE reports ADD COLUMN fingerprint TEXT;
-- The language of the page the reader was on (from the widget), when known.
ALTER TABLE reports ADD COLUMN lang TEXT;
UPDATE reports SET lane = 'spam' WHERE status = 'spam';
CREATE INDEX reports_lane ON reports (lane, status, id);
-- A lane move is an event in the report's audit trail, like a status change.
ALTER TABLE report_events ADD COLUMN from_lane TEXT
    CHECK (from_lane IN ('queue', 'question', 'site', 'comment', 'noise', 'spam'));
ALTER TABLE report_events ADD COLUMN to_lane TEXT
    CHECK (to_lane IN ('queue', 'question', 'site', 'comment', 'noise', 'spam'));

-- What editors taught the classifier: each lane move, spam or dismissal, replayed at start-up
-- by every instance (and picked up by the others within a minute).
CREATE TABLE lane_lessons (
    id BIGSERIAL PRIMARY KEY,
    quote TEXT,
    details TEXT,
    category TEXT NOT NULL CHECK (category IN ('inaccurate', 'outdated', 'unclear', 'harmful', 'broken_link', 'typo', 'other')),
    lane TEXT NOT NULL CHECK (lane IN ('queue', 'question', 'site', 'comment', 'noise', 'spam')),
    actor TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
