DROP TABLE submission_keys;
