"""TableDescription as DynamoDB renders it (what boto3, the AWS CLI and Terraform read)."""
from __future__ import annotations

import time
import weakref
from typing import TYPE_CHECKING, Any

from jobtable.engine.catalog import IndexMeta, TableMeta
from jobtable.engine.throughput_changes import decreases_today

if TYPE_CHECKING:
    from jobtable.engine.engine import Engine

_INDEX_STATS_TTL = 5.0
# engine -> index id -> (monotonic time, table (ItemCount, size) + index status then, index count, size)
_index_stats_cache: "weakref.WeakKeyDictionary[Engine, dict[int, tuple]]" = weakref.WeakKeyDictionary()


def key_schema(hash_name: str, range_name: str | None) -> list[dict[str, str]]:
    schema = [{"AttributeName": hash_name, "KeyType": "HASH"}]
    if range_name:
        schema.append({"AttributeName": range_name, "KeyType": "RANGE"})
    return schema


def projection(index: IndexMeta) -> dict[str, Any]:
    out: dict[str, Any] = {"ProjectionType": index.projection_type}
    if index.projection_type == "INCLUDE" and index.non_key_attributes:
        out["NonKeyAttributes"] = list(index.non_key_attributes)
    return out


def throughput(obj: TableMeta | IndexMeta, on_demand: bool, now: float) -> dict[str, Any]:
    out: dict[str, Any] = {"NumberOfDecreasesToday": decreases_today(obj, now),
                           "ReadCapacityUnits": 0 if on_demand else obj.read_capacity,
                           "WriteCapacityUnits": 0 if on_demand else obj.write_capacity}
    if obj.last_increase:
        out["LastIncreaseDateTime"] = obj.last_increase
    if obj.last_decrease:
        out["LastDecreaseDateTime"] = obj.last_decrease
    return out


def _index_stats(engine: "Engine", meta: TableMeta, index: IndexMeta) -> tuple[int, int]:
    """Count an index's rows, reusing a count a few seconds old while the table has not changed
    (Terraform polls DescribeTable; a write since then makes the next description recount)."""
    now = time.monotonic()
    cache = _index_stats_cache.setdefault(engine, {})
    with engine.storage.read() as c:
        table_now = (engine.stats.get(c, meta), index.status, index.backfilling)
        cached = cache.get(index.iid)
        if cached and now - cached[0] < _INDEX_STATS_TTL and cached[1] == table_now:
            return cached[2], cached[3]
        try:
            count, size = c.execute(f"SELECT count(*), coalesce(sum(size), 0) FROM {index.sql_table}").fetchone()
        except Exception:  # index storage dropped concurrently
            count, size = 0, 0
    cache[index.iid] = (now, table_now, count, size)
    return count, size


def describe_index(engine: "Engine", meta: TableMeta, index: IndexMeta) -> dict[str, Any]:
    count, size = _index_stats(engine, meta, index)
    out: dict[str, Any] = {
        "IndexName": index.name,
        "KeySchema": key_schema(index.hash.name, index.range.name if index.range else None),
        "Projection": projection(index),
        "IndexSizeBytes": size,
        "ItemCount": count,
        "IndexArn": f"{meta.arn}/index/{index.name}",
    }
    if index.kind == "GSI":
        out["IndexStatus"] = index.status
        if index.status == "CREATING":
            out["Backfilling"] = index.backfilling
        out["ProvisionedThroughput"] = throughput(index, meta.billing_mode == "PAY_PER_REQUEST",
                                                  engine.clock.now())
        if index.extras.get("on_demand_throughput"):
            out["OnDemandThroughput"] = index.extras["on_demand_throughput"]
    return out


def describe_table(engine: "Engine", meta: TableMeta, status: str | None = None) -> dict[str, Any]:
    with engine.storage.read() as c:
        count, size = engine.stats.get(c, meta)
    on_demand = meta.billing_mode == "PAY_PER_REQUEST"
    out: dict[str, Any] = {
        "AttributeDefinitions": [dict(d) for d in meta.attribute_definitions],
        "TableName": meta.name,
        "KeySchema": key_schema(meta.hash.name, meta.range.name if meta.range else None),
        "TableStatus": status or meta.status,
        "CreationDateTime": meta.created,
        "ProvisionedThroughput": throughput(meta, on_demand, engine.clock.now()),
        "TableSizeBytes": size,
        "ItemCount": count,
        "TableArn": meta.arn,
        "TableId": meta.table_id,
        "BillingModeSummary": {"BillingMode": meta.billing_mode},
        "TableClassSummary": {"TableClass": meta.table_class},
        "DeletionProtectionEnabled": meta.deletion_protection,
    }
    if meta.billing_mode_changed and on_demand:
        out["BillingModeSummary"]["LastUpdateToPayPerRequestDateTime"] = meta.billing_mode_changed
    if meta.gsis:
        out["GlobalSecondaryIndexes"] = [describe_index(engine, meta, i) for i in meta.gsis]
    if meta.lsis:
        out["LocalSecondaryIndexes"] = [describe_index(engine, meta, i) for i in meta.lsis]
    if meta.stream_enabled:
        out["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": meta.stream_view_type}
    if meta.stream_label:
        out["LatestStreamLabel"] = meta.stream_label
        out["LatestStreamArn"] = meta.stream_arn
    if meta.sse_enabled:
        out["SSEDescription"] = {"Status": "ENABLED", "SSEType": meta.sse_type or "KMS",
                                 "KMSMasterKeyArn": meta.kms_key_arn}
    restore = meta.extras.get("restore")
    if restore:
        out["RestoreSummary"] = {**restore["summary"], "RestoreInProgress": bool(restore["in_progress"])}
    if on_demand and (meta.on_demand_max_read or meta.on_demand_max_write):
        out["OnDemandThroughput"] = {"MaxReadRequestUnits": meta.on_demand_max_read or -1,
                                     "MaxWriteRequestUnits": meta.on_demand_max_write or -1}
    return out
