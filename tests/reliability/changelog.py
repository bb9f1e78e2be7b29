"""White-box check that a table's change log agrees with its data.

Streams are not served yet, so this reads the SQLite file directly (read-only, safe while
the server runs): for every key, the change-log records must chain (each record's old
image is the previous record's new image) and the last record's new image must be the
stored item (or no item when the last record is a delete). The log is the source for
Streams and PITR, so a disagreement here is lost or invented history.
"""
from __future__ import annotations

import os
import sqlite3

import orjson

from jobtable.engine.storage import DATABASE_FILE


def _doc(raw: bytes | None) -> dict | None:
    return None if raw is None else orjson.loads(raw)


def changelog_disagreements(data_dir: str, table: str, limit: int = 20) -> list[str]:
    """Human-readable problems (empty when the log and the data agree)."""
    uri = "file:" + os.path.join(data_dir, DATABASE_FILE) + "?mode=ro"
    conn = sqlite3.connect(uri, uri=True)
    try:
        row = conn.execute("SELECT meta FROM jt_tables WHERE name=?", (table,)).fetchone()
        if row is None:
            return [f"table {table} not in the catalog"]
        meta = orjson.loads(row[0])
        if meta.get("sse_enabled"):
            return []  # sealed documents: compared by the engine's own tests, not here
        tid = meta["tid"]
        conn.execute("BEGIN")  # one snapshot for both tables
        items = {(pk, sk): _doc(doc) for pk, sk, doc in conn.execute(f"SELECT pk, sk, doc FROM items_{tid}")}
        problems: list[str] = []
        last: dict[tuple[bytes, bytes], dict | None] = {}
        for seq, pk, sk, old, new in conn.execute(f"SELECT seq, pk, sk, old, new FROM log_{tid} ORDER BY seq"):
            key = (pk, sk)
            old_doc, new_doc = _doc(old), _doc(new)
            if key in last and last[key] != old_doc:
                problems.append(f"log seq {seq}: old image {old_doc} is not the previous new image {last[key]}")
            last[key] = new_doc
        for key, item in items.items():
            if key not in last:
                problems.append(f"item {item} has no change-log record")
            elif last[key] != item:
                problems.append(f"item {item} differs from its last change-log image {last[key]}")
        for key, image in last.items():
            if image is not None and key not in items:
                problems.append(f"change log says {image} exists but the table has no such item")
        conn.execute("ROLLBACK")
        return problems[:limit]
    finally:
        conn.close()
