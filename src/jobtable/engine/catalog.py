"""Table and index metadata: what a table is, persisted as JSON in `jt_tables`, cached in memory.

The catalog owns the per-table SQL objects (items, index and change-log tables) so that
creating, altering and dropping a DynamoDB table is one place.
"""
from __future__ import annotations

import dataclasses
import sqlite3
from dataclasses import dataclass, field
from typing import Any

import orjson

from jobtable.engine.errors import ResourceNotFoundException
from jobtable.engine.storage import Storage


@dataclass
class KeyAttr:
    name: str
    type: str  # "S" | "N" | "B"


@dataclass
class IndexMeta:
    name: str
    iid: int
    kind: str  # "GSI" | "LSI"
    hash: KeyAttr
    range: KeyAttr | None
    projection_type: str  # ALL | KEYS_ONLY | INCLUDE
    non_key_attributes: list[str] | None = None
    status: str = "ACTIVE"
    backfilling: bool = False
    read_capacity: int = 0
    write_capacity: int = 0
    last_increase: float | None = None
    last_decrease: float | None = None
    decreases_today: int = 0
    created: float = 0.0
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def sql_table(self) -> str:
        return f"idx_{self.iid}"

    def key_names(self) -> list[str]:
        return [self.hash.name] + ([self.range.name] if self.range else [])


@dataclass
class TableMeta:
    name: str
    tid: int
    table_id: str
    arn: str
    created: float
    hash: KeyAttr
    range: KeyAttr | None
    attribute_definitions: list[dict[str, str]]
    status: str = "ACTIVE"
    billing_mode: str = "PROVISIONED"
    read_capacity: int = 0
    write_capacity: int = 0
    last_increase: float | None = None
    last_decrease: float | None = None
    decreases_today: int = 0
    billing_mode_changed: float | None = None
    gsis: list[IndexMeta] = field(default_factory=list)
    lsis: list[IndexMeta] = field(default_factory=list)
    stream_enabled: bool = False
    stream_view_type: str | None = None
    stream_label: str | None = None
    sse_enabled: bool = False
    sse_type: str | None = None
    kms_key_arn: str | None = None
    table_class: str = "STANDARD"
    deletion_protection: bool = False
    ttl_attribute: str | None = None
    ttl_status: str = "DISABLED"
    on_demand_max_read: int | None = None
    on_demand_max_write: int | None = None
    extras: dict[str, Any] = field(default_factory=dict)  # feature state added by later modules

    @property
    def items_table(self) -> str:
        return f"items_{self.tid}"

    @property
    def log_table(self) -> str:
        return f"log_{self.tid}"

    @property
    def indexes(self) -> list[IndexMeta]:
        return self.gsis + self.lsis

    def key_names(self) -> list[str]:
        return [self.hash.name] + ([self.range.name] if self.range else [])

    def index(self, name: str) -> IndexMeta | None:
        for index in self.indexes:
            if index.name == name:
                return index
        return None

    @property
    def stream_arn(self) -> str | None:
        if not self.stream_label:
            return None
        return f"{self.arn}/stream/{self.stream_label}"

    def to_json(self) -> bytes:
        return orjson.dumps(dataclasses.asdict(self))

    @classmethod
    def from_json(cls, raw: bytes | str) -> "TableMeta":
        data = orjson.loads(raw)
        data["hash"] = KeyAttr(**data["hash"])
        data["range"] = KeyAttr(**data["range"]) if data.get("range") else None
        data["gsis"] = [_index_from_dict(d) for d in data.get("gsis", [])]
        data["lsis"] = [_index_from_dict(d) for d in data.get("lsis", [])]
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def _index_from_dict(data: dict[str, Any]) -> IndexMeta:
    data = dict(data)
    data["hash"] = KeyAttr(**data["hash"])
    data["range"] = KeyAttr(**data["range"]) if data.get("range") else None
    known = {f.name for f in dataclasses.fields(IndexMeta)}
    return IndexMeta(**{k: v for k, v in data.items() if k in known})


