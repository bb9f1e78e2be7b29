"""Request pieces shared by the item, query and batch operations."""
from __future__ import annotations

import re
from typing import Any

from jobtable.api.protocol import RequestContext
from jobtable.engine.capacity import Consumed
from jobtable.engine.catalog import TableMeta
from jobtable.engine.errors import ResourceNotFoundException, ValidationException
from jobtable.engine.expressions import ExpressionContext
from jobtable.engine.values import validate_expression_values, validate_item

EXPRESSION_PARAMETERS = ("ConditionExpression", "FilterExpression", "UpdateExpression",
                         "ProjectionExpression", "KeyConditionExpression")


TABLE_NAME_PATTERN = re.compile(r"[a-zA-Z0-9_.-]+")
NAME_PLACEHOLDER = re.compile(r"#[A-Za-z0-9_]+")
VALUE_PLACEHOLDER = re.compile(r":[A-Za-z0-9_]+")


def _check_placeholder_keys(member: str, keys: Any, pattern: re.Pattern) -> None:
    for key in keys:
        if not pattern.fullmatch(key):
            raise ValidationException(f'{member} contains invalid key: Syntax error; key: "{key}"')


def table_name_from(value: str, member: str = "tableName") -> str:
    """A TableName member may hold a name or a table ARN; names get DynamoDB's constraints."""
    if value.startswith("arn:"):
        parts = value.split(":", 5)
        if len(parts) == 6 and parts[5].startswith("table/"):
            return parts[5][len("table/"):].split("/", 1)[0]
        raise ValidationException(f"Invalid TableArn: {value}")
    errors = []
    if len(value) < 3:
        errors.append(f"Value '{value}' at '{member}' failed to satisfy constraint: Member must have length "
                      "greater than or equal to 3")
    if len(value) > 255:
        errors.append(f"Value '{value}' at '{member}' failed to satisfy constraint: Member must have length "
                      "less than or equal to 255")
    if not TABLE_NAME_PATTERN.fullmatch(value):
        errors.append(f"Value '{value}' at '{member}' failed to satisfy constraint: Member must satisfy "
                      "regular expression pattern: [a-zA-Z0-9_.-]+")
    if errors:
        noun = "error" if len(errors) == 1 else "errors"
        raise ValidationException(f"{len(errors)} validation {noun} detected: " + "; ".join(errors))
    return value


def table_named(ctx: RequestContext, name: str) -> TableMeta:
    """The table a control-plane request names (a name or an ARN), whatever its status."""
    return ctx.engine.catalog.require(table_name_from(name))


def table_for(ctx: RequestContext, name: str) -> TableMeta:
    """The table a data-plane request names; a table still being created (restores, imports) is not there yet."""
    meta = table_named(ctx, name)
    if meta.status == "CREATING":
        raise ResourceNotFoundException("Requested resource not found")
    return meta


def expression_context(req: dict) -> ExpressionContext:
    """Validate ExpressionAttributeNames/Values as DynamoDB does and wrap them for compiling."""
    names = req.get("ExpressionAttributeNames")
    values = req.get("ExpressionAttributeValues")
    uses_expressions = any(req.get(p) is not None for p in EXPRESSION_PARAMETERS)
    if names is not None and not uses_expressions:
        raise ValidationException("ExpressionAttributeNames can only be specified when using expressions")
    if values is not None and not uses_expressions:
        raise ValidationException("ExpressionAttributeValues can only be specified when using expressions")
    if names is not None:
        if not names:
            raise ValidationException("ExpressionAttributeNames must not be empty")
        _check_placeholder_keys("ExpressionAttributeNames", names, NAME_PLACEHOLDER)
    if values is not None:
        if not values:
            raise ValidationException("ExpressionAttributeValues must not be empty")
        _check_placeholder_keys("ExpressionAttributeValues", values, VALUE_PLACEHOLDER)
        values = validate_expression_values(values)
    return ExpressionContext(names, values)


def checked_item(item: dict) -> dict:
    return validate_item(item)


def checked_key(key: dict) -> dict:
    return validate_item(key)


def with_capacity(out: dict, req: dict, ctx: RequestContext, consumed: Consumed) -> dict:
    """Record consumed capacity for metrics, and return it when the caller asked."""
    ctx.consumed.append(consumed)
    if "Count" in out:
        ctx.returned_items = out["Count"]
    wire = consumed.to_wire(req.get("ReturnConsumedCapacity"))
    if wire is not None:
        if str(req.get("TableName", "")).startswith("arn:"):
            wire["TableName"] = req["TableName"]  # DynamoDB echoes the ARN a request named its table by
        out["ConsumedCapacity"] = wire
    return out


def requested_names(names: Any) -> dict[str, str]:
    """Table name -> how the request spelled it (name or ARN): answers are keyed the same way."""
    return {table_name_from(name): name for name in names}


def keyed_as_requested(mapping: dict, spelled: dict[str, str]) -> dict:
    return {spelled.get(name, name): value for name, value in mapping.items()}


def item_collection_metrics(req: dict, meta: TableMeta, item: dict | None) -> dict | None:
    """ItemCollectionMetrics for tables with local secondary indexes, when asked (SIZE)."""
    if req.get("ReturnItemCollectionMetrics") != "SIZE" or not meta.lsis or item is None:
        return None
    return {"ItemCollectionKey": {meta.hash.name: item[meta.hash.name]}, "SizeEstimateRangeGB": [0.0, 1.0]}


def check_return_values(req: dict, allowed: tuple[str, ...]) -> str:
    value = req.get("ReturnValues") or "NONE"
    if value not in allowed:
        raise ValidationException("Return values set to invalid value")
    return value


def return_old_on_failure(req: dict) -> bool:
    return req.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD"


def consumed_for(meta: TableMeta) -> Consumed:
    return Consumed(meta.name, gsi_names=frozenset(i.name for i in meta.gsis))


def page_of(items: list, next_token: Any, size: int) -> tuple[list, str | None]:
    """One page of a listing whose NextToken is the offset of the next page (None on the last)."""
    start = int(next_token) if str(next_token or "").isdigit() else 0
    end = start + size
    return items[start:end], (str(end) if end < len(items) else None)


def not_empty(value: Any) -> bool:
    return value is not None and value != ""
