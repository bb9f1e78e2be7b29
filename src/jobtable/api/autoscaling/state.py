"""Durable Application Auto Scaling state: targets, policies, activities (one SQLite table).

Documents are stored as JSON under (kind, key); keys are `resource_id|dimension` for
targets, `resource_id|dimension|policy name` for policies and `<start>|<uuid>` for
activities (so they sort by time).
"""
from __future__ import annotations

import json
from typing import Any, Iterator

from jobtable.engine.engine import Engine

_READY = "autoscaling_schema_ready"


def _ensure(engine: Engine) -> None:
    if engine.extensions.get(_READY):
        return
    with engine.storage.transaction() as c:
        c.execute("CREATE TABLE IF NOT EXISTS jt_autoscaling(kind TEXT NOT NULL, key TEXT NOT NULL,"
                  " doc TEXT NOT NULL, PRIMARY KEY(kind, key))")
    engine.extensions[_READY] = True


def put(engine: Engine, kind: str, key: str, doc: dict[str, Any]) -> None:
    _ensure(engine)
    with engine.storage.transaction() as c:
        c.execute("INSERT OR REPLACE INTO jt_autoscaling VALUES(?, ?, ?)", (kind, key, json.dumps(doc)))


def get(engine: Engine, kind: str, key: str) -> dict[str, Any] | None:
    _ensure(engine)
    with engine.storage.read() as c:
        row = c.execute("SELECT doc FROM jt_autoscaling WHERE kind=? AND key=?", (kind, key)).fetchone()
    return json.loads(row[0]) if row else None


def delete(engine: Engine, kind: str, key: str) -> bool:
    _ensure(engine)
    with engine.storage.transaction() as c:
        return c.execute("DELETE FROM jt_autoscaling WHERE kind=? AND key=?", (kind, key)).rowcount > 0


def scan(engine: Engine, kind: str, prefix: str = "", newest_first: bool = False) -> Iterator[dict[str, Any]]:
    _ensure(engine)
    order = "DESC" if newest_first else "ASC"
    with engine.storage.read() as c:
        rows = c.execute(f"SELECT doc FROM jt_autoscaling WHERE kind=? AND substr(key, 1, ?)=? ORDER BY key {order}",
                         (kind, len(prefix), prefix)).fetchall()
    return (json.loads(row[0]) for row in rows)


def target_key(resource_id: str, dimension: str) -> str:
    return f"{resource_id}|{dimension}"
