"""ClientRequestToken idempotency for TransactWriteItems and ExecuteTransaction.

A token is remembered, with a fingerprint of the request, in the same SQLite transaction as
the writes it guarded: a retry within 10 minutes (on the injectable clock) finds it and
writes nothing; the same token with different parameters is refused. Tokens live in the
database, not in memory, so they survive restarts and are shared by every process serving
the data dir. A cancelled transaction rolls back and leaves no token behind.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import orjson

from jobtable.engine.errors import IdempotentParameterMismatchException

if TYPE_CHECKING:
    from jobtable.engine.engine import Engine

TOKEN_LIFETIME_SECONDS = 600.0
MISMATCH = ("DynamoDB rejected the request because you retried a request with a different payload but with an "
            "idempotent token that was already used.")


def ensure_schema(engine: "Engine") -> None:
    """Create the token table once, in its own transaction (call before the guarded one)."""
    if engine.extensions.get("client_tokens_ready"):
        return
    with engine.storage.transaction() as c:
        c.execute("CREATE TABLE IF NOT EXISTS jt_client_tokens(token TEXT PRIMARY KEY,"
                  " fingerprint TEXT NOT NULL, at REAL NOT NULL, result BLOB NOT NULL)")
        c.execute("CREATE INDEX IF NOT EXISTS jt_client_tokens_at ON jt_client_tokens(at)")
    engine.extensions["client_tokens_ready"] = True


def recall(engine: "Engine", token: str, fingerprint: str) -> Optional[dict]:
    """The remembered result of `token` when it is still valid (call inside the transaction).

    Raises IdempotentParameterMismatchException when the token was used for other parameters.
    """
    row = engine.storage.conn.execute("SELECT fingerprint, at, result FROM jt_client_tokens WHERE token=?",
                                      (token,)).fetchone()
    if row is None or engine.clock.now() - row[1] >= TOKEN_LIFETIME_SECONDS:
        return None
    if row[0] != fingerprint:
        raise IdempotentParameterMismatchException(MISMATCH)
    return orjson.loads(row[2])


def remember(engine: "Engine", token: str, fingerprint: str, result: dict) -> None:
    """Record `token` as completed now (inside the transaction that did the work)."""
    now = engine.clock.now()
    c = engine.storage.conn
    c.execute("DELETE FROM jt_client_tokens WHERE at <= ?", (now - TOKEN_LIFETIME_SECONDS,))
    c.execute("INSERT OR REPLACE INTO jt_client_tokens(token, fingerprint, at, result) VALUES(?, ?, ?, ?)",
              (token, fingerprint, now, orjson.dumps(result)))
