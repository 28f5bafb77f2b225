-- Counted votes per client address (IPv6: per /64) and article, for the day: however many user
-- agents one address claims to be, only limits.votes_per_address_per_article of its votes on an
-- article count each day. The key is an HMAC under the day's salt, so it links nothing across
-- days; earlier days' rows are deleted hourly.
CREATE TABLE vote_addresses (
    address_key TEXT PRIMARY KEY,
    day DATE NOT NULL,
    votes BIGINT NOT NULL
);
CREATE INDEX vote_addresses_day ON vote_addresses (day);

-- Titles are one line from now on (a newline in a title could forge lines in a plain-text
-- e-mail); make the stored ones so too.
UPDATE articles SET title = trim(regexp_replace(title, '\s+', ' ', 'g')) WHERE title ~ '[\r\n\t]';
