-- Teams registered by the operator. Portable SQL: the same file runs on
-- SQLite and PostgreSQL. Times are unix seconds; flags are 0/1 integers.
CREATE TABLE teams (
  id                    TEXT PRIMARY KEY,
  name                  TEXT NOT NULL,
  issuer                TEXT NOT NULL,
  client_id             TEXT NOT NULL,
  client_secret_sealed  TEXT NOT NULL,
  admin_email           TEXT NOT NULL,
  workspace             TEXT NOT NULL DEFAULT 'shared',
  enabled               INTEGER NOT NULL DEFAULT 1,
  created_at            BIGINT NOT NULL,
  updated_at            BIGINT NOT NULL
);
CREATE INDEX teams_issuer ON teams (issuer);
