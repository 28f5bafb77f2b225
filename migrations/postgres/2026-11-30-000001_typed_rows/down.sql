ALTER TABLE votes ADD COLUMN reasons TEXT NOT NULL DEFAULT '';
UPDATE votes SET reasons = r.reasons
    FROM (SELECT vote_id, string_agg(reason, ',') AS reasons FROM vote_reasons GROUP BY vote_id) r
    WHERE r.vote_id = votes.id;
DROP TABLE vote_reasons;
ALTER TABLE editors ADD COLUMN scopes TEXT NOT NULL DEFAULT '';
UPDATE editors SET scopes = s.scopes
    FROM (SELECT editor_id, string_agg(scope, E'\n') AS scopes FROM editor_scopes GROUP BY editor_id) s
    WHERE s.editor_id = editors.id;
DROP TABLE editor_scopes;
ALTER TABLE article_events DROP CONSTRAINT article_events_kind_check;
ALTER TABLE outbox DROP CONSTRAINT outbox_kind_check, DROP CONSTRAINT outbox_status_check;
ALTER TABLE editors DROP CONSTRAINT editors_role_check;
ALTER TABLE report_events DROP CONSTRAINT report_events_from_status_check, DROP CONSTRAINT report_events_to_status_check;
ALTER TABLE reports DROP CONSTRAINT reports_category_check, DROP CONSTRAINT reports_status_check;