class Catalog:
    """Every table's metadata, read once from SQLite and kept in memory."""

    def __init__(self, storage: Storage, region: str, account_id: str) -> None:
        self.storage = storage
        self.region = region
        self.account_id = account_id
        self._tables: dict[str, TableMeta] = {}
        self.reload()

    def reload(self) -> None:
        """Read every table's metadata again (after a rolled-back change to it)."""
        with self.storage.read() as c:
            self._tables = {meta.name: meta for meta in
                            (TableMeta.from_json(raw) for (raw,) in c.execute("SELECT meta FROM jt_tables"))}

    def table_arn(self, name: str) -> str:
        return f"arn:aws:dynamodb:{self.region}:{self.account_id}:table/{name}"

    def get(self, name: str) -> TableMeta | None:
        return self._tables.get(name)

    def require(self, name: str) -> TableMeta:
        meta = self._tables.get(name)
        if meta is None:
            raise ResourceNotFoundException(f"Requested resource not found: Table: {name} not found")
        return meta

    def names(self) -> list[str]:
        return sorted(self._tables)

    def all(self) -> list[TableMeta]:
        return [self._tables[n] for n in self.names()]

    def save(self, meta: TableMeta) -> None:
        """Persist `meta` (inside the caller's transaction when there is one)."""
        with self.storage.transaction() as c:
            c.execute("INSERT OR REPLACE INTO jt_tables(name, tid, meta) VALUES(?, ?, ?)",
                      (meta.name, meta.tid, meta.to_json()))
            # callers change `meta` in place before saving: a rollback must not leave that in memory
            self.storage.on_rollback(self.reload)
        self._tables[meta.name] = meta

    def add(self, meta: TableMeta) -> None:
        with self.storage.transaction() as c:
            create_table_storage(c, meta)
            for index in meta.indexes:
                create_index_storage(c, index)
            self.save(meta)

    def remove(self, meta: TableMeta) -> None:
        with self.storage.transaction() as c:
            for index in meta.indexes:
                c.execute(f"DROP TABLE IF EXISTS {index.sql_table}")
            c.execute(f"DROP TABLE IF EXISTS {meta.items_table}")
            keep_log_as = meta.extras.get("keep_log_as")  # set by a deletion hook that archives history (PITR)
            if keep_log_as:
                c.execute(f"ALTER TABLE {meta.log_table} RENAME TO {keep_log_as}")
            else:
                c.execute(f"DROP TABLE IF EXISTS {meta.log_table}")
            c.execute("DELETE FROM jt_tables WHERE name=?", (meta.name,))
            c.execute("DELETE FROM jt_tags WHERE arn=?", (meta.arn,))
            self.storage.on_rollback(self.reload)
        self._tables.pop(meta.name, None)


def create_table_storage(c: sqlite3.Connection, meta: TableMeta) -> None:
    # h: a 16-bit hash of the partition key, so Scan runs in hash order and parallel-scan
    # segments are index ranges; expires: the TTL attribute's value, for incremental sweeps.
    c.execute(f"CREATE TABLE IF NOT EXISTS {meta.items_table}(pk BLOB NOT NULL, sk BLOB NOT NULL,"
              " h INTEGER NOT NULL, doc BLOB NOT NULL, size INTEGER NOT NULL, expires REAL,"
              " PRIMARY KEY(pk, sk)) WITHOUT ROWID")
    c.execute(f"CREATE INDEX IF NOT EXISTS {meta.items_table}_h ON {meta.items_table}(h, pk, sk)")
    c.execute(f"CREATE INDEX IF NOT EXISTS {meta.items_table}_exp ON {meta.items_table}(expires)"
              " WHERE expires IS NOT NULL")
    c.execute(f"CREATE TABLE IF NOT EXISTS {meta.log_table}(seq INTEGER PRIMARY KEY AUTOINCREMENT,"
              " at REAL NOT NULL, pk BLOB NOT NULL, sk BLOB NOT NULL, old BLOB, new BLOB,"
              " origin TEXT NOT NULL)")
    c.execute(f"CREATE INDEX IF NOT EXISTS {meta.log_table}_at ON {meta.log_table}(at)")


def create_index_storage(c: sqlite3.Connection, index: IndexMeta) -> None:
    c.execute(f"CREATE TABLE IF NOT EXISTS {index.sql_table}(ipk BLOB NOT NULL, isk BLOB NOT NULL,"
              " pk BLOB NOT NULL, sk BLOB NOT NULL, doc BLOB NOT NULL, size INTEGER NOT NULL,"
              " PRIMARY KEY(ipk, isk, pk, sk)) WITHOUT ROWID")
