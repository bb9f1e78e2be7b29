"""Pieces shared by the backup, point-in-time and import operations.

A restored table is described by a CreateTable-shaped request built from the source
table's metadata plus the caller's overrides, then created by the same code as CreateTable
(`tables.build_table_meta`), so limits, validation and errors never drift apart.
"""
from __future__ import annotations

from typing import Any

from jobtable.api.describe import key_schema, projection
from jobtable.engine.catalog import IndexMeta, TableMeta
from jobtable.engine.errors import TableNotFoundException


def table_by_name_or_arn(engine: Any, value: str) -> TableMeta:
    """The live table a `TableName` (which may also be a table ARN) names."""
    if value.startswith("arn:"):
        for meta in engine.catalog.all():
            if meta.arn == value:
                return meta
        name = value.rsplit("/", 1)[-1]
    else:
        meta = engine.catalog.get(value)
        if meta is not None:
            return meta
        name = value
    raise TableNotFoundException(f"Table not found: {name}")


def _throughput(obj: TableMeta | IndexMeta) -> dict[str, int]:
    return {"ReadCapacityUnits": obj.read_capacity, "WriteCapacityUnits": obj.write_capacity}


def _gsi_spec(index: IndexMeta, billing: str) -> dict[str, Any]:
    spec: dict[str, Any] = {"IndexName": index.name,
                            "KeySchema": key_schema(index.hash.name, index.range.name if index.range else None),
                            "Projection": projection(index)}
    if billing == "PROVISIONED" and (index.read_capacity or index.write_capacity):
        spec["ProvisionedThroughput"] = _throughput(index)
    return spec


def _lsi_spec(index: IndexMeta) -> dict[str, Any]:
    return {"IndexName": index.name,
            "KeySchema": key_schema(index.hash.name, index.range.name if index.range else None),
            "Projection": projection(index)}


def restored_table_request(meta: TableMeta, target: str, req: dict) -> dict[str, Any]:
    """CreateTable request for a restore of `meta` into `target`, with the request's overrides."""
    billing = req.get("BillingModeOverride") or meta.billing_mode
    out: dict[str, Any] = {"TableName": target, "BillingMode": billing, "TableClass": meta.table_class,
                           "KeySchema": key_schema(meta.hash.name, meta.range.name if meta.range else None)}
    if req.get("ProvisionedThroughputOverride"):
        out["ProvisionedThroughput"] = req["ProvisionedThroughputOverride"]
    elif billing == "PROVISIONED" and meta.billing_mode == "PROVISIONED":
        out["ProvisionedThroughput"] = _throughput(meta)
    gsis = req.get("GlobalSecondaryIndexOverride")
    if gsis is None:
        gsis = [_gsi_spec(index, billing) for index in meta.gsis]
    lsis = req.get("LocalSecondaryIndexOverride")
    if lsis is None:
        lsis = [_lsi_spec(index) for index in meta.lsis]
    if gsis:
        out["GlobalSecondaryIndexes"] = gsis
    if lsis:
        out["LocalSecondaryIndexes"] = lsis
    used = set(meta.key_names())
    for spec in gsis + lsis:
        used.update(element["AttributeName"] for element in spec["KeySchema"])
    out["AttributeDefinitions"] = [d for d in meta.attribute_definitions if d["AttributeName"] in used]
    if req.get("SSESpecificationOverride") is not None:
        out["SSESpecification"] = req["SSESpecificationOverride"]
    elif meta.sse_enabled:
        out["SSESpecification"] = {"Enabled": True, "SSEType": meta.sse_type or "KMS",
                                   "KMSMasterKeyId": meta.kms_key_arn}
    if req.get("OnDemandThroughputOverride"):
        out["OnDemandThroughput"] = req["OnDemandThroughputOverride"]
    elif billing == "PAY_PER_REQUEST" and (meta.on_demand_max_read or meta.on_demand_max_write):
        out["OnDemandThroughput"] = {k: v for k, v in (("MaxReadRequestUnits", meta.on_demand_max_read),
                                                        ("MaxWriteRequestUnits", meta.on_demand_max_write)) if v}
    return out
