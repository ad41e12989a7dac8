-- The team workspace: shared (or personal) API tokens and models, and the
-- usage the gateway reports. Money is stored in micro-dollars (BIGINT) so
-- sums are exact; the API shows dollars.
CREATE TABLE api_tokens (
  id            TEXT PRIMARY KEY,
  team_id       TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
  created_by    TEXT NOT NULL,           -- user id of the creator (the owner in personal workspaces)
  name          TEXT NOT NULL,
  prefix        TEXT NOT NULL,           -- first characters, shown to tell tokens apart
  secret_hash   TEXT NOT NULL UNIQUE,    -- SHA-256 hex of the whole token; the token itself is never stored
  created_at    BIGINT NOT NULL,
  last_used_at  BIGINT,
  revoked_at    BIGINT                   -- revoked tokens stay for billing, never authenticate
);
CREATE INDEX api_tokens_team ON api_tokens (team_id);

CREATE TABLE models (
  id          TEXT PRIMARY KEY,
  team_id     TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
  created_by  TEXT NOT NULL,
  name        TEXT NOT NULL,
  base_model  TEXT NOT NULL,
  created_at  BIGINT NOT NULL,
  UNIQUE (team_id, name)
);

CREATE TABLE usage_events (
  id             TEXT PRIMARY KEY,       -- the gateway's event id: a repeated id is ignored
  team_id        TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
  token_id       TEXT NOT NULL,
  user_id        TEXT NOT NULL,
  model          TEXT NOT NULL,
  input_tokens   BIGINT NOT NULL,
  output_tokens  BIGINT NOT NULL,
  cost_micros    BIGINT NOT NULL,
  at             BIGINT NOT NULL,
  day            TEXT NOT NULL           -- YYYY-MM-DD (UTC) of at, for grouping
);
CREATE INDEX usage_events_team_day ON usage_events (team_id, day);
