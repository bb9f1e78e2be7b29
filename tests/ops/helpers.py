"""Tables and items for the operations tests (migration, cost, restore drills, auto scaling)."""
from __future__ import annotations

from typing import Any

from botocore.config import Config

FAST = Config(parameter_validation=False, retries={"mode": "standard", "max_attempts": 1})


def create_simple_table(client: Any, name: str, **extra: Any) -> None:
    spec = {"TableName": name, "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}], "BillingMode": "PAY_PER_REQUEST"}
    spec.update(extra)
    client.create_table(**spec)


def sample_item(i: int) -> dict[str, Any]:
    """Items with every kind of value, so a copy that mangles any type is caught."""
    return {"id": {"S": f"job-{i:06d}"}, "n": {"N": str(i)}, "price": {"N": f"{i}.50"},
            "blob": {"B": i.to_bytes(4, "big")}, "tags": {"SS": ["b", "a", f"t{i % 7}"]},
            "nums": {"NS": ["1", str(i + 2)]}, "meta": {"M": {"ok": {"BOOL": i % 2 == 0}, "none": {"NULL": True},
                                                         "list": {"L": [{"S": "x"}, {"N": "3"}]}}}}
