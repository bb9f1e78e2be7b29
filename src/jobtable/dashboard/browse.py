"""The item browser: a Query (partition key given) or a Scan of a table or one of its indexes.

Attribute names always go through `#placeholders`, so key names that are reserved words
(`status`...) work; values are typed from the table's AttributeDefinitions.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from jobtable.dashboard.wire import decode_key, encode_key, typed

SORT_OPERATORS = {"=": "=", "<": "<", "<=": "<=", ">": ">", ">=": ">=", "begins_with": "begins_with",
                  "between": "between"}
MAX_LIMIT = 200


@dataclass(frozen=True)
class KeyPart:
    name: str
    type: str  # S | N | B


@dataclass(frozen=True)
class Target:
    """The table or one index: what its keys are called and typed."""

    index: str | None
    hash: KeyPart
    range: KeyPart | None

    @property
    def label(self) -> str:
        return self.index or "table"


def key_parts(key_schema: list[Mapping[str, str]], definitions: list[Mapping[str, str]]) -> tuple[KeyPart, KeyPart | None]:
    types = {d["AttributeName"]: d["AttributeType"] for d in definitions}
    keys = {k["KeyType"]: k["AttributeName"] for k in key_schema}
    hash_part = KeyPart(keys["HASH"], types.get(keys["HASH"], "S"))
    range_part = KeyPart(keys["RANGE"], types.get(keys["RANGE"], "S")) if "RANGE" in keys else None
    return hash_part, range_part


def targets_of(description: Mapping[str, Any]) -> list[Target]:
    """The table itself, then its global and local secondary indexes."""
    definitions = description.get("AttributeDefinitions", [])
    found = [Target(None, *key_parts(description["KeySchema"], definitions))]
    for index in description.get("GlobalSecondaryIndexes", []) + description.get("LocalSecondaryIndexes", []):
        found.append(Target(index["IndexName"], *key_parts(index["KeySchema"], definitions)))
    return found


@dataclass
class BrowseRequest:
    index: str = ""
    partition: str = ""
    sort_op: str = ""
    sort_value: str = ""
    sort_value2: str = ""
    descending: bool = False
    limit: int = 25
    start: str = ""

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> "BrowseRequest":
        try:
            limit = max(1, min(int(params.get("limit") or 25), MAX_LIMIT))
        except ValueError:
            limit = 25
        return cls(params.get("index", ""), params.get("pk", ""), params.get("op", ""), params.get("sk", ""),
                   params.get("sk2", ""), params.get("desc") == "1", limit, params.get("start", ""))

    def link_params(self, start: str | None = None) -> dict[str, Any]:
        return {"index": self.index, "pk": self.partition, "op": self.sort_op, "sk": self.sort_value,
                "sk2": self.sort_value2, "desc": "1" if self.descending else "", "limit": self.limit,
                "start": start}


@dataclass
class BrowsePage:
    operation: str  # Query | Scan
    items: list[dict[str, Any]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    next_start: str | None = None
    scanned: int = 0


def build_request(table: str, target: Target, browse: BrowseRequest) -> tuple[str, dict[str, Any]]:
    """(operation, parameters) for the low-level client; ValueError for unusable input."""
    params: dict[str, Any] = {"TableName": table, "Limit": browse.limit}
    if target.index:
        params["IndexName"] = target.index
    if browse.start:
        params["ExclusiveStartKey"] = decode_key(browse.start)
    if not browse.partition:
        if browse.sort_op:
            raise ValueError(f"a sort key condition needs a value for the partition key {target.hash.name}")
        return "scan", params
    names = {"#pk": target.hash.name}
    values = {":pk": typed(target.hash.type, browse.partition)}
    condition = "#pk = :pk"
    if browse.sort_op:
        if target.range is None:
            raise ValueError(f"{target.label} has no sort key")
        if browse.sort_op not in SORT_OPERATORS:
            raise ValueError(f"unknown sort key operator {browse.sort_op!r}")
        names["#sk"] = target.range.name
        values[":sk"] = typed(target.range.type, browse.sort_value)
        if browse.sort_op == "begins_with":
            condition += " AND begins_with(#sk, :sk)"
        elif browse.sort_op == "between":
            values[":sk2"] = typed(target.range.type, browse.sort_value2)
            condition += " AND #sk BETWEEN :sk AND :sk2"
        else:
            condition += f" AND #sk {browse.sort_op} :sk"
    params.update(KeyConditionExpression=condition, ExpressionAttributeNames=names,
                  ExpressionAttributeValues=values, ScanIndexForward=not browse.descending)
    return "query", params


def run(client: Any, table: str, target: Target, browse: BrowseRequest) -> BrowsePage:
    operation, params = build_request(table, target, browse)
    response = getattr(client, operation)(**params)
    items = response.get("Items", [])
    keys = [target.hash.name] + ([target.range.name] if target.range else [])
    others = sorted({name for item in items for name in item} - set(keys))
    start = encode_key(response["LastEvaluatedKey"]) if "LastEvaluatedKey" in response else None
    return BrowsePage("Query" if operation == "query" else "Scan", items, keys + others, start,
                      response.get("ScannedCount", len(items)))
