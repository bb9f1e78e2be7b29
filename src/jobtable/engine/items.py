"""Single-item operations: key checks, conditional put/update/delete, consistent get.

Each write reads the current item, evaluates the condition and applies the change in one
SQLite transaction, so conditions are atomic with the write they guard.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from jobtable.engine.capacity import Consumed, read_units
from jobtable.engine.catalog import TableMeta
from jobtable.engine.errors import ConditionalCheckFailedException, ValidationException
from jobtable.engine.keys import validate_key_attribute
from jobtable.engine.values import check_item_size
from jobtable.engine.writes import apply_write, check_index_keys, encoded_key

if TYPE_CHECKING:
    from jobtable.engine.engine import Engine
    from jobtable.engine.expressions import Condition, Update

UPDATE_TOO_LARGE = "Item size to update has exceeded the maximum allowed size"
KEY_MISMATCH = "The provided key element does not match the schema"


@dataclass
class WriteOutcome:
    old: dict | None
    new: dict | None
    consumed: Consumed


def check_key(meta: TableMeta, key: dict) -> dict:
    """Validate a request's Key against the table's key schema (GetItem/UpdateItem/DeleteItem)."""
    attrs = [meta.hash] + ([meta.range] if meta.range else [])
    if len(key) != len(attrs):
        raise ValidationException(KEY_MISMATCH)
    for attr in attrs:
        value = key.get(attr.name)
        if value is None or attr.type not in value or len(value) != 1:
            raise ValidationException(KEY_MISMATCH)
        validate_key_attribute(attr.name, value, attr.type, is_partition=attr is meta.hash)
    return key


def check_item_keys(meta: TableMeta, item: dict) -> None:
    """Validate the key attributes inside a full item (PutItem and friends)."""
    for attr in [meta.hash] + ([meta.range] if meta.range else []):
        value = item.get(attr.name)
        if value is None:
            raise ValidationException(f"One or more parameter values were invalid: Missing the key {attr.name} in the item")
        validate_key_attribute(attr.name, value, attr.type, is_partition=attr is meta.hash)


def read_current(engine: "Engine", meta: TableMeta, key_or_item: dict) -> tuple[dict | None, int]:
    """The stored item with this key (None if absent) and its size, inside the lock."""
    old, size, _ = read_stored(engine, meta, key_or_item)
    return old, size


def read_stored(engine: "Engine", meta: TableMeta, key_or_item: dict) -> tuple[dict | None, int, bytes | None]:
    """`read_current` plus the document as stored (sealed), which `apply_write` logs as is."""
    pk, sk = encoded_key(meta, key_or_item)
    row = engine.storage.conn.execute(
        f"SELECT doc, size FROM {meta.items_table} WHERE pk=? AND sk=?", (pk, sk)).fetchone()
    if row is None:
        return None, 0, None
    return orjson.loads(engine.sealer.open(row[0])), row[1], row[0]


def get_item_raw(engine: "Engine", meta: TableMeta, key: dict, consistent: bool) -> tuple[bytes | None, Consumed]:
    """The stored JSON document (not decoded) for a validated key, and its read cost."""
    pk, sk = encoded_key(meta, key)
    with engine.storage.read() as c:
        row = c.execute(f"SELECT doc, size FROM {meta.items_table} WHERE pk=? AND sk=?", (pk, sk)).fetchone()
    consumed = Consumed(meta.name, gsi_names=frozenset(i.name for i in meta.gsis))
    consumed.read = read_units(row[1] if row else 0, consistent)
    return (engine.sealer.open(row[0]) if row else None), consumed


def _condition_failed(old: dict | None, return_old_on_failure: bool) -> ConditionalCheckFailedException:
    extra: dict[str, Any] = {}
    if return_old_on_failure and old is not None:
        extra["Item"] = old
    return ConditionalCheckFailedException("The conditional request failed", **extra)


def put_item(engine: "Engine", meta: TableMeta, item: dict, condition: "Condition | None" = None,
             return_old_on_failure: bool = False, origin: str = "user") -> WriteOutcome:
    check_item_keys(meta, item)
    check_index_keys(meta, item)
    size = check_item_size(item)
    with engine.storage.transaction():
        old, old_size, old_doc = read_stored(engine, meta, item)
        if condition is not None and not condition.evaluate(old):
            raise _condition_failed(old, return_old_on_failure)
        consumed = apply_write(engine, meta, old, item, origin=origin, old_size=old_size, new_size=size,
                               old_doc=old_doc)
    return WriteOutcome(old, item, consumed)


def update_item(engine: "Engine", meta: TableMeta, key: dict, update: "Update | None",
                condition: "Condition | None" = None, return_old_on_failure: bool = False) -> WriteOutcome:
    check_key(meta, key)
    if update is not None:
        touched = update.top_level_names & set(meta.key_names())
        if touched:
            name = sorted(touched)[0]
            raise ValidationException("One or more parameter values were invalid: Cannot update attribute "
                                      f"{name}. This attribute is part of the key")
    with engine.storage.transaction():
        old, old_size, old_doc = read_stored(engine, meta, key)
        if condition is not None and not condition.evaluate(old):
            raise _condition_failed(old, return_old_on_failure)
        base = old if old is not None else dict(key)
        new = update.apply(base, item_exists=old is not None) if update is not None else dict(base)
        check_index_keys(meta, new)
        size = check_item_size(new, UPDATE_TOO_LARGE)
        consumed = apply_write(engine, meta, old, new, old_size=old_size, new_size=size, old_doc=old_doc)
    return WriteOutcome(old, new, consumed)


def delete_item(engine: "Engine", meta: TableMeta, key: dict, condition: "Condition | None" = None,
                return_old_on_failure: bool = False, origin: str = "user") -> WriteOutcome:
    check_key(meta, key)
    with engine.storage.transaction():
        old, old_size = read_current(engine, meta, key)
        if condition is not None and not condition.evaluate(old):
            raise _condition_failed(old, return_old_on_failure)
        if old is None:
            consumed = Consumed(meta.name, write=1.0, gsi_names=frozenset(i.name for i in meta.gsis))
        else:
            consumed = apply_write(engine, meta, old, None, origin=origin, old_size=old_size)
    return WriteOutcome(old, None, consumed)
