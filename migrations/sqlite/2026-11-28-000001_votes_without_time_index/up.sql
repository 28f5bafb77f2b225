-- Nothing reads votes by article and time (windows and trends read vote_days; an article's recent
-- feedback is found through votes_reader_once, which also starts with article_id), and each vote
-- inserted into it dirtied one more page at a random place: on SQLite about a sixth of what a
-- batch of votes writes to the WAL.
DROP INDEX votes_article_time;
