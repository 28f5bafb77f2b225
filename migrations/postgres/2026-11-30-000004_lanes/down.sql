DROP TABLE lane_lessons;
DROP INDEX reports_lane;
ALTER TABLE report_events DROP COLUMN to_lane, DROP COLUMN from_lane;
ALTER TABLE reports DROP COLUMN lang, DROP COLUMN fingerprint, DROP COLUMN lane_reasons, DROP COLUMN lane;
