DROP INDEX articles_review_due;
ALTER TABLE articles DROP COLUMN review_due_at;
ALTER TABLE articles DROP COLUMN reviewed_by;
ALTER TABLE articles DROP COLUMN last_reviewed_at;
DROP TABLE reviews;
