"""The one write path: base row, index rows and change-log row in the caller's transaction.

Every mutation (PutItem, UpdateItem, DeleteItem, batches, transactions, TTL deletes,
restores) ends in `apply_write`, so indexes, the change log (read by Streams and PITR) and
the item counters can never disagree with the data.
"""
from __future__ import annotations

import sqlite3
import zlib
from typing import TYPE_CHECKING, Any, Callable

import orjson

from jobtable.engine.capacity import Consumed, write_units
from jobtable.engine.catalog import IndexMeta, TableMeta
from jobtable.engine.keys import encode_key_value, validate_key_attribute
from jobtable.engine.values import item_size

if TYPE_CHECKING:
    from jobtable.engine.engine import Engine

# DynamoDB charges 100 bytes of overhead per index entry.
INDEX_ENTRY_OVERHEAD = 100


def partition_hash(pk: bytes) -> int:
    """A stable 16-bit hash of the encoded partition key (scan order and scan segments)."""
    return zlib.crc32(pk) & 0xFFFF


def encoded_key(meta: TableMeta, item: dict) -> tuple[bytes, bytes]:
    """(pk, sk) storage key of a valid item or key of `meta`."""
    pk = encode_key_value(item[meta.hash.name])
    sk = encode_key_value(item[meta.range.name]) if meta.range else b""
    return pk, sk


def expiry_of(meta: TableMeta, item: dict | None) -> float | None:
    """The TTL attribute as epoch seconds when it is a Number, else None (never expires)."""
    if item is None or not meta.ttl_attribute:
        return None
    value = item.get(meta.ttl_attribute)
    if value is None or "N" not in value:
        return None
    try:
        return float(value["N"])
    except (TypeError, ValueError, OverflowError):
        return None


def project_for_index(meta: TableMeta, index: IndexMeta, item: dict) -> dict:
    if index.projection_type == "ALL":
        return item
    names = set(meta.key_names()) | set(index.key_names())
    if index.projection_type == "INCLUDE" and index.non_key_attributes:
        names.update(index.non_key_attributes)
    return {k: v for k, v in item.items() if k in names}


def index_entry(meta: TableMeta, index: IndexMeta, item: dict | None) -> tuple[bytes, bytes, dict] | None:
    """(ipk, isk, projected item) or None when the item is not in this (sparse) index."""
    if item is None:
        return None
    hv = item.get(index.hash.name)
    if hv is None or index.hash.type not in hv:
        return None
    if index.range is not None:
        rv = item.get(index.range.name)
        if rv is None or index.range.type not in rv:
            return None
        isk = encode_key_value(rv)
    else:
        isk = b""
    return encode_key_value(hv), isk, project_for_index(meta, index, item)


def check_index_keys(meta: TableMeta, item: dict) -> None:
    """Reject index key attributes of the wrong type or empty, as DynamoDB does on write."""
    for index in meta.indexes:
        for attr in ([index.hash] + ([index.range] if index.range else [])):
            value = item.get(attr.name)
            if value is not None:
                validate_key_attribute(attr.name, value, attr.type, is_partition=attr is index.hash,
                                       index_name=index.name)


class TableStats:
    """Live ItemCount/TableSizeBytes per table, loaded lazily and kept up to date on commit."""

    def __init__(self) -> None:
        self._stats: dict[int, list[int]] = {}

    def get(self, c: sqlite3.Connection, meta: TableMeta) -> tuple[int, int]:
        stats = self._stats.get(meta.tid)
        if stats is None:
            count, size = c.execute(f"SELECT count(*), coalesce(sum(size), 0) FROM {meta.items_table}").fetchone()
            stats = self._stats[meta.tid] = [count, size]
        return stats[0], stats[1]

    def adjust(self, tid: int, count: int, size: int) -> None:
        stats = self._stats.get(tid)
        if stats is not None:
            stats[0] += count
            stats[1] += size

    def forget(self, tid: int) -> None:
        self._stats.pop(tid, None)


