"""BatchGetItem and BatchWriteItem: many keys or writes over several tables in one call.

A batch read runs under the storage lock, so it sees one consistent state; it stops at
DynamoDB's 16 MB response cap and hands the keys it did not read back as unprocessed, so a
client loop that resends UnprocessedKeys completes. A batch write applies every admitted
request in one SQLite transaction through the one write path (`apply_write`).

Throttling hook: callables in `admission_checks(engine)` are asked, per request, whether
the table has capacity for it: `check(engine, meta, "read" | "write", units) -> bool`.
A False defers that request to UnprocessedKeys / UnprocessedItems, as DynamoDB does when a
table is over its throughput; when nothing at all could be processed the call fails with
ProvisionedThroughputExceededException. The throttling engine registers its check here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Optional

import orjson

from jobtable.engine.capacity import Consumed, read_units, write_units
from jobtable.engine.catalog import TableMeta
from jobtable.engine.errors import ProvisionedThroughputExceededException
from jobtable.engine.items import read_current
from jobtable.engine.values import item_size
from jobtable.engine.writes import apply_write, encoded_key

if TYPE_CHECKING:
    from jobtable.engine.engine import Engine
    from jobtable.engine.expressions import Projection

RESPONSE_CAP_BYTES = 16 * 1024 * 1024
THROUGHPUT_EXCEEDED = ("The level of configured provisioned throughput for the table was exceeded. "
                       "Consider increasing your provisioning level with the UpdateTable API")

AdmissionCheck = Callable[["Engine", TableMeta, str, float], bool]


def admission_checks(engine: "Engine") -> list[AdmissionCheck]:
    """The engine's batch admission checks (the throttling engine appends to this list)."""
    return engine.extensions.setdefault("batch_admission", [])  # type: ignore[return-value]


def _admitted(engine: "Engine", meta: TableMeta, kind: str, units: float) -> bool:
    return all(check(engine, meta, kind, units) for check in admission_checks(engine))


def consumed_for(meta: TableMeta) -> Consumed:
    return Consumed(meta.name, gsi_names=frozenset(i.name for i in meta.gsis))


# ---------------------------------------------------------------- BatchGetItem


@dataclass
class TableReads:
    """The keys a BatchGetItem asks of one table, and how to read them."""

    meta: TableMeta
    keys: list[dict]
    projection: Optional["Projection"] = None
    consistent: bool = False


@dataclass
class BatchGetResult:
    items: dict[str, list[Any]] = field(default_factory=dict)        # table -> items
    unprocessed: dict[str, list[dict]] = field(default_factory=dict)  # table -> keys
    consumed: dict[str, Consumed] = field(default_factory=dict)


def batch_get(engine: "Engine", tables: list[TableReads]) -> BatchGetResult:
    """Read every key (validated against its table), up to the 16 MB response cap."""
    result = BatchGetResult()
    total = 0
    deferred = read_any = False
    with engine.storage.read() as c:
        for reads in tables:
            meta = reads.meta
            found = result.items.setdefault(meta.name, [])
            consumed = result.consumed.setdefault(meta.name, consumed_for(meta))
            sql = f"SELECT doc, size FROM {meta.items_table} WHERE pk=? AND sk=?"
            for index, key in enumerate(reads.keys):
                if total >= RESPONSE_CAP_BYTES:
                    result.unprocessed.setdefault(meta.name, []).extend(reads.keys[index:])
                    break
                if not _admitted(engine, meta, "read", read_units(0, reads.consistent)):
                    result.unprocessed.setdefault(meta.name, []).append(key)
                    deferred = True
                    continue
                row = c.execute(sql, encoded_key(meta, key)).fetchone()
                size = row[1] if row else 0
                if row is not None and total + size > RESPONSE_CAP_BYTES:
                    result.unprocessed.setdefault(meta.name, []).extend(reads.keys[index:])
                    total = RESPONSE_CAP_BYTES
                    break
                read_any = True
                consumed.read += read_units(size, reads.consistent)
                if row is None:
                    continue
                total += size
                if reads.projection is None:
                    found.append(orjson.Fragment(row[0]))
                else:
                    found.append(reads.projection.apply(orjson.loads(row[0])))
    if deferred and not read_any:
        raise ProvisionedThroughputExceededException(THROUGHPUT_EXCEEDED)
    return result


# ---------------------------------------------------------------- BatchWriteItem


@dataclass
class WriteRequest:
    """One validated PutRequest (item) or DeleteRequest (key, item=None) of a batch."""

    meta: TableMeta
    key: dict
    item: Optional[dict]
    raw: dict  # the request as sent, handed back in UnprocessedItems


@dataclass
class BatchWriteResult:
    unprocessed: dict[str, list[dict]] = field(default_factory=dict)
    consumed: dict[str, Consumed] = field(default_factory=dict)
    written: list[tuple[TableMeta, dict]] = field(default_factory=list)  # (table, item or key)


def batch_write(engine: "Engine", requests: list[WriteRequest]) -> BatchWriteResult:
    """Apply every admitted put/delete in one transaction; the others come back unprocessed."""
    result = BatchWriteResult()
    deferred = False
    with engine.storage.transaction():
        for request in requests:
            meta = request.meta
            consumed = result.consumed.setdefault(meta.name, consumed_for(meta))
            estimate = write_units(item_size(request.item)) if request.item is not None else 1.0
            if not _admitted(engine, meta, "write", estimate):
                result.unprocessed.setdefault(meta.name, []).append(request.raw)
                deferred = True
                continue
            old, old_size = read_current(engine, meta, request.key)
            if request.item is None and old is None:
                consumed.write += 1.0  # deleting nothing still costs one write unit
            else:
                consumed.merge(apply_write(engine, meta, old, request.item, old_size=old_size))
            result.written.append((meta, request.item if request.item is not None else (old or request.key)))
    if deferred and not result.written:
        raise ProvisionedThroughputExceededException(THROUGHPUT_EXCEEDED)
    return result
