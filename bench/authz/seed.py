#!/usr/bin/env python3
"""Prints SQL that inserts N API tokens of one team, and writes their secrets.

The tokens have exactly the shape Service::create_token gives them
(src/workspace/service.cpp): secret "gh_" + base64url(32 random bytes) without
padding (43 characters), id "tok_" + base64url(12 random bytes), prefix the
first 10 characters of the secret, secret_hash the lowercase SHA-256 hex of the
whole secret. Going through the API would cost one request, one audit row and
one rate-limit token each (1/s per team); this takes seconds for 100,000.

  seed.py TEAM N SECRETS_FILE | sqlite3 gatehouse.db
"""
import base64
import hashlib
import os
import sys
import time


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def main() -> None:
    team, n, secrets_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    now = int(time.time())
    out = sys.stdout
    out.write("PRAGMA journal_mode=WAL;\nBEGIN;\n")
    with open(secrets_path, "w") as secrets:
        for i in range(n):
            secret = "gh_" + b64url(os.urandom(32))
            token_id = "tok_" + b64url(os.urandom(12))
            digest = hashlib.sha256(secret.encode()).hexdigest()
            out.write(
                "INSERT INTO api_tokens (id, team_id, created_by, name, prefix, secret_hash, created_at)"
                f" VALUES ('{token_id}', '{team}', 'usr_bench', 'bench-{i}', '{secret[:10]}', '{digest}', {now});\n"
            )
            secrets.write(secret + "\n")
    out.write("COMMIT;\n")


if __name__ == "__main__":
    main()
