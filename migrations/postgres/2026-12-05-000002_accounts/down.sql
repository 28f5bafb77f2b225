DELETE FROM outbox WHERE kind IN ('invitation', 'password_reset');
ALTER TABLE outbox DROP CONSTRAINT outbox_kind_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_kind_check CHECK (kind IN ('alert', 'digest', 'reply'));
DROP TABLE account_links;
ALTER TABLE editors DROP COLUMN removed_at;
