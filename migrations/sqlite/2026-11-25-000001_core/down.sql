DROP TABLE daily_salts;
DROP TABLE api_tokens;
DROP TABLE report_events;
DROP TABLE reports;
DROP TABLE vote_days;
DROP TABLE votes;
DROP TABLE article_revisions;
DROP TABLE articles;
