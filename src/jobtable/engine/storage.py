"""The SQLite file under a data dir: connection, schema, transactions.

One database per data dir, WAL mode. Every API write runs inside `Storage.transaction()`,
so the base row, its index rows and its change-log row commit together or not at all.
Per-table SQL tables (`items_<tid>`, `idx_<iid>`, `log_<tid>`) make DeleteTable a DROP and
keep each B-tree ordered by DynamoDB's key order (see keys.py).
"""
from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
from typing import Callable, Iterator

log = logging.getLogger("jobtable.storage")

SCHEMA_VERSION = 1
DATABASE_FILE = "jobtable.sqlite3"


class StorageError(RuntimeError):
    """The data dir cannot be used (newer schema, corruption...)."""


class Storage:
    """One SQLite connection guarded by a re-entrant lock (the engine serialises writes)."""

    def __init__(self, data_dir: str | None, synchronous: str = "NORMAL", check: str | None = None) -> None:
        """`check`: "quick" or "full" integrity check at open; without it a quick check runs
        only when the previous process did not close the file cleanly (see `_check_after`)."""
        self.data_dir = data_dir
        if data_dir is None:
            path = ":memory:"
        else:
            os.makedirs(data_dir, exist_ok=True)
            path = os.path.join(data_dir, DATABASE_FILE)
        self.path = path
        self.lock = threading.RLock()
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False,
                                    cached_statements=1024)
        self._in_transaction = False
        self._on_commit: list[Callable[[], None]] = []
        self._on_rollback: list[Callable[[], None]] = []
        try:
            self._configure(synchronous)
            self._create_schema()
            if path != ":memory:":
                self._check_after_unclean_stop(check)
        except sqlite3.DatabaseError as exc:
            self.conn.close()
            raise StorageError(f"{path} is not a usable jobtable database ({exc}); move it aside and restore "
                               "from a backup (jobtable backups restore) or start with an empty data dir") from exc

    # -- set-up -----------------------------------------------------------------------
    def _configure(self, synchronous: str) -> None:
        c = self.conn
        if self.path != ":memory:":
            mode = c.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if mode.lower() != "wal":
                raise StorageError(f"could not switch {self.path} to WAL mode (got {mode})")
        c.execute(f"PRAGMA synchronous={synchronous}")
        c.execute("PRAGMA temp_store=MEMORY")
        c.execute("PRAGMA cache_size=-65536")  # 64 MB page cache
        c.execute("PRAGMA foreign_keys=OFF")
        page_limit = os.environ.get("JOBTABLE_MAX_PAGE_COUNT")
        if page_limit:  # test-only fault injection: a "disk" that fills up (docs/reliability.md)
            c.execute(f"PRAGMA max_page_count={int(page_limit)}")

    def _create_schema(self) -> None:
        c = self.conn
        c.execute("CREATE TABLE IF NOT EXISTS jt_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        row = c.execute("SELECT value FROM jt_meta WHERE key='schema_version'").fetchone()
        if row is None:
            c.execute("INSERT INTO jt_meta VALUES('schema_version', ?)", (str(SCHEMA_VERSION),))
        elif int(row[0]) != SCHEMA_VERSION:
            raise StorageError(
                f"data dir {self.data_dir} has schema version {row[0]}, this jobtable reads "
                f"version {SCHEMA_VERSION}; use a matching jobtable or restore from a backup")
        c.execute("CREATE TABLE IF NOT EXISTS jt_tables(name TEXT PRIMARY KEY, tid INTEGER UNIQUE NOT NULL,"
                  " meta TEXT NOT NULL)")
        c.execute("CREATE TABLE IF NOT EXISTS jt_tags(arn TEXT NOT NULL, key TEXT NOT NULL,"
                  " value TEXT NOT NULL, PRIMARY KEY(arn, key))")
        c.execute("CREATE TABLE IF NOT EXISTS jt_counters(name TEXT PRIMARY KEY, value INTEGER NOT NULL)")

    def _check_after_unclean_stop(self, check: str | None) -> None:
        """Check the file when asked to or when the last process was killed, then mark it open.

        `close()` sets `clean_shutdown` to 1 after its checkpoint; a start that finds 0 knows
        the last process died (kill -9, power loss) and runs PRAGMA quick_check (about
        0.5 s for 100k job items, 177 MB, here: docs/reliability.md) before serving anything.
        """
        c = self.conn
        row = c.execute("SELECT value FROM jt_meta WHERE key='clean_shutdown'").fetchone()
        if check is None and row is not None and row[0] == "0":
            check = "quick"
        if check is not None:
            pragma = "integrity_check" if check == "full" else "quick_check"
            try:
                problems = [r[0] for r in c.execute(f"PRAGMA {pragma}(5)")]
            except sqlite3.DatabaseError as exc:  # damage bad enough to stop the check itself
                problems = [str(exc)]
            if problems != ["ok"]:
                raise StorageError(
                    f"{self.path} failed its integrity check ({'; '.join(problems)[:300]}); the data file "
                    "is damaged: move it aside and restore from a backup (jobtable backups restore) "
                    "or from point-in-time recovery")
        c.execute("INSERT OR REPLACE INTO jt_meta VALUES('clean_shutdown', '0')")

    # -- transactions -----------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT under the engine lock; nested calls join the outer one."""
        with self.lock:
            if self._in_transaction:
                yield self.conn
                return
            self.conn.execute("BEGIN IMMEDIATE")
            self._in_transaction = True
            try:
                yield self.conn
                self.conn.execute("COMMIT")  # may fail too (disk full while writing the WAL)
            except BaseException:
                self._abort()
                raise
            self._in_transaction = False
            self._on_rollback.clear()
            callbacks, self._on_commit = self._on_commit, []
            for callback in callbacks:
                callback()

    def _abort(self) -> None:
        """Roll back after a failure, which SQLite may already have done (SQLITE_FULL, IOERR)."""
        self._in_transaction = False
        self._on_commit.clear()
        try:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
        except sqlite3.Error:
            log.exception("rollback failed")  # the original error is the one worth reporting
        callbacks, self._on_rollback = self._on_rollback, []
        for callback in callbacks:
            callback()

    def on_rollback(self, callback: Callable[[], None]) -> None:
        """Run `callback` if the current transaction rolls back (in-memory state to undo)."""
        if self._in_transaction:
            self._on_rollback.append(callback)

    def on_commit(self, callback: Callable[[], None]) -> None:
        """Run `callback` after the current transaction commits (immediately outside one)."""
        if self._in_transaction:
            self._on_commit.append(callback)
        else:
            callback()

    @contextlib.contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A consistent read under the lock (one statement or several)."""
        with self.lock:
            yield self.conn

    def next_counter(self, name: str) -> int:
        """A durable monotonically increasing id (table ids, index ids)."""
        with self.transaction() as c:
            row = c.execute("SELECT value FROM jt_counters WHERE name=?", (name,)).fetchone()
            value = (row[0] if row else 0) + 1
            c.execute("INSERT OR REPLACE INTO jt_counters VALUES(?, ?)", (name, value))
            return value

    def integrity_check(self) -> str:
        with self.lock:
            return self.conn.execute("PRAGMA quick_check").fetchone()[0]

    def close(self) -> None:
        with self.lock:
            try:
                if self.path != ":memory:":
                    self.conn.execute("INSERT OR REPLACE INTO jt_meta VALUES('clean_shutdown', '1')")
                    self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.Error as exc:  # e.g. disk full: the WAL keeps the data; the next start checks
                log.warning("could not close %s cleanly: %s", self.path, exc)
            finally:
                self.conn.close()
