-- The change feed of the session cache: every instance asks twice a second
-- what changed lately (a session ended, a person's role or profile changed, a
-- team's sessions were removed) and forgets what it holds of it. Rows are
-- kept a few minutes, then deleted. Additive: nothing reads it but the cache.
CREATE TABLE session_changes (
  at_us BIGINT NOT NULL,   -- unix microseconds on the writer's clock
  kind TEXT NOT NULL,      -- 'session' (subject = id_hash), 'user' (user id), 'team' (team id)
  subject TEXT NOT NULL
);
CREATE INDEX session_changes_at ON session_changes (at_us);
