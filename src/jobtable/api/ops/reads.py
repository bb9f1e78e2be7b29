"""Query and Scan on the wire: parameter rules, then one engine page."""
from __future__ import annotations

from typing import Any

from jobtable.api.ops import legacy
from jobtable.api.ops.common import checked_key, expression_context, table_for, with_capacity
from jobtable.api.protocol import RequestContext
from jobtable.engine.catalog import TableMeta
from jobtable.engine.errors import ValidationException
from jobtable.engine.expressions import compile_condition, compile_key_condition, compile_projection
from jobtable.engine.expressions.conditions import top_level_names
from jobtable.engine.reads import ReadPage, ReadRequest, read_page

INVALID = "One or more parameter values were invalid: "


SELECT_SHOWN = {"COUNT": "only the Count"}  # how DynamoDB's messages name a Select value


def _checked_select(req: dict, index: Any, projection_text: str | None, is_query: bool) -> str:
    """Select (defaulted) after DynamoDB's combination rules; Query's messages are prefixed, Scan's not."""
    prefix = "1 validation error detected: " if is_query else ""
    attributes_to_get = req.get("AttributesToGet")
    select = req.get("Select")
    if select is None:
        return "SPECIFIC_ATTRIBUTES" if (projection_text is not None or attributes_to_get) else (
            "ALL_PROJECTED_ATTRIBUTES" if index is not None else "ALL_ATTRIBUTES")
    if select == "SPECIFIC_ATTRIBUTES":
        if projection_text is None and not attributes_to_get:
            raise ValidationException(f"{prefix}Must specify the AttributesToGet or ProjectionExpression when "
                                      "choosing to get SPECIFIC_ATTRIBUTES")
        return select
    shown = SELECT_SHOWN.get(select, select)
    if projection_text is not None:
        raise ValidationException(f"{prefix}Cannot specify the ProjectionExpression when choosing to get {shown}")
    if attributes_to_get:
        raise ValidationException(f"{prefix}Cannot specify the AttributesToGet when choosing to get {shown}")
    if select == "ALL_PROJECTED_ATTRIBUTES" and index is None:
        raise ValidationException(f"{prefix}ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an "
                                  "IndexName")
    return select


def _read_request(req: dict, meta: TableMeta, ectx: Any, *, is_query: bool) -> ReadRequest:
    index = None
    index_name = req.get("IndexName")
    if index_name is not None:
        index = meta.index(index_name)
        if index is None:
            raise ValidationException(f"The table does not have the specified index: {index_name}")
        if index.kind == "GSI" and index.status != "ACTIVE" and index.backfilling:
            raise ValidationException(f"Cannot read from backfilling global secondary index: {index_name}")
        if index.kind == "GSI" and req.get("ConsistentRead"):
            raise ValidationException("Consistent reads are not supported on global secondary indexes")
    projection_text = req.get("ProjectionExpression")
    select = _checked_select(req, index, projection_text, is_query)
    if select == "ALL_ATTRIBUTES" and index is not None and index.kind == "GSI" and index.projection_type != "ALL":
        raise ValidationException(f"{INVALID}Select type ALL_ATTRIBUTES is not supported for global secondary "
                                  f"index {index.name} because its projection type is not ALL")
    filter_text = req.get("FilterExpression")
    out = ReadRequest(meta=meta, index=index, select=select, limit=req.get("Limit"),
                      consistent=bool(req.get("ConsistentRead")))
    if filter_text is not None:
        out.filter = compile_condition(filter_text, ectx, "FilterExpression")
    else:
        out.filter = legacy.query_or_scan_filter(req, ectx)
    if projection_text is not None:
        out.projection = compile_projection(projection_text, ectx)
    else:
        out.projection = legacy.attributes_to_get(req)
    start = req.get("ExclusiveStartKey")
    if start is not None:
        out.exclusive_start_key = checked_key(start)
    return out


def _check_key_types(meta: TableMeta, req: ReadRequest) -> None:
    index = req.index
    hash_attr = index.hash if index else meta.hash
    range_attr = index.range if index else meta.range
    kc = req.key_condition
    if hash_attr.type not in kc.hash_value:
        raise ValidationException(f"{INVALID}Condition parameter type does not match schema type")
    for value in kc.range_values:
        if range_attr is None or range_attr.type not in value:
            raise ValidationException(f"{INVALID}Condition parameter type does not match schema type")
    if kc.range_op == "BEGINS_WITH" and range_attr is not None and range_attr.type == "N":
        raise ValidationException(f"{INVALID}Invalid KeyConditionExpression: Incorrect operand type for "
                                  "operator or function; operator or function: begins_with, operand type: N")


def _page_response(page: ReadPage, req: dict, ctx: RequestContext) -> dict:
    out: dict[str, Any] = {"Count": page.count, "ScannedCount": page.scanned_count}
    if req.get("Select") != "COUNT":
        out["Items"] = page.items
    if page.last_evaluated_key is not None:
        out["LastEvaluatedKey"] = page.last_evaluated_key
    return with_capacity(out, req, ctx, page.consumed)


def _refuse_filters_on_keys(req: dict, ectx: Any, keys: list[str]) -> None:
    """DynamoDB: key attributes of the queried table/index go in the key condition, not the filter."""
    text = req.get("FilterExpression")
    named, label = (top_level_names(text, ectx), "Filter Expression") if text is not None else (
        set(req.get("QueryFilter") or ()), "QueryFilter")
    for key in keys:
        if key in named:
            raise ValidationException(f"{label} can only contain non-primary key attributes: "
                                      f"Primary key attribute: {key}")


def query(req: dict, ctx: RequestContext) -> dict:
    meta = table_for(ctx, req["TableName"])
    legacy.reject_mixed(req)
    ectx = expression_context(req)
    read = _read_request(req, meta, ectx, is_query=True)
    hash_key = read.index.hash.name if read.index else meta.hash.name
    range_attr = read.index.range if read.index else meta.range
    range_key = range_attr.name if range_attr else None
    text = req.get("KeyConditionExpression")
    if text is not None:
        read.key_condition = compile_key_condition(text, ectx, hash_key, range_key)
    else:
        read.key_condition = legacy.key_conditions(req, ectx, hash_key, range_key)
    if read.key_condition is None:
        raise ValidationException("Either the KeyConditions or KeyConditionExpression parameter must be "
                                  "specified in the request.")
    ectx.check_all_used()
    _refuse_filters_on_keys(req, ectx, [hash_key] + ([range_key] if range_key else []))
    _check_key_types(meta, read)
    read.forward = req.get("ScanIndexForward", True) is not False
    return _page_response(read_page(ctx.engine, read), req, ctx)


def scan(req: dict, ctx: RequestContext) -> dict:
    meta = table_for(ctx, req["TableName"])
    legacy.reject_mixed(req)
    ectx = expression_context(req)
    read = _read_request(req, meta, ectx, is_query=False)
    ectx.check_all_used()
    segment, total = req.get("Segment"), req.get("TotalSegments")
    if segment is not None and total is None:
        raise ValidationException("The TotalSegments parameter is required but was not present in the request "
                                  "when Segment parameter is present")
    if total is not None and segment is None:
        raise ValidationException("The Segment parameter is required but was not present in the request when "
                                  "parameter TotalSegments is present")
    if total is not None and segment >= total:
        raise ValidationException("The Segment parameter is zero-based and must be less than parameter "
                                  f"TotalSegments: Segment: {segment} is not less than TotalSegments: {total}")
    read.segment, read.total_segments = segment, total
    return _page_response(read_page(ctx.engine, read), req, ctx)


OPERATIONS = {"Query": query, "Scan": scan}