def apply_write(engine: "Engine", meta: TableMeta, old: dict | None, new: dict | None, *,
                origin: str = "user", old_size: int | None = None, new_size: int | None = None,
                old_doc: bytes | None = None) -> Consumed:
    """Replace the item `old` (as read from storage in this transaction) by `new` (either may be
    None) inside the open transaction.

    Callers that already know the sizes, or hold `old` as stored (`old_doc`, sealed as
    read), pass them so nothing is measured or encoded twice. Returns the write capacity
    it consumed (base table and each index).
    """
    c = engine.storage.conn
    consumed = Consumed(meta.name, gsi_names=frozenset(i.name for i in meta.gsis))
    if old is None and new is None:
        return consumed
    pk, sk = encoded_key(meta, new if new is not None else old)
    if old is not None and old_size is None:
        old_size = item_size(old)
    if new is None:
        new_size = 0
    elif new_size is None:
        new_size = item_size(new)
    seal = engine.sealer.seal
    changed = old != new
    new_doc = seal(meta.sse_enabled, orjson.dumps(new)) if new is not None and changed else None
    if new is None:
        c.execute(f"DELETE FROM {meta.items_table} WHERE pk=? AND sk=?", (pk, sk))
    elif changed:  # rewriting an identical item (an idempotent retry) leaves the row as it is
        expires = expiry_of(meta, new)
        if old is None:
            c.execute(f"INSERT OR REPLACE INTO {meta.items_table}(pk, sk, h, doc, size, expires)"
                      " VALUES(?, ?, ?, ?, ?, ?)", (pk, sk, partition_hash(pk), new_doc, new_size, expires))
        elif expires == expiry_of(meta, old):
            # An UPDATE that leaves the indexed columns alone dirties only the row's page; a
            # REPLACE would also rewrite the scan-order and expiry index entries (WAL pages).
            c.execute(f"UPDATE {meta.items_table} SET doc=?, size=? WHERE pk=? AND sk=?", (new_doc, new_size, pk, sk))
        else:
            c.execute(f"UPDATE {meta.items_table} SET doc=?, size=?, expires=? WHERE pk=? AND sk=?",
                      (new_doc, new_size, expires, pk, sk))
    consumed.write = write_units(max(old_size or 0, new_size))
    for index in meta.indexes:
        consumed.add_index_write(index.name, _write_index(c, meta, index, pk, sk, old, new, seal,
                                                          new_doc, new_size))
    if changed:  # a write that changes nothing leaves no change-log record
        if old is not None and old_doc is None:
            old_doc = seal(meta.sse_enabled, orjson.dumps(old))
        c.execute(f"INSERT INTO {meta.log_table}(at, pk, sk, old, new, origin) VALUES(?, ?, ?, ?, ?, ?)",
                  (engine.clock.now(), pk, sk, old_doc if old is not None else None, new_doc, origin))
    delta_count = (new is not None) - (old is not None)
    delta_size = new_size - (old_size or 0)
    tid = meta.tid
    engine.storage.on_commit(lambda: engine.stats.adjust(tid, delta_count, delta_size))
    return consumed


def _write_index(c: sqlite3.Connection, meta: TableMeta, index: IndexMeta, pk: bytes, sk: bytes,
                 old: dict | None, new: dict | None, seal: Callable[[bool, bytes], bytes],
                 new_doc: bytes | None, new_size: int) -> float:
    before = index_entry(meta, index, old)
    after = index_entry(meta, index, new)
    if before is None and after is None:
        return 0.0
    table = index.sql_table
    if after is None:
        c.execute(f"DELETE FROM {table} WHERE ipk=? AND isk=? AND pk=? AND sk=?", (before[0], before[1], pk, sk))
        return write_units(item_size(before[2]) + INDEX_ENTRY_OVERHEAD)
    if before is not None and before[2] == after[2] and before[:2] == after[:2]:
        return 0.0  # no projected attribute changed: DynamoDB does not write the index
    if index.projection_type == "ALL":  # the entry is the base item: reuse its stored document
        doc, size = new_doc, new_size + INDEX_ENTRY_OVERHEAD
    else:
        doc, size = seal(meta.sse_enabled, orjson.dumps(after[2])), item_size(after[2]) + INDEX_ENTRY_OVERHEAD
    if before is not None and before[:2] != after[:2]:
        # The index key moved (e.g. a status transition): one UPDATE re-keys the row in place
        # of a DELETE plus an INSERT. DynamoDB charges both the removal and the new entry.
        moved = c.execute(f"UPDATE OR REPLACE {table} SET ipk=?, isk=?, doc=?, size=?"
                          " WHERE ipk=? AND isk=? AND pk=? AND sk=?",
                          (after[0], after[1], doc, size, before[0], before[1], pk, sk)).rowcount
        removed = write_units(item_size(before[2]) + INDEX_ENTRY_OVERHEAD)
        if moved:
            return removed + write_units(size)
        # No old entry to move (an index still being backfilled): insert the new one.
    else:
        removed = 0.0
    c.execute(f"INSERT OR REPLACE INTO {table}(ipk, isk, pk, sk, doc, size) VALUES(?, ?, ?, ?, ?, ?)",
              (after[0], after[1], pk, sk, doc, size))
    return removed + write_units(size)


def index_row(meta: TableMeta, index: IndexMeta, item: dict, seal: Callable[[bool, bytes], bytes], *,
              key: tuple[bytes, bytes] | None = None, doc: bytes | None = None,
              size: int | None = None) -> tuple | None:
    """The (ipk, isk, pk, sk, stored doc, size) row of `item` in `index`, or None when it is not in it.

    Callers that already hold the item's storage key, stored (sealed) document and size pass
    them: an ALL-projection entry is then that document itself, with no re-encoding or re-sizing.
    """
    entry = index_entry(meta, index, item)
    if entry is None:
        return None
    pk, sk = key if key is not None else encoded_key(meta, item)
    if index.projection_type == "ALL" and doc is not None and size is not None:
        return entry[0], entry[1], pk, sk, doc, size + INDEX_ENTRY_OVERHEAD
    return (entry[0], entry[1], pk, sk, seal(meta.sse_enabled, orjson.dumps(entry[2])),
            item_size(entry[2]) + INDEX_ENTRY_OVERHEAD)


def write_index_entry(c: sqlite3.Connection, meta: TableMeta, index: IndexMeta, item: dict,
                      seal: Callable[[bool, bytes], bytes]) -> None:
    """Backfill helper: put one item's entry into `index` (idempotent)."""
    row = index_row(meta, index, item, seal)
    if row is not None:
        c.execute(f"INSERT OR REPLACE INTO {index.sql_table}(ipk, isk, pk, sk, doc, size) VALUES(?, ?, ?, ?, ?, ?)",
                  row)


def decode_doc(engine: "Engine", raw: Any) -> dict:
    return orjson.loads(engine.sealer.open(raw))
