-- What the catalogue read from each article's page: one row per article it has fetched. Kept
-- beside articles, not in them, so that listings never carry the main text.
CREATE TABLE article_pages (
    article_id BIGINT PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    -- The sitemap's <lastmod> when the page was fetched: unchanged, the page is not fetched again.
    sitemap_lastmod TEXT,
    title TEXT,
    canonical_url TEXT,
    date_modified TEXT,
    last_reviewed TEXT,
    reviewed_by TEXT,
    -- dateModified, else "text:" and a hash of the main text.
    revision TEXT NOT NULL,
    main_text TEXT NOT NULL,
    fetched_at TIMESTAMP NOT NULL
);

-- Whether a report's quoted passage is still on the page, as of the revision it was checked
-- against. NULL: unknown (no text known yet, or no quote).
ALTER TABLE reports ADD COLUMN passage_status TEXT CHECK (passage_status IN ('on_page', 'gone'));
ALTER TABLE reports ADD COLUMN passage_revision TEXT;
