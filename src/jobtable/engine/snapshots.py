"""Consistent, key-ordered reads of a live table that never hold the engine lock for long.

A `LiveSnapshot` returns a table exactly as it was at one change-log position `seq`, in
chunks, with readable documents (sealed documents of SSE tables are opened). Each chunk is read under the lock in one go: the next rows of the items table
(as they are *now*) plus every change-log row written after `seq`. For a key changed since
`seq`, the old image of its *first* later change is its value at `seq` (None: it did not
exist), so the chunk is corrected back to that moment. Writers run freely between chunks,
on disk and in memory alike, and the result is the same as a frozen copy.

Readers that depend on change-log rows register a *hold*; whoever prunes the log must keep
every row with `seq > log_hold_floor(engine, tid)` (see docs/backups.md).
"""
from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

import orjson

from jobtable.engine.catalog import TableMeta
from jobtable.engine.values import item_size

if TYPE_CHECKING:
    from jobtable.engine.engine import Engine

Row = tuple[bytes, bytes, bytes, int]  # pk, sk, stored document, item size
_hold_ids = itertools.count(1)


def hold_log(engine: "Engine", tid: int, seq: int, since: float) -> int:
    """Ask log pruning (and PITR roll-forward) to keep rows of table `tid` after `seq`.

    `since` is when position `seq` was current: every later row was written at or after it,
    which is how the time-based retention (changelog.RETENTION_RULES) honours the hold.
    """
    holds: dict[int, tuple[int, int, float]] = engine.extensions.setdefault("changelog_holds", {})
    token = next(_hold_ids)
    holds[token] = (tid, seq, since)
    return token


def release_log(engine: "Engine", token: int | None) -> None:
    if token is not None:
        engine.extensions.get("changelog_holds", {}).pop(token, None)


def log_hold_floor(engine: "Engine", tid: int) -> int | None:
    """The lowest held position for table `tid` (rows after it must stay), or None."""
    seqs = [seq for t, seq, _ in list(engine.extensions.get("changelog_holds", {}).values()) if t == tid]
    return min(seqs) if seqs else None


def log_hold_since(engine: "Engine", tid: int) -> float | None:
    """The earliest time from which table `tid`'s log rows are held, or None."""
    times = [at for t, _, at in list(engine.extensions.get("changelog_holds", {}).values()) if t == tid]
    return min(times) if times else None


def current_seq(c, log_table: str) -> int:
    """The newest change-log position of a table (0 when its log is empty)."""
    row = c.execute(f"SELECT max(seq) FROM {log_table}").fetchone()
    return row[0] or 0


def rows_after(c, table: str, cursor: tuple[bytes, bytes] | None, limit: int) -> list[Row]:
    """The next `limit` (pk, sk, stored doc, size) rows of an items-shaped table after `cursor`."""
    if cursor is None:
        return c.execute(f"SELECT pk, sk, doc, size FROM {table} ORDER BY pk, sk LIMIT {limit}").fetchall()
    return c.execute(f"SELECT pk, sk, doc, size FROM {table} WHERE (pk, sk) > (?, ?) ORDER BY pk, sk"
                     f" LIMIT {limit}", cursor).fetchall()


class KeyOrderedReader:
    """Base of the chunked readers: a cursor over key order, and the chunk correction they share."""

    _cursor: tuple[bytes, bytes] | None = None
    _done = False

    def _finish_chunk(self, engine: "Engine", rows: list[Row],
                      replacements: dict[tuple[bytes, bytes], bytes | None],
                      upto: tuple[bytes, bytes] | None) -> list[Row]:
        """`rows` with the keys in `replacements` swapped for those documents (None: absent), in key
        order, every document opened (sealed ones, of SSE tables) — outside the engine lock."""
        open_doc = engine.sealer.open
        out = [(pk, sk, open_doc(doc), size) for pk, sk, doc, size in rows if (pk, sk) not in replacements]
        for (pk, sk), doc in replacements.items():
            if doc is not None:
                doc = open_doc(doc)
                out.append((pk, sk, doc, item_size(orjson.loads(doc))))
        if replacements:
            out.sort(key=lambda r: (r[0], r[1]))
        if upto is None:
            self._done = True
            self.close()
        else:
            self._cursor = upto
        return out

    def close(self) -> None:
        raise NotImplementedError


def in_range(key: tuple[bytes, bytes], after: tuple[bytes, bytes] | None,
             upto: tuple[bytes, bytes] | None) -> bool:
    return (after is None or key > after) and (upto is None or key <= upto)


class LiveSnapshot(KeyOrderedReader):
    """A table as it was at change-log position `seq`, read chunk by chunk in key order."""

    def __init__(self, engine: "Engine", meta: TableMeta, seq: int | None = None,
                 since: float | None = None) -> None:
        """`since`: when position `seq` was current (default now; earlier for a job resumed after a restart)."""
        self.engine = engine
        self.meta = meta
        since = engine.clock.now() if since is None else since
        if seq is None:
            with engine.storage.read() as c:
                seq = current_seq(c, meta.log_table)
        self.seq = seq
        self._hold = hold_log(engine, meta.tid, seq, since)

    def next_chunk(self, limit: int = 5000) -> list[Row] | None:
        """The next rows in key order (as of `seq`), or None when the table is exhausted."""
        if self._done:
            return None
        meta, cursor = self.meta, self._cursor
        with self.engine.storage.read() as c:
            rows = rows_after(c, meta.items_table, cursor, limit)
            later = c.execute(f"SELECT pk, sk, old FROM {meta.log_table} WHERE seq > ? ORDER BY seq",
                              (self.seq,)).fetchall()
        upto = (rows[-1][0], rows[-1][1]) if len(rows) >= limit else None
        before: dict[tuple[bytes, bytes], bytes | None] = {}
        for pk, sk, old in later:
            key = (pk, sk)
            if key not in before and in_range(key, cursor, upto):
                before[key] = old  # the value at `seq`: the old image of the first later change
        return self._finish_chunk(self.engine, rows, before, upto)

    def close(self) -> None:
        release_log(self.engine, self._hold)
        self._hold = None
