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

# Items per transaction for imports and restores: larger chunks commit (and checkpoint) less
# often, smaller ones hold the engine lock for less time (other requests wait for it).
CHUNK = 10000


def load_items(engine: "Engine", meta: TableMeta, docs: Iterable[tuple[dict, bytes, int]],
               *, may_repeat: bool = False) -> int:
    """Insert (item, its JSON document, item size) triples in one transaction; returns how many
    keys were added.

    Documents are sealed on the way in for tables with SSE, like the write path does. Rows
    go in with one `executemany` per SQL table: per-row statements cost more than the rows.

    With `may_repeat` (imports), an item whose key is already present replaces it and its
    index entries (the later copy wins, within the batch as across batches); restores pass
    unique keys and skip that lookup.
    """
    seal = engine.sealer.seal
    sse = meta.sse_enabled
    # Each item becomes its rows at once and is dropped: a chunk of live item dicts would make
    # Python's cyclic GC rescan them over and over (a quarter of a restore's CPU time).
    entries: list[tuple[tuple, tuple] | None] = []  # tuples of bytes: the GC stops tracking them
    positions: dict[tuple[bytes, bytes], int] = {}
    for item, doc, size in docs:
        pk, sk = key = encoded_key(meta, item)
        stored = seal(sse, doc)
        entry = ((pk, sk, partition_hash(pk), stored, size, expiry_of(meta, item)),
                 tuple([index_row(meta, index, item, seal, key=key, doc=stored, size=size) for index in meta.indexes]))
        if may_repeat:
            earlier = positions.get(key)
            if earlier is not None:
                entries[earlier] = None  # the later copy wins
            positions[key] = len(entries)
        entries.append(entry)
    rows: list[tuple] = []
    index_rows: list[list[tuple]] = [[] for _ in meta.indexes]
    size_delta = 0
    for entry in entries:
        if entry is None:
            continue
        row, index_entries = entry
        rows.append(row)
        size_delta += row[4]
        for out, index_entry in zip(index_rows, index_entries):
            if index_entry is not None:
                out.append(index_entry)
    del entries
    # In key order, each insert lands next to the previous one in the B-tree: the pages it
    # touches are already cached, where random order misses the page cache once an index
    # outgrows it (bytes sort like SQLite's BLOB keys; keys are unique within a chunk).
    rows.sort()
    for out in index_rows:
        out.sort()
    c = engine.storage.conn
    with engine.storage.transaction():
        replaced = _drop_replaced(engine, meta, list(positions)) if may_repeat else []
        for old_size in replaced:
            size_delta -= old_size
        c.executemany(f"INSERT OR REPLACE INTO {meta.items_table}(pk, sk, h, doc, size, expires)"
                      " VALUES(?, ?, ?, ?, ?, ?)", rows)
        for index, index_entries in zip(meta.indexes, index_rows):
            c.executemany(f"INSERT OR REPLACE INTO {index.sql_table}(ipk, isk, pk, sk, doc, size)"
                          " VALUES(?, ?, ?, ?, ?, ?)", index_entries)
        added = len(rows) - len(replaced)
        tid = meta.tid
        engine.storage.on_commit(lambda: engine.stats.adjust(tid, added, size_delta))
    return added


# Keys looked up per statement when an import checks for items it replaces (SQLite allows
# 32766 bound parameters; two per key).
_LOOKUP_KEYS = 500


def _drop_replaced(engine: "Engine", meta: TableMeta, keys: list[tuple[bytes, bytes]]) -> list[int]:
    """Remove the index entries of stored items these keys will replace; returns their sizes."""
    c = engine.storage.conn
    sizes: list[int] = []
    for start in range(0, len(keys), _LOOKUP_KEYS):
        part = keys[start:start + _LOOKUP_KEYS]
        # CROSS JOIN keeps SQLite probing the primary key per listed key (an IN list of row
        # values would scan the table).
        found = c.execute(f"SELECT t.pk, t.sk, t.doc, t.size FROM (VALUES {', '.join(['(?, ?)'] * len(part))})"
                          f" AS k CROSS JOIN {meta.items_table} AS t ON t.pk = k.column1 AND t.sk = k.column2",
                          [value for key in part for value in key]).fetchall()
        for pk, sk, doc, size in found:
            if meta.indexes:
                _drop_index_entries(c, meta, pk, sk, orjson.loads(engine.sealer.open(doc)))
            sizes.append(size)
    return sizes


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
