DROP INDEX reports_assignee;
DROP TABLE sessions;
