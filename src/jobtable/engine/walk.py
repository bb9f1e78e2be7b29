"""Walk a table's items in key order, one chunk at a time, with a cursor that survives restarts.

Background work over whole tables (GSI backfills, the TTL expiry backfill) keeps the cursor
in table or index metadata, which is JSON, so the cursor is base64 text of the last key.
"""
from __future__ import annotations

import base64
import sqlite3

from jobtable.engine.catalog import TableMeta

Cursor = list[str]  # [base64 pk, base64 sk] of the last item handled


def items_after(c: sqlite3.Connection, meta: TableMeta, cursor: Cursor | None,
                limit: int) -> list[tuple[bytes, bytes, bytes]]:
    """Up to `limit` (pk, sk, doc) rows after `cursor` (from the start when None), in key order."""
    if cursor:
        pk, sk = (base64.b64decode(x) for x in cursor)
        return c.execute(f"SELECT pk, sk, doc FROM {meta.items_table} WHERE (pk, sk) > (?, ?)"
                         f" ORDER BY pk, sk LIMIT {int(limit)}", (pk, sk)).fetchall()
    return c.execute(f"SELECT pk, sk, doc FROM {meta.items_table} ORDER BY pk, sk LIMIT {int(limit)}").fetchall()


def cursor_after(rows: list[tuple[bytes, bytes, bytes]]) -> Cursor:
    """The cursor that continues after the last of `rows`."""
    pk, sk = rows[-1][0], rows[-1][1]
    return [base64.b64encode(pk).decode(), base64.b64encode(sk).decode()]
