-- Back to joined text. The CHECK constraints stay: every value the previous version writes
-- satisfies them, and removing them would mean rebuilding five tables again.
BEGIN;

ALTER TABLE votes ADD COLUMN reasons TEXT NOT NULL DEFAULT '';
UPDATE votes SET reasons = (
    SELECT group_concat(reason, ',') FROM vote_reasons WHERE vote_reasons.vote_id = votes.id
) WHERE id IN (SELECT vote_id FROM vote_reasons);
DROP TABLE vote_reasons;

ALTER TABLE editors ADD COLUMN scopes TEXT NOT NULL DEFAULT '';
UPDATE editors SET scopes = (
    SELECT group_concat(scope, char(10)) FROM editor_scopes WHERE editor_scopes.editor_id = editors.id
) WHERE id IN (SELECT editor_id FROM editor_scopes);
DROP TABLE editor_scopes;

COMMIT;
