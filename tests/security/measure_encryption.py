"""Measure the cost of encryption at rest (not a test: `python tests/security/measure_encryption.py`).

(a) per-record AES-256-GCM (`RecordCipher`) on 1 KB records, alone and inside SQLite
    inserts/point reads (WAL, on disk), versus the same workload in plaintext;
(b) whole-file encryption with SQLite3 Multiple Ciphers (apsw-sqlite3mc), if installed.
Results go to stdout; docs/security.md quotes them.
"""
from __future__ import annotations

import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from jobtable.security.encryption import RecordCipher

ROWS = int(os.environ.get("ROWS", "20000"))
RECORD = os.urandom(512).hex().encode()  # 1 KB
KEY = os.urandom(32)


def per_call_us(fn, n: int = 20000) -> float:
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n * 1e6


def sqlite_workload(connect, seal=lambda b, k: b, unseal=lambda b, k: b) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        db = connect(str(Path(tmp) / "t.db"))
        db.execute("pragma journal_mode=wal")
        db.execute("pragma synchronous=normal")
        db.execute("create table items (pk blob primary key, doc blob)")
        start = time.perf_counter()
        db.execute("begin")
        for i in range(ROWS):
            pk = b"job-%08d" % i
            db.execute("insert into items values (?, ?)", (pk, seal(RECORD, pk)))
        db.execute("commit")
        insert_us = (time.perf_counter() - start) / ROWS * 1e6
        start = time.perf_counter()
        for i in range(ROWS):
            pk = b"job-%08d" % i
            row = next(iter(db.execute("select doc from items where pk = ?", (pk,))))
            unseal(row[0], pk)
        read_us = (time.perf_counter() - start) / ROWS * 1e6
        db.close()
        return insert_us, read_us


def main() -> None:
    cipher = RecordCipher(KEY)
    sealed = cipher.encrypt(RECORD, b"aad")
    print(f"AES-256-GCM 1 KB encrypt: {per_call_us(lambda: cipher.encrypt(RECORD, b'aad')):.2f} us")
    print(f"AES-256-GCM 1 KB decrypt: {per_call_us(lambda: cipher.decrypt(sealed, b'aad')):.2f} us")
    print(f"overhead per record: {len(sealed) - len(RECORD)} bytes")

    plain = sqlite_workload(sqlite3.connect)
    print(f"sqlite3 plaintext        insert {plain[0]:.2f} us/row, point read {plain[1]:.2f} us/row")
    enc = sqlite_workload(sqlite3.connect, lambda b, k: cipher.encrypt(b, k), lambda b, k: cipher.decrypt(b, k))
    print(f"sqlite3 + RecordCipher   insert {enc[0]:.2f} us/row, point read {enc[1]:.2f} us/row")

    try:
        import apsw  # apsw-sqlite3mc installs as `apsw`
    except ImportError:
        print("apsw-sqlite3mc not installed: whole-file numbers skipped", file=sys.stderr)
        return

    def apsw_connect(path: str, key: bytes | None = None):
        conn = apsw.Connection(path)
        if key is not None:
            conn.pragma("cipher", "aes256cbc")
            conn.pragma("hexkey", key.hex())
        return _ApswAdapter(conn)

    plain_apsw = sqlite_workload(lambda p: apsw_connect(p))
    print(f"apsw plaintext           insert {plain_apsw[0]:.2f} us/row, point read {plain_apsw[1]:.2f} us/row")
    whole = sqlite_workload(lambda p: apsw_connect(p, KEY))
    print(f"apsw-sqlite3mc aes256cbc insert {whole[0]:.2f} us/row, point read {whole[1]:.2f} us/row")


class _ApswAdapter:
    """The three calls the workload makes, on an apsw connection."""

    def __init__(self, conn) -> None:
        self.conn = conn

    def execute(self, sql: str, params=()):
        return self.conn.execute(sql, params)

    def close(self) -> None:
        self.conn.close()


if __name__ == "__main__":
    main()
