-- Single sign-on attempts between the redirect to the identity provider and its answer: the
-- state (only its SHA-256; the state itself is in the browser's cookie and the provider's
-- redirect), the nonce the ID token must carry, the PKCE verifier and where to go afterwards.
-- A row is taken (deleted) when the answer arrives, so a state works once.
CREATE TABLE sso_logins (
    state_hash TEXT PRIMARY KEY NOT NULL,
    nonce TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    next_path TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sso_logins_expires ON sso_logins (expires_at);
