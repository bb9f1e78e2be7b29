"""BatchGetItem and BatchWriteItem on the wire: DynamoDB's validation order, then one engine call.

Everything is validated before anything is read or written (a bad key anywhere rejects
the whole batch); the engine then reads or writes in one consistent step.
"""
from __future__ import annotations

from typing import Any

import orjson

from jobtable.api.ops import legacy
from jobtable.api.ops.common import (expression_context, item_collection_metrics, keyed_as_requested,
                                     requested_names, table_name_from)
from jobtable.api.protocol import RequestContext
from jobtable.engine import batches, items
from jobtable.engine.catalog import TableMeta
from jobtable.engine.errors import ResourceNotFoundException, ValidationException
from jobtable.engine.expressions import compile_projection
from jobtable.engine.values import check_item_size, validate_item
from jobtable.engine.writes import check_index_keys, encoded_key

MAX_GET_KEYS = 100
MAX_WRITES = 25
DUPLICATE_KEYS = "Provided list of item keys contains duplicates"
WRITE_REQUEST_SHAPE = ("Supplied AttributeValue has more than one datatypes set, must contain exactly one of "
                       "the supported datatypes")


def require_table(ctx: RequestContext, name: str) -> TableMeta:
    """A table by name or ARN; batches and transactions say "Requested resource not found" without a name."""
    meta = ctx.engine.catalog.get(table_name_from(name))
    if meta is None:
        raise ResourceNotFoundException("Requested resource not found")
    return meta


def with_capacity_list(out: dict, req: dict, ctx: RequestContext, consumed: dict,
                       spelled: dict[str, str] | None = None) -> dict:
    """Record per-table capacity for metrics; add the ConsumedCapacity list when asked
    (TableName as the request spelled it: `spelled` maps table names to ARNs)."""
    ctx.consumed.extend(consumed.values())
    wires = [c.to_wire(req.get("ReturnConsumedCapacity")) for c in consumed.values()]
    wires = [w for w in wires if w is not None]
    for wire in wires:
        wire["TableName"] = (spelled or {}).get(wire["TableName"], wire["TableName"])
    if wires:
        out["ConsumedCapacity"] = wires
    return out


# ---------------------------------------------------------------- BatchGetItem


def batch_get_item(req: dict, ctx: RequestContext) -> dict:
    request_items: dict = req["RequestItems"]
    seen_total = 0
    for name, spec in request_items.items():
        legacy.reject_mixed(spec)
        keys = [validate_item(k) for k in spec["Keys"]]
        spec["Keys"] = keys
        canonical = {orjson.dumps(k, option=orjson.OPT_SORT_KEYS) for k in keys}
        if len(canonical) != len(keys):
            raise ValidationException(DUPLICATE_KEYS)
        seen_total += len(keys)
        if seen_total > MAX_GET_KEYS:
            raise ValidationException("Too many items requested for the BatchGetItem call")
    reads = []
    for name, spec in request_items.items():
        meta = require_table(ctx, name)
        ectx = expression_context(spec)
        text = spec.get("ProjectionExpression")
        projection = compile_projection(text, ectx) if text is not None else legacy.attributes_to_get(spec)
        ectx.check_all_used()
        keys = [items.check_key(meta, k) for k in spec["Keys"]]
        reads.append(batches.TableReads(meta, keys, projection, bool(spec.get("ConsistentRead"))))
    result = batches.batch_get(ctx.engine, reads)
    spelled = requested_names(request_items)
    unprocessed = keyed_as_requested(result.unprocessed, spelled)
    out: dict[str, Any] = {"Responses": keyed_as_requested(result.items, spelled), "UnprocessedKeys": {
        name: {**request_items[name], "Keys": keys} for name, keys in unprocessed.items()}}
    return with_capacity_list(out, req, ctx, result.consumed, spelled)


# ---------------------------------------------------------------- BatchWriteItem


def batch_write_item(req: dict, ctx: RequestContext) -> dict:
    request_items: dict = req["RequestItems"]
    if sum(len(writes) for writes in request_items.values()) > MAX_WRITES:
        raise ValidationException("Too many items requested for the BatchWriteItem call")
    for writes in request_items.values():
        for write in writes:
            if (write.get("PutRequest") is None) == (write.get("DeleteRequest") is None):
                raise ValidationException(WRITE_REQUEST_SHAPE)
    requests: list[batches.WriteRequest] = []
    for name, writes in request_items.items():
        meta = require_table(ctx, name)
        seen: set[tuple[bytes, bytes]] = set()
        for write in writes:
            request = _write_request(meta, write)
            storage_key = encoded_key(meta, request.key)
            if storage_key in seen:
                raise ValidationException(DUPLICATE_KEYS)
            seen.add(storage_key)
            requests.append(request)
    result = batches.batch_write(ctx.engine, requests)
    spelled = requested_names(request_items)
    out: dict[str, Any] = {"UnprocessedItems": keyed_as_requested(result.unprocessed, spelled)}
    metrics: dict[str, list] = {}
    for meta, item in result.written:
        entry = item_collection_metrics(req, meta, item)
        if entry is not None and entry not in metrics.setdefault(meta.name, []):
            metrics[meta.name].append(entry)
    if metrics:
        out["ItemCollectionMetrics"] = keyed_as_requested(metrics, spelled)
    return with_capacity_list(out, req, ctx, result.consumed, spelled)


def _write_request(meta: TableMeta, write: dict) -> batches.WriteRequest:
    put = write.get("PutRequest")
    if put is not None:
        item = validate_item(put["Item"])
        items.check_item_keys(meta, item)
        check_index_keys(meta, item)
        check_item_size(item)
        key = {name: item[name] for name in meta.key_names()}
        return batches.WriteRequest(meta, key, item, write)
    key = items.check_key(meta, validate_item(write["DeleteRequest"]["Key"]))
    return batches.WriteRequest(meta, key, None, write)


OPERATIONS = {
    "BatchGetItem": batch_get_item,
    "BatchWriteItem": batch_write_item,
}
