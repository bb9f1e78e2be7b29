"""Table and item builders shared by the capacity tests."""
from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError


def provisioned_table(ddb: Any, name: str, rcu: int = 5, wcu: int = 5, *, sort_key: bool = False,
                      gsi: tuple[str, int, int] | None = None) -> None:
    """A PROVISIONED table keyed on pk (and sk), optionally with one GSI on `g` (name, rcu, wcu)."""
    definitions = [{"AttributeName": "pk", "AttributeType": "S"}]
    schema = [{"AttributeName": "pk", "KeyType": "HASH"}]
    if sort_key:
        definitions.append({"AttributeName": "sk", "AttributeType": "S"})
        schema.append({"AttributeName": "sk", "KeyType": "RANGE"})
    spec: dict = {"TableName": name, "AttributeDefinitions": definitions, "KeySchema": schema,
                  "ProvisionedThroughput": {"ReadCapacityUnits": rcu, "WriteCapacityUnits": wcu}}
    if gsi is not None:
        definitions.append({"AttributeName": "g", "AttributeType": "S"})
        spec["GlobalSecondaryIndexes"] = [{
            "IndexName": gsi[0], "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"},
            "ProvisionedThroughput": {"ReadCapacityUnits": gsi[1], "WriteCapacityUnits": gsi[2]}}]
    ddb.create_table(**spec)


def item_of_units(pk: str, units: int, **extra: Any) -> dict:
    """An item whose PutItem costs exactly `units` write units (1 KB each)."""
    fixed = 2 + len(pk) + 4 + sum(len(k) + len(v["S"]) for k, v in extra.items())
    item = {"pk": {"S": pk}, "blob": {"S": "x" * (units * 1024 - fixed - 10)}}
    item.update(extra)
    return item


def error_of(call: Any, *args: Any, **kwargs: Any) -> dict:
    """The parsed error of a call that must fail."""
    try:
        call(*args, **kwargs)
    except ClientError as exc:
        return exc.response
    raise AssertionError("the call succeeded")


def code_of(call: Any, *args: Any, **kwargs: Any) -> str:
    return error_of(call, *args, **kwargs)["Error"]["Code"]
