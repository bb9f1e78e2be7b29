"""The backup file: one self-contained, checksummed file per backup.

Layout (gzip, level 1 — backups are written far more often than they are read):

    JOBTABLE-BACKUP 1\n
    H{header json}\n          table metadata at backup time, creation time, source
    I{size}\t{item}\n ...     one item document per line (with its item size), in key order
    S{size}\t{base64}\n ...   the same, sealed, for tables with SSE (security/encryption.py)
    T{trailer json}\n         {"items": n, "bytes": total item size, "sha256": hex}

The SHA-256 covers every byte before the trailer line, so a truncated, edited or swapped
file is refused before a restore writes anything (gzip's CRC guards the compression layer).
Files are written to `<name>.<random>.part` and renamed when complete, so a crash never
leaves a half-written file under a backup's name.
"""
from __future__ import annotations

import base64
import glob
import gzip
import hashlib
import os
import secrets
import zlib
from typing import Any, Callable, Iterator

import orjson

from jobtable.engine.localfiles import fsync_dir

MAGIC = b"JOBTABLE-BACKUP 1\n"


class BackupFileError(ValueError):
    """The file is not a complete, intact jobtable backup."""


# What reading a damaged file raises: gzip's own checks (OSError, EOFError) and, for damage
# inside the deflate stream, zlib.error, which is none of those.
_READ_ERRORS = (OSError, EOFError, zlib.error)


class BackupWriter:
    """Streams a backup to disk; `finish()` seals it with the trailer and renames it into place."""

    def __init__(self, path: str, header: dict[str, Any], seal: Callable[[bytes], bytes] | None = None) -> None:
        self.path = path
        self._seal = seal  # backups of SSE tables stay encrypted at rest, like the table
        # A writer of its own name: a writer left behind by a stopped engine can never touch this file.
        self._part = f"{path}.{secrets.token_hex(4)}.part"
        os.makedirs(os.path.dirname(path), exist_ok=True)
        remove_partial_files(path)
        self._file = gzip.open(self._part, "wb", compresslevel=1)
        self._sha = hashlib.sha256()
        self.items = 0
        self.bytes = 0
        self._write(MAGIC)
        self._write(b"H" + orjson.dumps(header) + b"\n")

    def _write(self, data: bytes) -> None:
        self._sha.update(data)
        self._file.write(data)

    def add(self, rows: list[tuple[bytes, int]]) -> None:
        """Append (item document, DynamoDB item size) pairs."""
        if not rows:
            return
        if self._seal is not None:
            seal = self._seal
            self._write(b"".join(b"S%d\t%s\n" % (size, base64.b64encode(seal(doc))) for doc, size in rows))
        else:
            self._write(b"".join(b"I%d\t%s\n" % (size, doc) for doc, size in rows))
        self.items += len(rows)
        self.bytes += sum(size for _, size in rows)

    def finish(self) -> str:
        """Write the trailer, flush to disk, rename into place; returns the SHA-256 hex."""
        digest = self._sha.hexdigest()
        trailer = {"items": self.items, "bytes": self.bytes, "sha256": digest}
        self._file.write(b"T" + orjson.dumps(trailer) + b"\n")
        self._file.close()
        with open(self._part, "rb") as f:
            os.fsync(f.fileno())
        os.replace(self._part, self.path)
        fsync_dir(os.path.dirname(self.path))
        return digest

    def abort(self) -> None:
        try:
            self._file.close()
        finally:
            if os.path.exists(self._part):
                os.remove(self._part)


def remove_partial_files(path: str) -> None:
    """Delete unfinished writes of the backup file `path` (left by a crash or an abort)."""
    for leftover in glob.glob(glob.escape(path) + ".*.part"):
        try:
            os.remove(leftover)
        except FileNotFoundError:
            pass


def read_header(path: str) -> dict[str, Any]:
    try:
        with gzip.open(path, "rb") as f:
            if f.readline() != MAGIC:
                raise BackupFileError(f"{path} is not a jobtable backup")
            line = f.readline()
    except _READ_ERRORS as exc:
        raise BackupFileError(f"{path} is damaged: {exc}") from None
    if not line.startswith(b"H"):
        raise BackupFileError(f"{path} has no header")
    return orjson.loads(line[1:])


def verify(path: str, expected_sha256: str | None = None) -> dict[str, Any]:
    """Read the whole file and check its checksum; returns the trailer (items, bytes, sha256)."""
    sha = hashlib.sha256()
    trailer: dict[str, Any] | None = None
    try:
        with gzip.open(path, "rb") as f:
            first = f.readline()
            if first != MAGIC:
                raise BackupFileError(f"{path} is not a jobtable backup")
            sha.update(first)
            items = 0
            for line in f:
                if line.startswith(b"T"):
                    trailer = orjson.loads(line[1:])
                    break
                sha.update(line)
                items += line[:1] in (b"I", b"S")
            if f.read(1):
                raise BackupFileError(f"{path} has data after its trailer")
    except (*_READ_ERRORS, orjson.JSONDecodeError) as exc:
        raise BackupFileError(f"{path} is damaged: {exc}") from None
    if trailer is None:
        raise BackupFileError(f"{path} is truncated (no trailer)")
    digest = sha.hexdigest()
    if digest != trailer.get("sha256") or items != trailer.get("items"):
        raise BackupFileError(f"{path} failed its checksum")
    if expected_sha256 is not None and digest != expected_sha256:
        raise BackupFileError(f"{path} is not the file this backup recorded (checksum differs)")
    return trailer


class BackupReader:
    """Reads item documents back in chunks (call `verify` first: this reader trusts the file)."""

    def __init__(self, path: str, open_doc: Callable[[bytes], bytes]) -> None:
        self._path = path
        self._open = open_doc
        self._file = gzip.open(path, "rb")
        try:
            if self._file.readline() != MAGIC:
                raise BackupFileError(f"{path} is not a jobtable backup")
            self.header = orjson.loads(self._file.readline()[1:])
        except (*_READ_ERRORS, orjson.JSONDecodeError) as exc:
            self._file.close()
            raise BackupFileError(f"{path} is damaged: {exc}") from None
        except BackupFileError:
            self._file.close()
            raise
        self._done = False

    def next_chunk(self, limit: int) -> list[tuple[bytes, int]] | None:
        """Up to `limit` (document, item size) pairs, or None when the file is exhausted."""
        try:
            return self._next_chunk(limit)
        except _READ_ERRORS as exc:  # the file changed on disk after `verify` read it whole
            self.close()
            raise BackupFileError(f"{self._path} is damaged: {exc}") from None

    def _next_chunk(self, limit: int) -> list[tuple[bytes, int]] | None:
        if self._done:
            return None
        docs: list[tuple[bytes, int]] = []
        for line in self._file:
            if line.startswith(b"T"):
                self._done = True
                break
            size, _, doc = line[1:-1].partition(b"\t")
            docs.append((self._open(base64.b64decode(doc)) if line[:1] == b"S" else doc, int(size)))
            if len(docs) >= limit:
                break
        else:
            self._done = True
        if self._done:
            self.close()
        return docs or None

    def __iter__(self) -> Iterator[list[tuple[bytes, int]]]:
        while (chunk := self.next_chunk(5000)) is not None:
            if chunk:
                yield chunk

    def close(self) -> None:
        self._file.close()
