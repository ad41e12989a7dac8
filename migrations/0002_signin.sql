-- People, browser sessions, pending sign-in attempts and the audit trail.
CREATE TABLE users (
  id             TEXT PRIMARY KEY,
  team_id        TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
  sub            TEXT NOT NULL,
  email          TEXT NOT NULL,
  name           TEXT NOT NULL,
  role           TEXT NOT NULL,
  created_at     BIGINT NOT NULL,
  last_login_at  BIGINT NOT NULL,
  UNIQUE (team_id, sub)
);

-- Session ids are stored only as SHA-256 hashes. id_token_sealed keeps the
-- ID token, encrypted, for the id_token_hint of RP-initiated logout.
CREATE TABLE sessions (
  id_hash          TEXT PRIMARY KEY,
  user_id          TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  team_id          TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
  csrf_token       TEXT NOT NULL,
  id_token_sealed  TEXT NOT NULL,
  created_at       BIGINT NOT NULL,
  last_seen_at     BIGINT NOT NULL,
  expires_at       BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- A sign-in between redirect and callback: single use, 10 minutes, bound to
-- the browser by the hash of its gh_login cookie.
CREATE TABLE login_attempts (
  state_hash     TEXT PRIMARY KEY,
  browser_hash   TEXT NOT NULL,
  team_id        TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
  issuer         TEXT NOT NULL,
  client_id      TEXT NOT NULL,
  state          TEXT NOT NULL,
  nonce          TEXT NOT NULL,
  code_verifier  TEXT NOT NULL,
  return_to      TEXT NOT NULL,
  created_at     BIGINT NOT NULL,
  expires_at     BIGINT NOT NULL
);
CREATE INDEX login_attempts_expires ON login_attempts (expires_at);

-- Append-only: nothing in gatehouse updates or deletes these rows, except
-- removing a team with everything it owns.
CREATE TABLE audit_events (
  id        TEXT PRIMARY KEY,
  at        BIGINT NOT NULL,  -- unix microseconds: orders events within a second
  team_id   TEXT NOT NULL,
  actor     TEXT NOT NULL,
  action    TEXT NOT NULL,
  target    TEXT NOT NULL,
  details   TEXT NOT NULL
);
CREATE INDEX audit_events_team_at ON audit_events (team_id, at);
