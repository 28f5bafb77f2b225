-- Seeds a migrated flagpole SQLite database with 100,000 articles, 5,000,000 votes and 60,000
-- reports, counters and daily totals consistent with the raw rows. Used by bench/dashboard.
-- Run: sqlite3 data/flagpole.db < bench/seed-sqlite.sql   (after `flagpole migrate`)
PRAGMA journal_mode = WAL;
PRAGMA synchronous = OFF;
PRAGMA cache_size = -262144;
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
INSERT INTO articles (id, url, host, path, title, revision, last_activity_at, created_at, updated_at)
SELECT i, 'http://localhost/a/' || i, 'localhost', '/a/' || i, 'Article ' || i, 'rev-' || (i % 7),
       datetime('now', '-61 days'), datetime('now', '-90 days'), datetime('now', '-90 days')
FROM n;

-- 50 votes per article over the last 60 days; each article has its own share of "Yes".
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 4999999)
INSERT INTO votes (id, article_id, helpful, visitor_key, created_at, updated_at)
SELECT i + 1, 1 + (i % 100000),
       ((i / 100000) * 7 + i) % 10 < ((i % 100000) % 10),
       'bench-' || i,
       datetime('now', '-' || ((i * 7919) % 5184000) || ' seconds'),
       datetime('now', '-' || ((i * 7919) % 5184000) || ' seconds')
FROM n;

-- Every "No" says why.
INSERT INTO vote_reasons (vote_id, reason) SELECT id, 'outdated' FROM votes WHERE NOT helpful;

INSERT INTO vote_days (article_id, day, helpful, not_helpful)
SELECT article_id, date(created_at), sum(helpful), sum(1 - helpful) FROM votes GROUP BY article_id, date(created_at);

-- 60,000 reports on 12,000 articles, in every category and status.
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 59999)
INSERT INTO reports (id, article_id, category, quote, details, contact_consent, revision, status, visitor_key, created_at, updated_at)
SELECT i + 1, 1 + (i % 12000) * 8,
       CASE i % 20 WHEN 0 THEN 'harmful' WHEN 1 THEN 'outdated' WHEN 2 THEN 'unclear' WHEN 3 THEN 'broken_link'
                   WHEN 4 THEN 'typo' WHEN 5 THEN 'other' ELSE 'inaccurate' END,
       'The passage number ' || (i % 37), 'Details of report ' || i, 0, 'rev-' || (i % 7),
       CASE WHEN i % 3 = 0 THEN 'resolved' WHEN i % 11 = 0 THEN 'acknowledged' ELSE 'new' END,
       'bench-r-' || i,
       datetime('now', '-' || ((i * 104729) % 5184000) || ' seconds'),
       datetime('now', '-' || ((i * 104729) % 5184000) || ' seconds')
FROM n;

-- Counters as the service keeps them.
CREATE TEMP TABLE totals AS
SELECT article_id, sum(helpful) AS h, sum(not_helpful) AS nh FROM vote_days GROUP BY article_id;
UPDATE articles SET helpful = t.h, not_helpful = t.nh FROM totals t WHERE t.article_id = articles.id;
CREATE TEMP TABLE open AS
SELECT article_id, count(*) AS total,
       sum(category = 'inaccurate') AS inaccurate, sum(category = 'outdated') AS outdated,
       sum(category = 'unclear') AS unclear, sum(category = 'harmful') AS harmful,
       sum(category = 'broken_link') AS broken_link, sum(category = 'typo') AS typo, sum(category = 'other') AS other
FROM reports WHERE status IN ('new', 'acknowledged') GROUP BY article_id;
UPDATE articles SET open_reports = o.total, open_inaccurate = o.inaccurate, open_outdated = o.outdated,
       open_unclear = o.unclear, open_harmful = o.harmful, open_broken_link = o.broken_link,
       open_typo = o.typo, open_other = o.other, report_score = o.total + 100 * o.harmful
FROM open o WHERE o.article_id = articles.id;
UPDATE articles SET
  helpfulness = (helpful + 8.0) / (helpful + not_helpful + 10.0),
  attention = report_score + max(0.0, 0.8 - (helpful + 8.0) / (helpful + not_helpful + 10.0)) * 10.0,
  last_activity_at = coalesce((SELECT max(created_at) FROM votes v WHERE v.article_id = articles.id), last_activity_at);
COMMIT;
PRAGMA wal_checkpoint(TRUNCATE);
SELECT 'articles', count(*) FROM articles;
SELECT 'votes', count(*) FROM votes;
SELECT 'reports', count(*) FROM reports;
