-- Every instance asks twice a second which tokens were revoked lately.
CREATE INDEX api_tokens_revoked_at ON api_tokens (revoked_at);
