ALTER TABLE reports DROP COLUMN passage_revision;
ALTER TABLE reports DROP COLUMN passage_status;
DROP TABLE article_pages;
