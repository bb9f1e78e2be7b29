"""TransactWriteItems and TransactGetItems on the wire.

Each action is validated in request order (values, expressions, unused placeholders)
before any table is looked up, as DynamoDB does; then keys are checked against their
tables and the engine runs the transaction.
"""
from __future__ import annotations

import hashlib
from typing import Any

import orjson

from jobtable.api.ops.batches import require_table, with_capacity_list
from jobtable.api.ops.common import (expression_context, item_collection_metrics, keyed_as_requested,
                                     requested_names, return_old_on_failure)
from jobtable.api.protocol import RequestContext
from jobtable.engine import items, transactions
from jobtable.engine.catalog import TableMeta
from jobtable.engine.errors import ValidationException
from jobtable.engine.expressions import compile_condition, compile_projection, compile_update
from jobtable.engine.values import check_item_size, item_size, validate_item
from jobtable.engine.writes import check_index_keys

ACTIONS = ("ConditionCheck", "Put", "Delete", "Update")
ONE_ACTION = "TransactItems can only contain one of Check, Put, Update or Delete"
# Parameters that shape only the response: a retry may change them without a mismatch.
RESPONSE_ONLY = ("ClientRequestToken", "ReturnConsumedCapacity", "ReturnItemCollectionMetrics")


def request_fingerprint(req: dict) -> str:
    """A digest of the parameters a ClientRequestToken must see unchanged (member order ignored)."""
    material = {k: v for k, v in req.items() if k not in RESPONSE_ONLY}
    return hashlib.sha256(orjson.dumps(material, option=orjson.OPT_SORT_KEYS)).hexdigest()


def collection_metrics(req: dict, ctx: RequestContext, collections: dict[str, list[dict]]) -> dict:
    out: dict[str, list] = {}
    for table, keys in collections.items():
        meta = ctx.engine.catalog.get(table)
        if meta is None:
            continue
        entries = [item_collection_metrics(req, meta, key) for key in keys]
        entries = [e for e in entries if e is not None]
        if entries:
            out[table] = entries
    return out


# ---------------------------------------------------------------- TransactWriteItems


class _Parsed:
    """One action after its table-independent checks."""

    __slots__ = ("kind", "spec", "key", "condition", "update")

    def __init__(self, kind: str, spec: dict, key: dict, condition: Any, update: Any) -> None:
        self.kind, self.spec, self.key, self.condition, self.update = kind, spec, key, condition, update


def _parse_action(entry: dict) -> tuple[_Parsed, int]:
    present = [kind for kind in ACTIONS if entry.get(kind) is not None]
    if len(present) != 1:
        raise ValidationException(ONE_ACTION)
    kind = present[0]
    spec = entry[kind]
    if kind == "Put":
        spec["Item"] = key = validate_item(spec["Item"])
    else:
        spec["Key"] = key = validate_item(spec["Key"])
    ectx = expression_context(spec)
    update = compile_update(spec["UpdateExpression"], ectx) if kind == "Update" else None
    text = spec.get("ConditionExpression")
    condition = compile_condition(text, ectx, "ConditionExpression") if text is not None else None
    ectx.check_all_used()
    size = item_size(key) + (item_size(ectx.values) if ectx.values else 0)
    return _Parsed(kind, spec, key, condition, update), size


def _action(ctx: RequestContext, parsed: _Parsed) -> transactions.WriteAction:
    meta = require_table(ctx, parsed.spec["TableName"])
    item = None
    if parsed.kind == "Put":
        item = parsed.key
        items.check_item_keys(meta, item)
        check_index_keys(meta, item)
        check_item_size(item)
        key = {name: item[name] for name in meta.key_names()}
    else:
        key = items.check_key(meta, parsed.key)
    if parsed.update is not None:
        _reject_key_updates(meta, parsed.update)
    return transactions.WriteAction(parsed.kind, meta, key, item=item, update=parsed.update,
                                    condition=parsed.condition,
                                    return_old_on_failure=return_old_on_failure(parsed.spec))


def _reject_key_updates(meta: TableMeta, update: Any) -> None:
    touched = update.top_level_names & set(meta.key_names())
    if touched:
        raise ValidationException("One or more parameter values were invalid: Cannot update attribute "
                                  f"{sorted(touched)[0]}. This attribute is part of the key")


def transact_write_items(req: dict, ctx: RequestContext) -> dict:
    parsed = [_parse_action(entry) for entry in req["TransactItems"]]
    if sum(size for _, size in parsed) > transactions.MAX_TRANSACTION_BYTES:
        raise ValidationException(transactions.TOO_LARGE)
    actions = [_action(ctx, p) for p, _ in parsed]
    outcome = transactions.transact_write(ctx.engine, actions, req.get("ClientRequestToken"),
                                         request_fingerprint(req))
    out: dict[str, Any] = {}
    metrics = collection_metrics(req, ctx, outcome.result.get("collections", {}))
    spelled = requested_names(p.spec["TableName"] for p, _ in parsed)
    if metrics:
        out["ItemCollectionMetrics"] = keyed_as_requested(metrics, spelled)
    return with_capacity_list(out, req, ctx, outcome.consumed, spelled)


# ---------------------------------------------------------------- TransactGetItems


def transact_get_items(req: dict, ctx: RequestContext) -> dict:
    specs = []
    for entry in req["TransactItems"]:
        spec = entry["Get"]
        spec["Key"] = validate_item(spec["Key"])
        ectx = expression_context(spec)
        text = spec.get("ProjectionExpression")
        projection = compile_projection(text, ectx) if text is not None else None
        ectx.check_all_used()
        specs.append((spec, projection))
    gets = []
    for spec, projection in specs:
        meta = require_table(ctx, spec["TableName"])
        gets.append(transactions.GetAction(meta, items.check_key(meta, spec["Key"]), projection))
    found, consumed = transactions.transact_get(ctx.engine, gets)
    out: dict[str, Any] = {"Responses": [{"Item": item} if item is not None else {} for item in found]}
    return with_capacity_list(out, req, ctx, consumed, requested_names(spec["TableName"] for spec, _ in specs))


OPERATIONS = {
    "TransactWriteItems": transact_write_items,
    "TransactGetItems": transact_get_items,
}
