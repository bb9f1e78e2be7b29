"""PutItem, GetItem, UpdateItem, DeleteItem on the wire."""
from __future__ import annotations

from typing import Any

import orjson

from jobtable.api.ops import legacy
from jobtable.api.ops.common import (check_return_values, checked_item, checked_key, expression_context,
                                     item_collection_metrics, return_old_on_failure, table_for,
                                     with_capacity)
from jobtable.api.protocol import RequestContext
from jobtable.engine import items
from jobtable.engine.expressions import compile_condition, compile_projection, compile_update


def _condition(req: dict, ectx: Any) -> Any:
    text = req.get("ConditionExpression")
    return compile_condition(text, ectx, "ConditionExpression") if text is not None else None


def put_item(req: dict, ctx: RequestContext) -> dict:
    item = checked_item(req["Item"])
    meta = table_for(ctx, req["TableName"])
    return_values = check_return_values(req, ("NONE", "ALL_OLD"))
    legacy.reject_mixed(req)
    ectx = expression_context(req)
    condition = _condition(req, ectx) or legacy.expected_condition(req, ectx)
    ectx.check_all_used()
    outcome = items.put_item(ctx.engine, meta, item, condition, return_old_on_failure(req))
    out: dict[str, Any] = {}
    if return_values == "ALL_OLD" and outcome.old:
        out["Attributes"] = outcome.old
    metrics = item_collection_metrics(req, meta, item)
    if metrics:
        out["ItemCollectionMetrics"] = metrics
    return with_capacity(out, req, ctx, outcome.consumed)


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
    meta = table_for(ctx, req["TableName"])
    return_values = check_return_values(req, ("NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"))
    legacy.reject_mixed(req)
    ectx = expression_context(req)
    update_text = req.get("UpdateExpression")
    update = compile_update(update_text, ectx) if update_text is not None else \
        legacy.attribute_updates(req, ectx)
    condition = _condition(req, ectx) or legacy.expected_condition(req, ectx)
    ectx.check_all_used()
    key = items.check_key(meta, key)
    outcome = items.update_item(ctx.engine, meta, key, update, condition, return_old_on_failure(req))
    out: dict[str, Any] = {}
    attributes = _updated_attributes(return_values, update, outcome.old, outcome.new)
    if attributes:
        out["Attributes"] = attributes
    metrics = item_collection_metrics(req, meta, outcome.new)
    if metrics:
        out["ItemCollectionMetrics"] = metrics
    return with_capacity(out, req, ctx, outcome.consumed)


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
    meta = table_for(ctx, req["TableName"])
    return_values = check_return_values(req, ("NONE", "ALL_OLD"))
    legacy.reject_mixed(req)
    ectx = expression_context(req)
    condition = _condition(req, ectx) or legacy.expected_condition(req, ectx)
    ectx.check_all_used()
    key = items.check_key(meta, key)
    outcome = items.delete_item(ctx.engine, meta, key, condition, return_old_on_failure(req))
    out: dict[str, Any] = {}
    if return_values == "ALL_OLD" and outcome.old:
        out["Attributes"] = outcome.old
    metrics = item_collection_metrics(req, meta, outcome.old)
    if metrics:
        out["ItemCollectionMetrics"] = metrics
    return with_capacity(out, req, ctx, outcome.consumed)


OPERATIONS = {
    "PutItem": put_item,
    "GetItem": get_item,
    "UpdateItem": update_item,
    "DeleteItem": delete_item,
}
