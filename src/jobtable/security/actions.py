"""For each operation: the IAM actions, resource ARNs and condition keys AWS checks.

One request may need several checks: BatchWriteItem is checked once per table,
TransactWriteItems once per action (PutItem, UpdateItem, ...) on each table, a Query on
an index against the index ARN. Each check carries the DynamoDB condition keys
(`dynamodb:LeadingKeys`, `dynamodb:Attributes`, `dynamodb:Select`, `dynamodb:ReturnValues`)
computed from that part of the request.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

from jobtable.security.expression_names import (
    partition_key_value,
    projected_attributes,
    updated_attributes,
)

# (table name, index name or None) -> (partition key name, sort key name or None), or None
# when the table/index does not exist.
KeySchemaOf = Callable[[str, str | None], tuple[str, str | None] | None]
# shard iterator -> the stream ARN it reads (GetRecords names no stream in its request).
StreamOfIterator = Callable[[str], str | None]


@dataclass(frozen=True)
class AccessRequest:
    """One authorization check: may the caller perform `action` on `resource`?"""

    action: str
    resource: str
    context: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Scope:
    """Where resources live, and how to learn table facts the request does not carry."""

    region: str
    account_id: str
    key_schema_of: KeySchemaOf | None = None
    stream_of_iterator: StreamOfIterator | None = None

    def table_arn(self, table: str) -> str:
        return table if table.startswith("arn:") else (
            f"arn:aws:dynamodb:{self.region}:{self.account_id}:table/{table}")

    def index_arn(self, table: str, index: str) -> str:
        return f"{self.table_arn(table)}/index/{index}"

    def key_schema(self, table: str, index: str | None) -> tuple[str, str | None] | None:
        return self.key_schema_of(table_name_of(table), index) if self.key_schema_of else None


def access_denied_message(user_arn: str, action: str, resource: str, explicit: bool) -> str:
    """AccessDeniedException's text, in IAM's wording for implicit and explicit denies."""
    base = f"User: {user_arn} is not authorized to perform: {action} on resource: {resource}"
    if explicit:
        return f"{base} with an explicit deny in an identity-based policy"
    return f"{base} because no identity-based policy allows the {action} action"


def table_name_of(table: str) -> str:
    """TableName may be a name or (since 2024) a table ARN."""
    return table.split(":table/", 1)[1].split("/", 1)[0] if table.startswith("arn:") else table


# --- condition keys -------------------------------------------------------------------------

def _key_value_text(value: Any) -> str | None:
    """The string IAM compares LeadingKeys against: the scalar inside the typed value."""
    if isinstance(value, dict) and len(value) == 1:
        inner = next(iter(value.values()))
        if isinstance(inner, (str, int, float)):
            return str(inner)
    return None


def _leading_keys(scope: Scope, table: str, index: str | None, key_maps: Iterable[Mapping[str, Any]]) -> list[str]:
    schema = scope.key_schema(table, index)
    if schema is None:
        return []
    hash_key = schema[0]
    out: list[str] = []
    for key_map in key_maps:
        text = _key_value_text(key_map.get(hash_key)) if isinstance(key_map, dict) else None
        if text is not None and text not in out:
            out.append(text)
    return out


def _projection(body: Mapping[str, Any]) -> list[str]:
    attributes = projected_attributes(body.get("ProjectionExpression"), body.get("ExpressionAttributeNames"))
    for attribute in body.get("AttributesToGet") or []:
        if attribute not in attributes:
            attributes.append(attribute)
    return attributes


def _context(leading: list[str] | None = None, attributes: list[str] | None = None,
             body: Mapping[str, Any] | None = None) -> dict[str, Any]:
    ctx: dict[str, Any] = {}
    if leading:
        ctx["dynamodb:LeadingKeys"] = leading
    if attributes:
        ctx["dynamodb:Attributes"] = attributes
    if body is not None:
        for member, key in (("Select", "dynamodb:Select"), ("ReturnValues", "dynamodb:ReturnValues"),
                            ("ReturnConsumedCapacity", "dynamodb:ReturnConsumedCapacity")):
            if isinstance(body.get(member), str):
                ctx[key] = body[member]
    return ctx


def _written_attributes(request: Mapping[str, Any], key: Mapping[str, Any]) -> list[str]:
    """Attributes a PutItem/UpdateItem/DeleteItem touches: its key, item and update targets."""
    attributes: list[str] = list(key)
    for name in updated_attributes(request.get("UpdateExpression"), request.get("ExpressionAttributeNames"),
                                   request.get("ExpressionAttributeValues")):
        if name not in attributes:
            attributes.append(name)
    for name in request.get("AttributeUpdates") or {}:
        if name not in attributes:
            attributes.append(name)
    return attributes


# --- DynamoDB -------------------------------------------------------------------------------

def _item_request(scope: Scope, action: str, body: Mapping[str, Any]) -> AccessRequest:
    table = str(body.get("TableName", ""))
    key = body.get("Item") if action == "dynamodb:PutItem" else body.get("Key")
    key = key if isinstance(key, dict) else {}
    if action == "dynamodb:GetItem":
        attributes = _projection(body)
    else:
        attributes = _written_attributes(body, key)
    return AccessRequest(action, scope.table_arn(table),
                         _context(_leading_keys(scope, table, None, [key]), attributes, body))


def _query_or_scan(scope: Scope, action: str, body: Mapping[str, Any]) -> AccessRequest:
    table = str(body.get("TableName", ""))
    index = body.get("IndexName")
    resource = scope.index_arn(table, index) if index else scope.table_arn(table)
    leading: list[str] = []
    if action == "dynamodb:Query":
        schema = scope.key_schema(table, index)
        if schema is not None:
            values = [partition_key_value(body.get("KeyConditionExpression"),
                                          body.get("ExpressionAttributeNames"),
                                          body.get("ExpressionAttributeValues"), *schema)]
            legacy = (body.get("KeyConditions") or {}).get(schema[0]) or {}
            if legacy.get("ComparisonOperator") == "EQ":
                values.extend(legacy.get("AttributeValueList") or [])
            leading = [t for t in (_key_value_text(v) for v in values) if t is not None]
    return AccessRequest(action, resource, _context(leading, _projection(body), body))


def _batch_get(scope: Scope, body: Mapping[str, Any]) -> list[AccessRequest]:
    out = []
    for table, request in (body.get("RequestItems") or {}).items():
        request = request if isinstance(request, Mapping) else {}
        keys = [k for k in request.get("Keys") or [] if isinstance(k, Mapping)]
        out.append(AccessRequest("dynamodb:BatchGetItem", scope.table_arn(table),
                                 _context(_leading_keys(scope, table, None, keys), _projection(request))))
    return out


def _batch_write(scope: Scope, body: Mapping[str, Any]) -> list[AccessRequest]:
    out = []
    for table, writes in (body.get("RequestItems") or {}).items():
        keys: list[Mapping[str, Any]] = []
        attributes: list[str] = []
        for write in writes if isinstance(writes, list) else []:
            put = (write or {}).get("PutRequest") or {}
            delete = (write or {}).get("DeleteRequest") or {}
            key = put.get("Item") or delete.get("Key") or {}
            if isinstance(key, Mapping):
                keys.append(key)
                attributes.extend(a for a in key if a not in attributes)
        out.append(AccessRequest("dynamodb:BatchWriteItem", scope.table_arn(table),
                                 _context(_leading_keys(scope, table, None, keys), attributes)))
    return out


_TRANSACT_WRITE_ACTIONS = {"ConditionCheck": "dynamodb:ConditionCheckItem", "Put": "dynamodb:PutItem",
                           "Update": "dynamodb:UpdateItem", "Delete": "dynamodb:DeleteItem"}


def _transact_write(scope: Scope, body: Mapping[str, Any]) -> list[AccessRequest]:
    out = []
    for entry in body.get("TransactItems") or []:
        for member, action in _TRANSACT_WRITE_ACTIONS.items():
            part = (entry or {}).get(member)
            if not isinstance(part, Mapping):
                continue
            if member == "ConditionCheck":
                out.append(_condition_check(scope, part))
            else:
                out.append(_item_request(scope, action, part))
    return out


def _condition_check(scope: Scope, part: Mapping[str, Any]) -> AccessRequest:
    table = str(part.get("TableName", ""))
    key = part.get("Key") if isinstance(part.get("Key"), Mapping) else {}
    return AccessRequest("dynamodb:ConditionCheckItem", scope.table_arn(table),
                         _context(_leading_keys(scope, table, None, [key]), list(key), part))


def _transact_get(scope: Scope, body: Mapping[str, Any]) -> list[AccessRequest]:
    return [_item_request(scope, "dynamodb:GetItem", entry["Get"])
            for entry in body.get("TransactItems") or []
            if isinstance(entry, Mapping) and isinstance(entry.get("Get"), Mapping)]


_PARTIQL_VERB = {"select": "dynamodb:PartiQLSelect", "insert": "dynamodb:PartiQLInsert",
                 "update": "dynamodb:PartiQLUpdate", "delete": "dynamodb:PartiQLDelete",
                 "exists": "dynamodb:PartiQLSelect"}
_PARTIQL_TARGET = re.compile(
    r'\b(?:from|into|update)\s+("(?:[^"]|"")+"|[A-Za-z0-9_.-]+)(?:\s*\.\s*("(?:[^"]|"")+"|[A-Za-z0-9_.-]+))?',
    re.IGNORECASE)


def _partiql(scope: Scope, statement: str) -> AccessRequest:
    verb = statement.lstrip().split(None, 1)[0].lower() if statement.strip() else ""
    action = _PARTIQL_VERB.get(verb, "dynamodb:PartiQLSelect")
    match = _PARTIQL_TARGET.search(statement)
    if match is None:
        return AccessRequest(action, "*")
    table, index = (part.strip('"').replace('""', '"') if part else None for part in match.groups())
    resource = scope.index_arn(table, index) if index else scope.table_arn(table)
    return AccessRequest(action, resource)


def _table_arn_member(scope: Scope, body: Mapping[str, Any], *members: str) -> str:
    for member in members:
        value = body.get(member)
        if isinstance(value, str) and value:
            return value if value.startswith("arn:") else scope.table_arn(value)
    return "*"


_TABLE_OPERATIONS = frozenset({
    "CreateTable", "DeleteTable", "DescribeTable", "UpdateTable", "DescribeTimeToLive",
    "UpdateTimeToLive", "DescribeContinuousBackups", "UpdateContinuousBackups", "CreateBackup",
    "DescribeKinesisStreamingDestination", "EnableKinesisStreamingDestination",
    "DisableKinesisStreamingDestination", "UpdateKinesisStreamingDestination",
    "DescribeTableReplicaAutoScaling", "UpdateTableReplicaAutoScaling",
})
_ARN_MEMBER_OPERATIONS = {
    "TagResource": "ResourceArn", "UntagResource": "ResourceArn", "ListTagsOfResource": "ResourceArn",
    "GetResourcePolicy": "ResourceArn", "PutResourcePolicy": "ResourceArn",
    "DeleteResourcePolicy": "ResourceArn", "DescribeBackup": "BackupArn", "DeleteBackup": "BackupArn",
    "ExportTableToPointInTime": "TableArn", "DescribeExport": "ExportArn", "DescribeImport": "ImportArn",
    "DescribeStream": "StreamArn", "GetShardIterator": "StreamArn",
}
_ITEM_ACTIONS = {"GetItem", "PutItem", "UpdateItem", "DeleteItem"}


def _dynamodb(scope: Scope, operation: str, body: Mapping[str, Any]) -> list[AccessRequest]:
    action = f"dynamodb:{operation}"
    if operation in _ITEM_ACTIONS:
        return [_item_request(scope, action, body)]
    if operation in ("Query", "Scan"):
        return [_query_or_scan(scope, action, body)]
    if operation == "BatchGetItem":
        return _batch_get(scope, body)
    if operation == "BatchWriteItem":
        return _batch_write(scope, body)
    if operation == "TransactWriteItems":
        return _transact_write(scope, body)
    if operation == "TransactGetItems":
        return _transact_get(scope, body)
    if operation == "ExecuteStatement":
        return [_partiql(scope, str(body.get("Statement", "")))]
    if operation == "BatchExecuteStatement":
        return [_partiql(scope, str((s or {}).get("Statement", ""))) for s in body.get("Statements") or []]
    if operation == "ExecuteTransaction":
        return [_partiql(scope, str((s or {}).get("Statement", ""))) for s in body.get("TransactStatements") or []]
    if operation in _TABLE_OPERATIONS:
        return [AccessRequest(action, _table_arn_member(scope, body, "TableName"))]
    if operation in ("DescribeContributorInsights", "UpdateContributorInsights"):
        table, index = str(body.get("TableName", "")), body.get("IndexName")
        return [AccessRequest(action, scope.index_arn(table, index) if index else scope.table_arn(table))]
    if operation in _ARN_MEMBER_OPERATIONS:
        return [AccessRequest(action, str(body.get(_ARN_MEMBER_OPERATIONS[operation]) or "*"))]
    if operation == "GetRecords":
        iterator = str(body.get("ShardIterator", ""))
        stream = scope.stream_of_iterator(iterator) if scope.stream_of_iterator else None
        return [AccessRequest(action, stream or "*")]
    if operation == "RestoreTableFromBackup":
        return [AccessRequest(action, str(body.get("BackupArn") or "*")),
                AccessRequest(action, _table_arn_member(scope, body, "TargetTableName"))]
    if operation == "RestoreTableToPointInTime":
        return [AccessRequest(action, _table_arn_member(scope, body, "SourceTableArn", "SourceTableName")),
                AccessRequest(action, _table_arn_member(scope, body, "TargetTableName"))]
    if operation == "ImportTable":
        params = body.get("TableCreationParameters") or {}
        return [AccessRequest(action, _table_arn_member(scope, params, "TableName"))]
    # ListTables, ListBackups, ListStreams, DescribeLimits, DescribeEndpoints, List*: account-wide.
    return [AccessRequest(action, "*")]


# --- IAM, STS, CloudWatch, Application Auto Scaling ----------------------------------------

_IAM_USER_OPERATIONS = frozenset({
    "CreateUser", "GetUser", "DeleteUser", "AttachUserPolicy", "DetachUserPolicy",
    "ListAttachedUserPolicies", "PutUserPolicy", "GetUserPolicy", "DeleteUserPolicy",
    "ListUserPolicies", "CreateAccessKey", "ListAccessKeys", "DeleteAccessKey", "TagUser",
    "UntagUser", "ListUserTags",
})
_IAM_POLICY_OPERATIONS = frozenset({
    "GetPolicy", "DeletePolicy", "GetPolicyVersion", "ListPolicyVersions", "CreatePolicyVersion",
    "DeletePolicyVersion", "SetDefaultPolicyVersion", "ListEntitiesForPolicy", "TagPolicy",
    "UntagPolicy", "ListPolicyTags",
})
_CLOUDWATCH_ALARM_OPERATIONS = frozenset({
    "PutMetricAlarm", "DeleteAlarms", "EnableAlarmActions", "DisableAlarmActions", "SetAlarmState",
})


def _iam(scope: Scope, operation: str, body: Mapping[str, Any], caller: str | None) -> list[AccessRequest]:
    action = f"iam:{operation}"
    if operation in _IAM_USER_OPERATIONS:
        user = body.get("UserName") or caller or "*"
        return [AccessRequest(action, f"arn:aws:iam::{scope.account_id}:user/{user}")]
    if operation == "CreatePolicy":
        path = str(body.get("Path") or "/")
        return [AccessRequest(action, f"arn:aws:iam::{scope.account_id}:policy{path}{body.get('PolicyName', '')}")]
    if operation in _IAM_POLICY_OPERATIONS:
        return [AccessRequest(action, str(body.get("PolicyArn") or "*"))]
    return [AccessRequest(action, "*")]


def _cloudwatch(scope: Scope, operation: str, body: Mapping[str, Any]) -> list[AccessRequest]:
    action = f"cloudwatch:{operation}"
    if operation in _CLOUDWATCH_ALARM_OPERATIONS:
        names = body.get("AlarmNames") or [body.get("AlarmName")]
        return [AccessRequest(action, f"arn:aws:cloudwatch:{scope.region}:{scope.account_id}:alarm:{name}")
                for name in names if name]
    return [AccessRequest(action, "*")]


# The SigV4 signing name (credential scope service) -> the IAM action prefix.
SERVICE_PREFIXES = {
    "dynamodb": "dynamodb", "dynamodbstreams": "dynamodb", "streams.dynamodb": "dynamodb",
    "monitoring": "cloudwatch", "cloudwatch": "cloudwatch", "iam": "iam", "sts": "sts",
    "application-autoscaling": "application-autoscaling",
}


def access_requests(service: str, operation: str, body: Mapping[str, Any], scope: Scope,
                    caller: str | None = None) -> list[AccessRequest]:
    """Every check AWS makes before running `operation` (an empty list: nothing to check)."""
    prefix = SERVICE_PREFIXES.get(service, service)
    if prefix == "dynamodb":
        return _dynamodb(scope, operation, body)
    if prefix == "iam":
        return _iam(scope, operation, body, caller)
    if prefix == "sts":
        # GetCallerIdentity needs no permission: AWS answers it even when everything is denied.
        return [] if operation == "GetCallerIdentity" else [AccessRequest(f"sts:{operation}", "*")]
    if prefix == "cloudwatch":
        return _cloudwatch(scope, operation, body)
    return [AccessRequest(f"{prefix}:{operation}", "*")]
