"""Shared helpers of the multi-item tests."""
from __future__ import annotations

from typing import Any


def table_spec(name: str, kind: str) -> dict:
    """hash: pk (S); composite: pk (S) + sk (N); lsi: composite + LSI on lsk (S)."""
    attrs = [{"AttributeName": "pk", "AttributeType": "S"}]
    keys = [{"AttributeName": "pk", "KeyType": "HASH"}]
    spec: dict[str, Any] = {"TableName": name, "BillingMode": "PAY_PER_REQUEST"}
    if kind in ("composite", "lsi"):
        attrs.append({"AttributeName": "sk", "AttributeType": "N"})
        keys.append({"AttributeName": "sk", "KeyType": "RANGE"})
    if kind == "lsi":
        attrs.append({"AttributeName": "lsk", "AttributeType": "S"})
        spec["LocalSecondaryIndexes"] = [{
            "IndexName": "ByLsk", "Projection": {"ProjectionType": "ALL"},
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "lsk", "KeyType": "RANGE"}]}]
    spec["AttributeDefinitions"] = attrs
    spec["KeySchema"] = keys
    return spec


def error_of(excinfo: Any) -> tuple[str, str]:
    """(code, message) of a botocore ClientError caught by pytest.raises."""
    error = excinfo.value.response["Error"]
    return error["Code"], error["Message"]
