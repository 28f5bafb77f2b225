DROP INDEX alerts_time;
DROP INDEX reports_status_closed;
DROP INDEX vote_days_day;
