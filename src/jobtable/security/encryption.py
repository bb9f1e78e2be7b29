"""Encryption at rest: AES-256-GCM per record, with the data key from a file or env var.

Tables created with SSESpecification enabled keep every item document, index row,
change-log image and backup record encrypted with `RecordCipher`. Each record is sealed
with a fresh 96-bit nonce and authenticated together with `aad` (the table and the record's
key), so a record copied onto another row, or a file opened with another key, fails loudly
instead of decrypting to garbage.

Why per record and not whole-file (SQLite3 Multiple Ciphers): see docs/security.md — it
costs a few microseconds per record, needs no second SQLite driver, and lets unencrypted
tables pay nothing.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import threading
import uuid
from pathlib import Path
from typing import Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32
NONCE_BYTES = 12
FORMAT_V1 = b"\x01"
KEY_ENV_VAR = "JOBTABLE_KMS_KEY"


class DataKeyError(ValueError):
    """The data key is missing, malformed, or not the key the data was written with."""


class RecordCipher:
    """AES-256-GCM over single records. Thread-safe (AESGCM holds no per-call state)."""

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise DataKeyError(f"the data key must be {KEY_BYTES} bytes (AES-256), got {len(key)}")
        self._aead = AESGCM(key)
        self.key_id = key_id(key)

    def encrypt(self, plaintext: bytes, aad: bytes = b"") -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return FORMAT_V1 + nonce + self._aead.encrypt(nonce, plaintext, aad)

    def decrypt(self, sealed: bytes, aad: bytes = b"") -> bytes:
        if len(sealed) < 1 + NONCE_BYTES + 16 or sealed[:1] != FORMAT_V1:
            raise DataKeyError("the data key does not match: the record is not encrypted "
                               "in jobtable's format (or is damaged)")
        nonce = sealed[1:1 + NONCE_BYTES]
        try:
            return self._aead.decrypt(nonce, sealed[1 + NONCE_BYTES:], aad)
        except InvalidTag:
            raise DataKeyError(
                f"the data key does not match: this record was not sealed with key {self.key_id} "
                "(wrong --kms-key-file / JOBTABLE_KMS_KEY, or the record was altered)") from None

    def check_value(self) -> str:
        """A value stored beside encrypted data so a wrong key is caught before any read."""
        return self.key_id

    def verify_check_value(self, stored: str) -> None:
        if not hmac.compare_digest(stored, self.key_id):
            raise DataKeyError(
                f"the data key does not match: the data was encrypted with key {stored}, "
                f"but the key given is {self.key_id}")

    def kms_key_arn(self, region: str, account_id: str) -> str:
        """The KMSMasterKeyArn SSEDescription reports: stable for a key, reveals nothing of it."""
        return f"arn:aws:kms:{region}:{account_id}:key/{self.key_id}"


def key_id(key: bytes) -> str:
    """A UUID-shaped, non-reversible identifier of a key (HMAC of a constant, not the key)."""
    digest = hmac.new(key, b"jobtable data key id", hashlib.sha256).digest()
    return str(uuid.UUID(bytes=digest[:16]))


def parse_key(text: str | bytes) -> bytes:
    """Accept a 32-byte key as hex, base64, or (from a binary file) the raw bytes."""
    raw = text if isinstance(text, bytes) else text.encode()
    stripped = raw.strip()
    if len(stripped) == 2 * KEY_BYTES:
        try:
            return binascii.unhexlify(stripped)
        except binascii.Error:
            pass
    try:
        decoded = base64.b64decode(stripped, validate=True)
        if len(decoded) == KEY_BYTES:
            return decoded
    except binascii.Error:
        pass
    if len(raw) == KEY_BYTES:
        return raw
    raise DataKeyError(f"the data key must be {KEY_BYTES} bytes, given as base64 or hex "
                       "(e.g. `openssl rand -base64 32`)")


def read_key_file(key_file: str | os.PathLike[str]) -> bytes:
    path = Path(key_file)
    try:
        return parse_key(path.read_bytes())
    except OSError as exc:
        raise DataKeyError(f"cannot read the data key file {path}: {exc.strerror}") from None


def load_data_key(key_file: str | os.PathLike[str] | None = None,
                  environ: Mapping[str, str] | None = None) -> bytes | None:
    """The data key from `--kms-key-file`, else `$JOBTABLE_KMS_KEY`, else None (no SSE)."""
    if key_file:
        return read_key_file(key_file)
    value = (environ if environ is not None else os.environ).get(KEY_ENV_VAR)
    return parse_key(value) if value else None


def new_key_text() -> str:
    """A fresh random key, base64, for `jobtable keys generate`-style helpers and tests."""
    return base64.b64encode(os.urandom(KEY_BYTES)).decode()


def write_key_file(path: str | os.PathLike[str]) -> Path:
    """Create a new key file readable only by its owner (refuses to overwrite)."""
    target = Path(path)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(new_key_text() + "\n")
    return target


DEFAULT_KEY_FILE_NAME = "data.key"
KEY_ID_FILE_NAME = "data-key.id"  # which key sealed this directory's data (not the key itself)
_DOC_AAD = b"jobtable-doc-v1"


class DocSealer:
    """What the engine calls around every stored document (items, index rows, change log).

    `seal` encrypts only for tables with SSE enabled; `open` recognises sealed documents by
    their format byte (stored JSON always starts with `{`), so tables whose SSE setting
    changed, and tables without SSE, read back without any per-table bookkeeping.

    The data key comes from `--kms-key-file` / `$JOBTABLE_KMS_KEY`. Without one, the first
    SSE table creates `<data-dir>/data.key` (0600), like AWS's "AWS owned key": the data is
    still unreadable from the database file alone, but whoever copies the whole data
    directory copies the key too. In-memory engines use a key that dies with them.
    """

    def __init__(self, key: bytes | None = None, data_dir: str | os.PathLike[str] | None = None) -> None:
        self._data_dir = Path(data_dir) if data_dir else None
        self._lock = threading.Lock()
        self._cipher: RecordCipher | None = None
        self._id_recorded = False
        if key is not None:
            self._cipher = self._checked(RecordCipher(key))

    def _checked(self, cipher: RecordCipher) -> RecordCipher:
        """Refuse, before any read, a key other than the one this directory's data was sealed with."""
        id_file = self._data_dir / KEY_ID_FILE_NAME if self._data_dir else None
        if id_file is not None and id_file.exists():
            cipher.verify_check_value(id_file.read_text().strip())
            self._id_recorded = True
        return cipher

    @property
    def cipher(self) -> RecordCipher:
        if self._cipher is None:
            with self._lock:  # two threads must never invent two different keys
                if self._cipher is None:
                    self._cipher = self._checked(RecordCipher(self._default_key()))
        return self._cipher

    def seal(self, sse_enabled: bool, document: bytes) -> bytes:
        if not sse_enabled:
            return document
        cipher = self.cipher
        if not self._id_recorded and self._data_dir is not None:
            self._data_dir.mkdir(parents=True, exist_ok=True)
            (self._data_dir / KEY_ID_FILE_NAME).write_text(cipher.check_value() + "\n")
            self._id_recorded = True
        return cipher.encrypt(document, _DOC_AAD)

    def open(self, stored: bytes) -> bytes:
        if stored[:1] != FORMAT_V1:
            return stored
        return self.cipher.decrypt(stored, _DOC_AAD)

    def _default_key(self) -> bytes:
        if self._data_dir is None:
            return os.urandom(KEY_BYTES)
        path = self._data_dir / DEFAULT_KEY_FILE_NAME
        if not path.exists():
            self._data_dir.mkdir(parents=True, exist_ok=True)
            write_key_file(path)
        return read_key_file(path)
