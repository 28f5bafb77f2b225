DROP TABLE article_events;
DROP TABLE outbox;
DROP TABLE alerts;
DROP TABLE alert_states;
DROP TABLE editors;
