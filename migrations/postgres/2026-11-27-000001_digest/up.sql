-- The weekly digest reads one week at a time: votes by day, reports by when they were resolved,
-- alerts by when they were raised. An ingested vote only changes a vote_days row's counts, never
-- its day, so these indexes add nothing to the cost of a repeat vote on the same day.
CREATE INDEX vote_days_day ON vote_days (day);
CREATE INDEX reports_status_closed ON reports (status, closed_at);
CREATE INDEX alerts_time ON alerts (created_at);
