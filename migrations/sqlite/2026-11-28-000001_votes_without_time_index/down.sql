CREATE INDEX votes_article_time ON votes (article_id, created_at);
