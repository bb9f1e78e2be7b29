"""PutItem, GetItem, UpdateItem, DeleteItem on the wire."""
from __future__ import annotations

from typing import Any

import orjson

from jobtable.api.ops import legacy
from jobtable.api.ops.common import (check_return_values, checked_item, checked_key, expression_context,
                                     item_collection_metrics, return_old_on_failure, table_for,
                                     with_capacity)
from jobtable.api.protocol import RequestContext
from jobtable.engine.catalog import TableMeta
from jobtable.engine import items
from jobtable.engine.expressions import compile_condition, compile_projection, compile_update


def _condition(req: dict, ectx: Any) -> Any:
    text = req.get("ConditionExpression")
    return compile_condition(text, ectx, "ConditionExpression") if text is not None else None


def _write_request(req: dict, ctx: RequestContext, return_values: tuple[str, ...]) -> tuple[TableMeta, str, Any]:
    """The checks every single-item write makes, in DynamoDB's order: the table, ReturnValues,
    no legacy parameters mixed with expressions; then the expression context to compile with."""
    meta = table_for(ctx, req["TableName"])
    mode = check_return_values(req, return_values)
    legacy.reject_mixed(req)
    return meta, mode, expression_context(req)


def _written(req: dict, ctx: RequestContext, meta: TableMeta, attributes: dict | None,
             collection_item: dict | None, consumed: Any) -> dict:
    """The response of a single-item write: Attributes, ItemCollectionMetrics, capacity."""
    out: dict[str, Any] = {}
    if attributes:
        out["Attributes"] = attributes
    metrics = item_collection_metrics(req, meta, collection_item)
    if metrics:
        out["ItemCollectionMetrics"] = metrics
    return with_capacity(out, req, ctx, consumed)


def put_item(req: dict, ctx: RequestContext) -> dict:
    item = checked_item(req["Item"])
    meta, return_values, ectx = _write_request(req, ctx, ("NONE", "ALL_OLD"))
    condition = _condition(req, ectx) or legacy.expected_condition(req, ectx)
    ectx.check_all_used()
    outcome = items.put_item(ctx.engine, meta, item, condition, return_old_on_failure(req))
    old = outcome.old if return_values == "ALL_OLD" else None
    return _written(req, ctx, meta, old, item, outcome.consumed)


def get_item(req: dict, ctx: RequestContext) -> dict:
    key = checked_key(req["Key"])
    meta = table_for(ctx, req["TableName"])
    legacy.reject_mixed(req)
    ectx = expression_context(req)
    projection_text = req.get("ProjectionExpression")
    projection = compile_projection(projection_text, ectx) if projection_text is not None else \
        legacy.attributes_to_get(req)
    ectx.check_all_used()
    key = items.check_key(meta, key)
    doc, consumed = items.get_item_raw(ctx.engine, meta, key, bool(req.get("ConsistentRead")))
    out: dict[str, Any] = {}
    if doc is not None:
        if projection is None:
            out["Item"] = orjson.Fragment(doc)
        else:
            projected = projection.apply(orjson.loads(doc))
            out["Item"] = projected
    return with_capacity(out, req, ctx, consumed)


def update_item(req: dict, ctx: RequestContext) -> dict:
    key = checked_key(req["Key"])
    meta, return_values, ectx = _write_request(req, ctx, ("NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"))
    update_text = req.get("UpdateExpression")
    update = compile_update(update_text, ectx) if update_text is not None else \
        legacy.attribute_updates(req, ectx)
    condition = _condition(req, ectx) or legacy.expected_condition(req, ectx)
    ectx.check_all_used()
    key = items.check_key(meta, key)
    outcome = items.update_item(ctx.engine, meta, key, update, condition, return_old_on_failure(req))
    attributes = _updated_attributes(return_values, update, outcome.old, outcome.new)
    return _written(req, ctx, meta, attributes, outcome.new, outcome.consumed)


def _updated_attributes(mode: str, update: Any, old: dict | None, new: dict | None) -> dict | None:
    if mode == "ALL_OLD":
        return old
    if mode == "ALL_NEW":
        return new
    if mode == "UPDATED_OLD":
        return update.project_updated(old) if (update is not None and old) else None
    if mode == "UPDATED_NEW":
        return update.project_updated(new) if (update is not None and new) else None
    return None


def delete_item(req: dict, ctx: RequestContext) -> dict:
    key = checked_key(req["Key"])
    meta, return_values, ectx = _write_request(req, ctx, ("NONE", "ALL_OLD"))
    condition = _condition(req, ectx) or legacy.expected_condition(req, ectx)
    ectx.check_all_used()
    key = items.check_key(meta, key)
    outcome = items.delete_item(ctx.engine, meta, key, condition, return_old_on_failure(req))
    old = outcome.old if return_values == "ALL_OLD" else None
    return _written(req, ctx, meta, old, outcome.old, outcome.consumed)


OPERATIONS = {
    "PutItem": put_item,
    "GetItem": get_item,
    "UpdateItem": update_item,
    "DeleteItem": delete_item,
}
