"""Loading many items into a table that is not yet ACTIVE (restores and imports).

Why not `apply_write` per item: a restore writes the whole table before anyone may read
it, and `apply_write` would also copy every item into the new table's change log. A
restored or imported table's history starts when it becomes ACTIVE, as in DynamoDB (its
stream and PITR settings are not restored, and PITR enabled later takes its baseline
then), so the loader writes base rows and index rows only, in chunked transactions, and
keeps the live item counters right. Indexes are built with the same projection code as
the write path (`writes.write_index_entry`).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

import orjson

from jobtable.engine.catalog import TableMeta
from jobtable.engine.writes import encoded_key, expiry_of, index_entry, index_row, partition_hash

if TYPE_CHECKING:
    from jobtable.engine.engine import Engine


def load_items(engine: "Engine", meta: TableMeta, docs: Iterable[tuple[dict, bytes, int]],
               *, may_repeat: bool = False) -> int:
    """Insert (item, its JSON document, item size) triples in one transaction; returns how many.

    Documents are sealed on the way in for tables with SSE, like the write path does.

    With `may_repeat` (imports), an item whose key is already present replaces it and its
    index entries (the later copy wins); restores pass unique keys and skip that lookup.
    """
    c = engine.storage.conn
    seal = engine.sealer.seal
    added = 0
    size_delta = 0
    rows: list[tuple] = []
    index_rows: dict[str, list[tuple]] = {index.sql_table: [] for index in meta.indexes}
    with engine.storage.transaction():
        for item, doc, size in docs:
            pk, sk = encoded_key(meta, item)
            old = None
            if may_repeat:
                old = c.execute(f"SELECT doc, size FROM {meta.items_table} WHERE pk=? AND sk=?", (pk, sk)).fetchone()
            if old is not None:
                _drop_index_entries(c, meta, pk, sk, orjson.loads(engine.sealer.open(old[0])))
                size_delta -= old[1]
            else:
                added += 1
            stored = seal(meta.sse_enabled, doc)
            rows.append((pk, sk, partition_hash(pk), stored, size, expiry_of(meta, item)))
            size_delta += size
            for index in meta.indexes:
                row = index_row(meta, index, item, seal, key=(pk, sk), doc=stored, size=size)
                if row is not None:
                    index_rows[index.sql_table].append(row)
            if may_repeat:  # a later line may repeat this key: write now so the next lookup sees it
                _flush(c, meta, rows, index_rows)
        _flush(c, meta, rows, index_rows)
        tid = meta.tid
        engine.storage.on_commit(lambda: engine.stats.adjust(tid, added, size_delta))
    return added


def _flush(c, meta: TableMeta, rows: list[tuple], index_rows: dict[str, list[tuple]]) -> None:
    c.executemany(f"INSERT OR REPLACE INTO {meta.items_table}(pk, sk, h, doc, size, expires)"
                  " VALUES(?, ?, ?, ?, ?, ?)", rows)
    rows.clear()
    for table, entries in index_rows.items():
        c.executemany(f"INSERT OR REPLACE INTO {table}(ipk, isk, pk, sk, doc, size) VALUES(?, ?, ?, ?, ?, ?)",
                      entries)
        entries.clear()


def load_documents(engine: "Engine", meta: TableMeta, rows: list[tuple[bytes, int]]) -> int:
    """`load_items` for (stored document, size) pairs with unique keys (backups, point-in-time reads)."""
    return load_items(engine, meta, ((orjson.loads(doc), doc, size) for doc, size in rows))


def clear_table(engine: "Engine", meta: TableMeta) -> None:
    """Empty a table being loaded (a restore that restarts after a crash starts over)."""
    with engine.storage.transaction() as c:
        c.execute(f"DELETE FROM {meta.items_table}")
        for index in meta.indexes:
            c.execute(f"DELETE FROM {index.sql_table}")
    engine.stats.forget(meta.tid)


def _drop_index_entries(c, meta: TableMeta, pk: bytes, sk: bytes, old: dict) -> None:
    for index in meta.indexes:
        entry = index_entry(meta, index, old)
        if entry is not None:
            c.execute(f"DELETE FROM {index.sql_table} WHERE ipk=? AND isk=? AND pk=? AND sk=?",
                      (entry[0], entry[1], pk, sk))
