DROP INDEX reports_problem;
ALTER TABLE reports DROP COLUMN problem_id;
DROP TABLE problems;
