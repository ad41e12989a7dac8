#!/usr/bin/env python3
"""Prints SQL that adds people and one live session each to a team, so the
sign-in benchmark can measure gatehouse with up to a million distinct users
without running a million sign-ins first (at a few hundred sign-ins per
second that would take an hour).

The rows have the shape a sign-in leaves (src/signin/, src/store/sqlite/):
users keyed by (team, sub) with the email and name the bench OP puts in its
ID tokens for that sub; sessions stored only as the SHA-256 hex of a random
id, with a CSRF token and an opaque sealed ID token (only logout opens it; a
benchmark never logs these people out), expiring in 12 hours.

  seed_users.py TEAM PREFIX FIRST COUNT | sqlite3 gatehouse.db
"""
import hashlib
import os
import base64
import sys
import time


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def main() -> None:
    team, prefix, first, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    now = int(time.time())
    out = sys.stdout
    out.write("PRAGMA journal_mode=WAL;\nBEGIN;\n")
    for i in range(first, first + count):
        sub = f"{prefix}{i}"
        user_id = "usr_" + b64url(os.urandom(12))
        session_hash = hashlib.sha256(b64url(os.urandom(32)).encode()).hexdigest()
        out.write(
            "INSERT INTO users (id, team_id, sub, email, name, role, created_at, last_login_at)"
            f" VALUES ('{user_id}', '{team}', '{sub}', '{sub}@bench.test', 'Bench {sub}', 'member', {now}, {now});\n"
            "INSERT INTO sessions (id_hash, user_id, team_id, csrf_token, id_token_sealed, created_at, last_seen_at, expires_at)"
            f" VALUES ('{session_hash}', '{user_id}', '{team}', '{b64url(os.urandom(32))}', 'seeded', {now}, {now}, {now + 43200});\n"
        )
    out.write("COMMIT;\n")


if __name__ == "__main__":
    main()
