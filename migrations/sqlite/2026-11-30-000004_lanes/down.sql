DROP TABLE lane_lessons;
DROP INDEX reports_lane;
ALTER TABLE report_events DROP COLUMN to_lane;
ALTER TABLE report_events DROP COLUMN from_lane;
ALTER TABLE reports DROP COLUMN lang;
ALTER TABLE reports DROP COLUMN fingerprint;
ALTER TABLE reports DROP COLUMN lane_reasons;
ALTER TABLE reports DROP COLUMN lane;
