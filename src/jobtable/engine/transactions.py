"""TransactWriteItems and TransactGetItems: all-or-nothing writes and snapshot reads.

A write transaction is one SQLite transaction under the engine lock, so it is serializable
with every other write: a concurrent PutItem on a touched item sees none or all of it.
Every action is checked against the item as it is before the transaction (no two actions
may touch one item, so order does not matter); if any fails, nothing is written and
TransactionCanceledException lists one reason per action, in order, as DynamoDB does.
Capacity is counted double (DynamoDB prepares and commits each item).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional

import orjson

from jobtable.engine import idempotency
from jobtable.engine.batches import consumed_for
from jobtable.engine.capacity import Consumed, read_units, write_units
from jobtable.engine.catalog import TableMeta
from jobtable.engine.errors import TransactionCanceledException, ValidationException
from jobtable.engine.items import UPDATE_TOO_LARGE, read_current
from jobtable.engine.values import check_item_size
from jobtable.engine.writes import apply_write, check_index_keys, encoded_key

if TYPE_CHECKING:
    from jobtable.engine.engine import Engine
    from jobtable.engine.expressions import Condition, Projection, Update

TRANSACTION_FACTOR = 2.0
MAX_TRANSACTION_BYTES = 4 * 1024 * 1024
CONDITION_FAILED = "The conditional request failed"
SAME_ITEM = "Transaction request cannot include multiple operations on one item"
TOO_LARGE = "Transaction request cannot be larger than 4 MB"


@dataclass
class WriteAction:
    """One validated Put, Update, Delete or ConditionCheck of a write transaction."""

    kind: str  # "Put" | "Update" | "Delete" | "ConditionCheck"
    meta: TableMeta
    key: dict
    item: Optional[dict] = None            # Put
    update: Optional["Update"] = None      # Update
    condition: Optional["Condition"] = None
    return_old_on_failure: bool = False
    # What a false condition is reported as (PartiQL INSERT reports DuplicateItem).
    failure_code: str = "ConditionalCheckFailed"
    failure_message: str = CONDITION_FAILED


@dataclass
class WriteOutcome:
    consumed: dict[str, Consumed] = field(default_factory=dict)
    written: list[tuple[TableMeta, dict]] = field(default_factory=list)  # (table, new item or old)
    result: dict = field(default_factory=dict)  # what a token replay answers: {"collections": ...}
    replayed: bool = False


@dataclass
class GetAction:
    meta: TableMeta
    key: dict
    projection: Optional["Projection"] = None


def check_distinct_items(targets: list[tuple[TableMeta, dict]]) -> None:
    """Reject two actions on one item (DynamoDB's ValidationException)."""
    seen: set[tuple[str, bytes, bytes]] = set()
    for meta, key in targets:
        storage_key = (meta.name, *encoded_key(meta, key))
        if storage_key in seen:
            raise ValidationException(SAME_ITEM)
        seen.add(storage_key)


def cancellation(reasons: list[dict]) -> TransactionCanceledException:
    codes = ", ".join(reason["Code"] for reason in reasons)
    return TransactionCanceledException(
        f"Transaction cancelled, please refer cancellation reasons for specific reasons [{codes}]",
        CancellationReasons=reasons)


def transact_write(engine: "Engine", actions: list[WriteAction], token: Optional[str] = None,
                   fingerprint: str = "") -> WriteOutcome:
    """Apply every action or none; with a token, a repeat within 10 minutes writes nothing."""
    check_distinct_items([(a.meta, a.key) for a in actions])
    if token is not None:
        idempotency.ensure_schema(engine)
    with engine.storage.transaction():
        if token is not None:
            previous = idempotency.recall(engine, token, fingerprint)
            if previous is not None:
                return _replay(engine, actions, previous)
        outcome = WriteOutcome()
        reasons: list[dict] = []
        failed = False
        for action in actions:
            reason = _run(engine, action, outcome, write=not failed)
            failed = failed or reason is not None
            reasons.append(reason or {"Code": "None"})
        if failed:
            raise cancellation(reasons)
        outcome.result = {"collections": item_collections(outcome.written)}
        if token is not None:
            idempotency.remember(engine, token, fingerprint, outcome.result)
    return outcome


def item_collections(written: list[tuple[TableMeta, dict]]) -> dict[str, list[dict]]:
    """The item collections (partition keys of tables with LSIs) a write touched, per table."""
    out: dict[str, list[dict]] = {}
    for meta, item in written:
        if meta.lsis:
            key = {meta.hash.name: item[meta.hash.name]}
            if key not in out.setdefault(meta.name, []):
                out[meta.name].append(key)
    return out


def _run(engine: "Engine", action: WriteAction, outcome: WriteOutcome, write: bool) -> Optional[dict]:
    """Check one action and (while nothing failed) apply it; a cancellation reason on failure."""
    meta = action.meta
    old, old_size = read_current(engine, meta, action.key)
    if action.condition is not None and not action.condition.evaluate(old):
        reason: dict[str, Any] = {"Code": action.failure_code, "Message": action.failure_message}
        if action.return_old_on_failure and old is not None:
            reason["Item"] = old
        return reason
    consumed = outcome.consumed.setdefault(meta.name, consumed_for(meta))
    if action.kind == "ConditionCheck":
        consumed.write += TRANSACTION_FACTOR * write_units(old_size)
        return None
    try:
        new = _new_item(action, old)
    except ValidationException as error:
        return {"Code": "ValidationError", "Message": error.message}
    if not write:
        return None
    if action.kind == "Delete" and old is None:
        consumed.write += TRANSACTION_FACTOR
        return None
    consumed.merge(apply_write(engine, meta, old, new, old_size=old_size).scaled(TRANSACTION_FACTOR))
    outcome.written.append((meta, new if new is not None else old))
    return None


def _new_item(action: WriteAction, old: Optional[dict]) -> Optional[dict]:
    if action.kind == "Put":
        return action.item
    if action.kind == "Delete":
        return None
    base = old if old is not None else dict(action.key)
    new = action.update.apply(base, item_exists=old is not None) if action.update is not None else dict(base)
    check_index_keys(action.meta, new)
    check_item_size(new, UPDATE_TOO_LARGE)
    return new


def _replay(engine: "Engine", actions: list[WriteAction], previous: dict) -> WriteOutcome:
    """A repeated token: nothing is written; the items are read (2 RCU per 4 KB each)."""
    outcome = WriteOutcome(result=previous, replayed=True)
    for action in actions:
        _, size = read_current(engine, action.meta, action.key)
        consumed = outcome.consumed.setdefault(action.meta.name, consumed_for(action.meta))
        consumed.read += TRANSACTION_FACTOR * read_units(size, True)
    return outcome


def transact_get(engine: "Engine", gets: list[GetAction]) -> tuple[list[Optional[Any]], dict[str, Consumed]]:
    """Every item (None when absent) from one consistent snapshot, and the capacity used."""
    check_distinct_items([(g.meta, g.key) for g in gets])
    found: list[Optional[Any]] = []
    consumed: dict[str, Consumed] = {}
    total = 0
    with engine.storage.read() as c:
        for get in gets:
            meta = get.meta
            row = c.execute(f"SELECT doc, size FROM {meta.items_table} WHERE pk=? AND sk=?",
                            encoded_key(meta, get.key)).fetchone()
            size = row[1] if row else 0
            total += size
            consumed.setdefault(meta.name, consumed_for(meta)).read += TRANSACTION_FACTOR * read_units(size, True)
            if row is None:
                found.append(None)
            elif get.projection is None:
                found.append(orjson.Fragment(row[0]))
            else:
                found.append(get.projection.apply(orjson.loads(row[0])))
    if total > MAX_TRANSACTION_BYTES:
        raise ValidationException(TOO_LARGE)
    return found, consumed
