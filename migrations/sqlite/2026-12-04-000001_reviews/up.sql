-- Reviews of an article: who, when, the outcome, and whether an editor recorded it or it was read
-- from the page itself (schema.org lastReviewed). A page's review is recorded once per date.
CREATE TABLE reviews (
    id INTEGER PRIMARY KEY,
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    reviewer TEXT NOT NULL,
    reviewed_at TIMESTAMP NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('no_change', 'corrected', 'rewritten')),
    note TEXT,
    source TEXT NOT NULL CHECK (source IN ('editor', 'page')),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX reviews_article ON reviews (article_id, reviewed_at DESC, id DESC);
CREATE UNIQUE INDEX reviews_page_once ON reviews (article_id, reviewed_at) WHERE source = 'page';

-- The newest review, copied onto the article, and the date the next one is due by the review
-- policy (the newest review, else the first sighting, plus the policy's interval). Open harmful,
-- inaccurate or outdated reports make an article due at once; that is read from the counters,
-- not stored here. flagpole recomputes review_due_at when it starts, so a changed policy applies.
ALTER TABLE articles ADD COLUMN last_reviewed_at TIMESTAMP;
ALTER TABLE articles ADD COLUMN reviewed_by TEXT;
ALTER TABLE articles ADD COLUMN review_due_at TIMESTAMP;
CREATE INDEX articles_review_due ON articles (review_due_at);

-- "Mark re-reviewed" is now a review with outcome no_change: keep the ones already made.
INSERT INTO reviews (article_id, reviewer, reviewed_at, outcome, note, source, created_at)
    SELECT article_id, actor, created_at, 'no_change', note, 'editor', created_at
    FROM article_events WHERE kind = 'reviewed';
UPDATE articles SET
    last_reviewed_at = (SELECT max(r.reviewed_at) FROM reviews r WHERE r.article_id = articles.id),
    reviewed_by = (SELECT r.reviewer FROM reviews r WHERE r.article_id = articles.id
                   ORDER BY r.reviewed_at DESC, r.id DESC LIMIT 1)
WHERE EXISTS (SELECT 1 FROM reviews r WHERE r.article_id = articles.id);
