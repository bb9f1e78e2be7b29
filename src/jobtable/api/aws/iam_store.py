"""Where IAM managed policies live: in the engine's SQLite file (durable), or in memory.

A policy is stored whole (metadata, versions, tags) as one JSON row keyed by ARN; IAM
operations read-modify-write one policy at a time, inside one transaction.
"""
from __future__ import annotations

import contextlib
import threading
from dataclasses import asdict, dataclass, field
from typing import Any, Iterator, Protocol

import orjson


@dataclass
class PolicyVersion:
    document: str
    created: float


@dataclass
class ManagedPolicy:
    name: str
    policy_id: str
    arn: str
    path: str
    description: str | None
    created: float
    updated: float
    default_version: str
    next_version: int
    versions: dict[str, PolicyVersion] = field(default_factory=dict)
    tags: list[dict[str, str]] = field(default_factory=list)

    def to_json(self) -> bytes:
        return orjson.dumps(asdict(self))

    @classmethod
    def from_json(cls, raw: bytes | str) -> "ManagedPolicy":
        data = orjson.loads(raw)
        data["versions"] = {k: PolicyVersion(**v) for k, v in data["versions"].items()}
        return cls(**data)


class PolicyStore(Protocol):
    def transaction(self) -> contextlib.AbstractContextManager[Any]: ...
    def get(self, arn: str) -> ManagedPolicy | None: ...
    def find_by_name(self, name: str) -> ManagedPolicy | None: ...
    def put(self, policy: ManagedPolicy) -> None: ...
    def delete(self, arn: str) -> None: ...
    def all(self) -> list[ManagedPolicy]: ...


class InMemoryPolicyStore:
    """For tests and engines without storage."""

    def __init__(self) -> None:
        self._policies: dict[str, bytes] = {}
        self._lock = threading.RLock()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        with self._lock:
            yield

    def get(self, arn: str) -> ManagedPolicy | None:
        raw = self._policies.get(arn)
        return ManagedPolicy.from_json(raw) if raw else None

    def find_by_name(self, name: str) -> ManagedPolicy | None:
        return next((p for p in self.all() if p.name.lower() == name.lower()), None)

    def put(self, policy: ManagedPolicy) -> None:
        self._policies[policy.arn] = policy.to_json()

    def delete(self, arn: str) -> None:
        self._policies.pop(arn, None)

    def all(self) -> list[ManagedPolicy]:
        return sorted((ManagedPolicy.from_json(raw) for raw in self._policies.values()), key=lambda p: p.name)


class SqlitePolicyStore:
    """Policies in the engine's database (`jt_iam_policies`), so they survive restarts."""

    def __init__(self, storage: Any) -> None:
        self.storage = storage
        with storage.transaction() as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS jt_iam_policies(arn TEXT PRIMARY KEY,"
                         " name TEXT NOT NULL UNIQUE COLLATE NOCASE, body BLOB NOT NULL)")

    def transaction(self) -> contextlib.AbstractContextManager[Any]:
        return self.storage.transaction()

    def _one(self, sql: str, arg: str) -> ManagedPolicy | None:
        with self.storage.read() as conn:
            row = conn.execute(sql, (arg,)).fetchone()
        return ManagedPolicy.from_json(row[0]) if row else None

    def get(self, arn: str) -> ManagedPolicy | None:
        return self._one("SELECT body FROM jt_iam_policies WHERE arn=?", arn)

    def find_by_name(self, name: str) -> ManagedPolicy | None:
        return self._one("SELECT body FROM jt_iam_policies WHERE name=?", name)

    def put(self, policy: ManagedPolicy) -> None:
        with self.storage.transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO jt_iam_policies(arn, name, body) VALUES(?, ?, ?)",
                         (policy.arn, policy.name, policy.to_json()))

    def delete(self, arn: str) -> None:
        with self.storage.transaction() as conn:
            conn.execute("DELETE FROM jt_iam_policies WHERE arn=?", (arn,))

    def all(self) -> list[ManagedPolicy]:
        with self.storage.read() as conn:
            rows = conn.execute("SELECT body FROM jt_iam_policies ORDER BY name").fetchall()
        return [ManagedPolicy.from_json(row[0]) for row in rows]


def policy_store(context: Any) -> PolicyStore:
    """The store of the context's engine (created on first use), or a process-wide one."""
    engine = getattr(context, "engine", None)
    if engine is None:
        return _FALLBACK
    with getattr(engine, "lock", None) or contextlib.nullcontext():
        store = engine.extensions.get("iam_policies")
        if store is None:
            storage = getattr(engine, "storage", None)
            store = SqlitePolicyStore(storage) if storage is not None else InMemoryPolicyStore()
            engine.extensions["iam_policies"] = store
    return store


_FALLBACK = InMemoryPolicyStore()
