-- Public corrections: text an editor wrote when resolving a report (never the reader's words),
-- published with its date as JSON per article and in a site-wide Atom feed.
CREATE TABLE corrections (
    id BIGSERIAL PRIMARY KEY,
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    report_id BIGINT REFERENCES reports (id) ON DELETE SET NULL,
    body TEXT NOT NULL,
    created_by TEXT NOT NULL,
    published_at TIMESTAMP NOT NULL
);
CREATE INDEX corrections_article ON corrections (article_id, published_at DESC, id DESC);
CREATE INDEX corrections_published ON corrections (published_at DESC, id DESC);
