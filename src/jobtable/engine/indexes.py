"""Global secondary indexes added to a live table: CREATING with Backfilling, then ACTIVE.

The backfill walks the base table in key order, a bounded chunk per transaction, and
remembers its cursor in the index metadata, so writes keep flowing between chunks and a
restart resumes where it stopped. Writes made meanwhile maintain the new index through
the normal write path, so no item is missed.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from jobtable.engine.catalog import IndexMeta, TableMeta, create_index_storage
from jobtable.engine.walk import cursor_after, items_after
from jobtable.engine.writes import decode_doc, write_index_entry

if TYPE_CHECKING:
    from jobtable.engine.engine import Engine

BACKFILL_CHUNK = 2000


def register(engine: "Engine") -> None:
    engine.add_background_task("gsi-backfill", backfill_step)


def add_index(engine: "Engine", meta: TableMeta, index: IndexMeta) -> None:
    """Create an empty index in CREATING/backfilling state; the background task fills it."""
    index.status = "CREATING"
    index.backfilling = True
    index.extras["backfill_cursor"] = None
    with engine.storage.transaction() as c:
        create_index_storage(c, index)
        meta.gsis.append(index)
        engine.catalog.save(meta)
    engine.wake()


def drop_index(engine: "Engine", meta: TableMeta, name: str) -> None:
    with engine.storage.transaction() as c:
        index = meta.index(name)
        if index is None:
            return
        c.execute(f"DROP TABLE IF EXISTS {index.sql_table}")
        meta.gsis = [i for i in meta.gsis if i.name != name]
        engine.catalog.save(meta)


def backfill_step(engine: "Engine") -> bool:
    """Backfill one chunk of the first index that needs it; True while work remains."""
    for meta in engine.catalog.all():
        for index in meta.gsis:
            if index.backfilling:
                return _backfill_chunk(engine, meta, index)
    return False


def _backfill_chunk(engine: "Engine", meta: TableMeta, index: IndexMeta) -> bool:
    with engine.storage.transaction() as c:
        current = engine.catalog.get(meta.name)
        if current is None or current.index(index.name) is not index:
            return True  # table or index went away meanwhile; look again
        rows = items_after(c, meta, index.extras.get("backfill_cursor"), BACKFILL_CHUNK)
        for _pk, _sk, doc in rows:
            write_index_entry(c, meta, index, decode_doc(engine, doc), engine.sealer.seal)
        done = len(rows) < BACKFILL_CHUNK
        if done:
            index.backfilling = False
            index.status = "ACTIVE"
            index.extras.pop("backfill_cursor", None)
        else:
            index.extras["backfill_cursor"] = cursor_after(rows)
        engine.catalog.save(meta)
    return not done
