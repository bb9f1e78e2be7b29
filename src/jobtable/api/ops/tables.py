"""Control plane: CreateTable, DescribeTable, ListTables, UpdateTable, DeleteTable, limits."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from jobtable.api.describe import describe_table
from jobtable.api.ops.common import table_name_from, table_named
from jobtable.api.protocol import RequestContext
from jobtable.engine import indexes, throughput_changes
from jobtable.engine.catalog import IndexMeta, KeyAttr, TableMeta
from jobtable.engine.errors import (LimitExceededException, ResourceInUseException,
                                    ValidationException)

INVALID = "One or more parameter values were invalid: "
MAX_GSIS = 20
MAX_LSIS = 5
ACCOUNT_MAX_CAPACITY = 80000
TABLE_MAX_CAPACITY = 40000


def _parse_key_schema(schema: list[dict], where: str) -> tuple[str, str | None]:
    hashes = [e["AttributeName"] for e in schema if e.get("KeyType") == "HASH"]
    ranges = [e["AttributeName"] for e in schema if e.get("KeyType") == "RANGE"]
    if not schema or schema[0].get("KeyType") != "HASH":
        raise ValidationException(f"Invalid KeySchema: The first KeySchemaElement is not a HASH key type")
    if len(hashes) > 1:
        raise ValidationException("Invalid KeySchema: Too many hash keys")
    if len(ranges) > 1 or len(schema) > 2:
        raise ValidationException("Invalid KeySchema: Too many range keys")
    if ranges and ranges[0] == hashes[0]:
        raise ValidationException(f"{INVALID}Both the Hash Key and the Range Key element in the KeySchema have the same name")
    return hashes[0], (ranges[0] if ranges else None)


def _key_attr(name: str, definitions: dict[str, str], used: set[str]) -> KeyAttr:
    used.add(name)
    return KeyAttr(name, definitions.get(name, ""))


def _parse_projection(spec: dict, index_name: str) -> tuple[str, list[str] | None]:
    ptype = spec.get("ProjectionType")
    non_key = spec.get("NonKeyAttributes")
    if ptype is None:
        raise ValidationException(f"{INVALID}Unknown ProjectionType: null")
    if ptype == "INCLUDE":
        if not non_key:
            raise ValidationException(f"{INVALID}ProjectionType is INCLUDE, but NonKeyAttributes is not specified")
    elif non_key is not None:
        raise ValidationException(f"{INVALID}ProjectionType is {ptype}, but NonKeyAttributes is specified")
    return ptype, non_key


def _check_throughput(pt: dict | None, billing: str, what: str) -> tuple[int, int]:
    if billing == "PAY_PER_REQUEST":
        if pt is not None:
            raise ValidationException(f"{INVALID}Neither ReadCapacityUnits nor WriteCapacityUnits can be "
                                      "specified when BillingMode is PAY_PER_REQUEST")
        return 0, 0
    if pt is None:
        if what == "table":
            raise ValidationException("One or more parameter values were invalid: ReadCapacityUnits and "
                                      "WriteCapacityUnits must both be specified when BillingMode is PROVISIONED")
        raise ValidationException(f"{INVALID}ProvisionedThroughput should not be null for index: {what}")
    return int(pt["ReadCapacityUnits"]), int(pt["WriteCapacityUnits"])


def _new_index(engine: Any, spec: dict, kind: str, definitions: dict[str, str], used: set[str],
               billing: str, created: float) -> IndexMeta:
    name = spec["IndexName"]
    hash_name, range_name = _parse_key_schema(spec["KeySchema"], name)
    ptype, non_key = _parse_projection(spec.get("Projection") or {}, name)
    rcu, wcu = (0, 0) if kind == "LSI" else _check_throughput(spec.get("ProvisionedThroughput"), billing, name)
    index = IndexMeta(name=name, iid=engine.storage.next_counter("index"), kind=kind,
                      hash=_key_attr(hash_name, definitions, used),
                      range=_key_attr(range_name, definitions, used) if range_name else None,
                      projection_type=ptype, non_key_attributes=non_key,
                      read_capacity=rcu, write_capacity=wcu, created=created)
    if spec.get("OnDemandThroughput"):
        index.extras["on_demand_throughput"] = spec["OnDemandThroughput"]
    return index


def _check_definitions(definitions: list[dict], used: set[str]) -> dict[str, str]:
    by_name = {d["AttributeName"]: d["AttributeType"] for d in definitions}
    if len(by_name) != len(definitions):
        raise ValidationException(f"{INVALID}Cannot have two attributes with the same name")
    missing = sorted(used - set(by_name))
    if missing:
        raise ValidationException(
            f"{INVALID}Some index key attributes are not defined in AttributeDefinitions. Keys: "
            f"[{', '.join(missing)}], AttributeDefinitions: [{', '.join(by_name)}]")
    unused = [n for n in by_name if n not in used]
    if unused:
        raise ValidationException(
            f"{INVALID}Some AttributeDefinitions are not used. AttributeDefinitions: [{', '.join(by_name)}], "
            f"keys used: [{', '.join(n for n in by_name if n in used)}]")
    return by_name


def _stream_label(now: float, previous: str | None) -> str:
    """A stream label is the creation time in milliseconds; each new stream gets a later one."""
    moment = dt.datetime.fromtimestamp(now, dt.timezone.utc).replace(tzinfo=None)
    if previous:
        after_previous = dt.datetime.fromisoformat(previous) + dt.timedelta(milliseconds=1)
        moment = max(moment, after_previous)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]


def _apply_stream(meta: TableMeta, spec: dict | None, now: float) -> None:
    """Enable (a new stream: new label and ARN) or disable the table's stream.

    The last label stays on the table after a disable (LatestStreamArn lingers in AWS).
    """
    if not spec:
        return
    if spec.get("StreamEnabled"):
        if not spec.get("StreamViewType"):
            raise ValidationException(f"{INVALID}If stream is being enabled then UpdateViewType is required")
        meta.stream_enabled = True
        meta.stream_view_type = spec["StreamViewType"]
        meta.stream_label = _stream_label(now, meta.stream_label)
    else:
        if spec.get("StreamViewType"):
            raise ValidationException(f"{INVALID}If stream is being disabled, then UpdateViewType must not be "
                                      "specified")
        meta.stream_enabled = False
        meta.stream_view_type = None


def _apply_sse(engine: Any, meta: TableMeta, spec: dict | None) -> None:
    if spec is None:
        return
    if spec.get("Enabled"):
        meta.sse_enabled = True
        meta.sse_type = spec.get("SSEType", "KMS")
        key = spec.get("KMSMasterKeyId")
        if key and not key.startswith("arn:"):
            key = f"arn:aws:kms:{engine.region}:{engine.account_id}:key/{key}"
        # The default names the data key that really seals this table (docs/security.md).
        meta.kms_key_arn = key or meta.kms_key_arn or engine.sealer.cipher.kms_key_arn(engine.region,
                                                                                      engine.account_id)
    else:
        meta.sse_enabled = False
        meta.sse_type = None
        meta.kms_key_arn = None


def create_table(req: dict, ctx: RequestContext) -> dict:
    engine = ctx.engine
    name = table_name_from(req["TableName"])
    if engine.catalog.get(name) is not None:
        raise ResourceInUseException(f"Table already exists: {name}")
    meta = build_table_meta(engine, req)
    add_table(engine, meta, req)
    description = describe_table(engine, meta, status="CREATING")
    for gsi in description.get("GlobalSecondaryIndexes", []):
        gsi["IndexStatus"] = "CREATING"
    return {"TableDescription": description}


def build_table_meta(engine: Any, req: dict) -> TableMeta:
    """Validate a CreateTable-shaped request and build the table's metadata (nothing stored yet).

    Shared by CreateTable, restores (backup, point in time) and ImportTable, so every way a
    table comes to exist applies the same rules and errors.
    """
    name = req["TableName"]
    billing = req.get("BillingMode") or "PROVISIONED"
    now = engine.clock.now()
    used: set[str] = set()
    defs = {d["AttributeName"]: d["AttributeType"] for d in req["AttributeDefinitions"]}
    hash_name, range_name = _parse_key_schema(req["KeySchema"], name)
    rcu, wcu = _check_throughput(req.get("ProvisionedThroughput"), billing, "table")
    throughput_changes.check_maximum(rcu, wcu, engine.region)
    gsi_specs = req.get("GlobalSecondaryIndexes") or []
    lsi_specs = req.get("LocalSecondaryIndexes") or []
    if len(gsi_specs) > MAX_GSIS:
        raise LimitExceededException(f"GSI count exceeds max: {MAX_GSIS}")
    if len(lsi_specs) > MAX_LSIS:
        raise ValidationException(f"{INVALID}Too many local secondary indexes; maximum is {MAX_LSIS}")
    meta = TableMeta(name=name, tid=engine.storage.next_counter("table"), table_id=str(uuid.uuid4()),
                     arn=engine.catalog.table_arn(name), created=now,
                     hash=_key_attr(hash_name, defs, used),
                     range=_key_attr(range_name, defs, used) if range_name else None,
                     attribute_definitions=[dict(d) for d in req["AttributeDefinitions"]],
                     billing_mode=billing, read_capacity=rcu, write_capacity=wcu,
                     table_class=req.get("TableClass") or "STANDARD",
                     deletion_protection=bool(req.get("DeletionProtectionEnabled", False)))
    seen: set[str] = set()
    for spec in gsi_specs:
        meta.gsis.append(_new_index(engine, spec, "GSI", defs, used, billing, now))
    for spec in lsi_specs:
        index = _new_index(engine, spec, "LSI", defs, used, billing, now)
        if not range_name:
            raise ValidationException(f"{INVALID}Table KeySchema does not have a range key, which is required "
                                      "when specifying a LocalSecondaryIndex")
        if index.hash.name != hash_name:
            raise ValidationException(f"{INVALID}Index KeySchema does not have the same leading hash key as "
                                      f"table KeySchema for index: {index.name}. index hash key: "
                                      f"{index.hash.name}, table hash key: {hash_name}")
        if index.range is None:
            raise ValidationException(f"{INVALID}Local secondary indexes must have a range key: {index.name}")
        meta.lsis.append(index)
    for index in meta.indexes:
        if index.name in seen:
            raise ValidationException(f"{INVALID}Duplicate index name: {index.name}")
        seen.add(index.name)
    _check_definitions(req["AttributeDefinitions"], used)
    od = req.get("OnDemandThroughput") or {}
    meta.on_demand_max_read = od.get("MaxReadRequestUnits")
    meta.on_demand_max_write = od.get("MaxWriteRequestUnits")
    _apply_stream(meta, req.get("StreamSpecification"), now)
    _apply_sse(engine, meta, req.get("SSESpecification"))
    return meta


def add_table(engine: Any, meta: TableMeta, req: dict) -> None:
    """Store a table built by `build_table_meta` with its tags, then tell the creation hooks."""
    with engine.storage.transaction() as c:
        engine.catalog.add(meta)
        for tag in req.get("Tags") or []:
            c.execute("INSERT OR REPLACE INTO jt_tags VALUES(?, ?, ?)", (meta.arn, tag["Key"], tag["Value"]))
        for hook in TABLE_CREATED_HOOKS:  # inside: feature state commits with the table (or not at all)
            hook(engine, meta, req)


# Later features (streams, PITR, insights...) can react to new tables without editing this module.
# Created/updated hooks run inside the table change's transaction; deleted hooks run just before the drop.
TABLE_CREATED_HOOKS: list = []
TABLE_DELETED_HOOKS: list = []


def describe(req: dict, ctx: RequestContext) -> dict:
    meta = table_named(ctx, req["TableName"])
    return {"Table": describe_table(ctx.engine, meta)}


def list_tables(req: dict, ctx: RequestContext) -> dict:
    names = ctx.engine.catalog.names()
    start = req.get("ExclusiveStartTableName")
    if start is not None:
        names = [n for n in names if n > start]
    limit = req.get("Limit") or 100
    out: dict[str, Any] = {"TableNames": names[:limit]}
    if len(names) > limit:
        out["LastEvaluatedTableName"] = names[limit - 1]
    return out


def delete_table(req: dict, ctx: RequestContext) -> dict:
    engine = ctx.engine
    meta = engine.catalog.require(table_name_from(req["TableName"]))
    if meta.status == "CREATING":
        raise ResourceInUseException(f"Attempt to change a resource which is still in use: Table is being "
                                     f"created: {meta.name}")
    if meta.deletion_protection:
        raise ValidationException("Resource cannot be deleted as it is currently protected against deletion. "
                                  "Disable deletion protection first.")
    description = describe_table(engine, meta, status="DELETING")
    for hook in TABLE_DELETED_HOOKS:
        hook(engine, meta)
    engine.catalog.remove(meta)
    engine.stats.forget(meta.tid)
    return {"TableDescription": description}


UPDATING_CHANGES = ("ProvisionedThroughput", "BillingMode", "StreamSpecification", "TableClass", "SSESpecification",
                    "OnDemandThroughput")


def _update_throughput(obj: Any, pt: dict, now: float, what: str) -> None:
    throughput_changes.apply_change(obj, int(pt["ReadCapacityUnits"]), int(pt["WriteCapacityUnits"]), now)


def update_table(req: dict, ctx: RequestContext) -> dict:
    engine = ctx.engine
    meta = table_named(ctx, req["TableName"])
    now = engine.clock.now()
    changes = [k for k in ("ProvisionedThroughput", "BillingMode", "StreamSpecification",
                           "GlobalSecondaryIndexUpdates", "SSESpecification", "ReplicaUpdates",
                           "DeletionProtectionEnabled", "TableClass", "OnDemandThroughput",
                           "AttributeDefinitions") if req.get(k) is not None]
    if not changes:
        raise ValidationException("At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
                                  "GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required")
    if meta.status != "ACTIVE":
        raise ResourceInUseException(f"Attempt to change a resource which is still in use: Table is being "
                                     f"{meta.status.lower()}: {meta.name}")
    billing = req.get("BillingMode") or meta.billing_mode
    pt = req.get("ProvisionedThroughput")
    if billing == "PAY_PER_REQUEST" and pt is not None:
        raise ValidationException(f"{INVALID}Neither ReadCapacityUnits nor WriteCapacityUnits can be "
                                  "specified when BillingMode is PAY_PER_REQUEST")
    if billing == "PROVISIONED" and meta.billing_mode == "PAY_PER_REQUEST" and pt is None:
        raise ValidationException("One or more parameter values were invalid: ProvisionedThroughput must be "
                                  "specified when BillingMode is PROVISIONED")
    throughput_changes.check_update_request(meta, req, engine.region, now)
    new_gsis: list[IndexMeta] = []
    dropped: list[str] = []
    gsi_updates = req.get("GlobalSecondaryIndexUpdates") or []
    creates = [u for u in gsi_updates if u.get("Create")]
    deletes = [u for u in gsi_updates if u.get("Delete")]
    if len(creates) + len(deletes) > 1:
        raise LimitExceededException("Subscriber limit exceeded: Only 1 online index can be created or "
                                     "deleted simultaneously per table")
    if billing != meta.billing_mode:
        meta.billing_mode = billing
        meta.billing_mode_changed = now
        if billing == "PAY_PER_REQUEST":
            meta.read_capacity = meta.write_capacity = 0
            for index in meta.gsis:
                index.read_capacity = index.write_capacity = 0
    if pt is not None:
        if (int(pt["ReadCapacityUnits"]), int(pt["WriteCapacityUnits"])) == (meta.read_capacity, meta.write_capacity) \
                and len(changes) == 1:
            raise ValidationException(
                "The provisioned throughput for the table will not change. The requested value equals the "
                f"current value. Current ReadCapacityUnits provisioned for the table: {meta.read_capacity}. "
                f"Requested ReadCapacityUnits: {pt['ReadCapacityUnits']}. Current WriteCapacityUnits "
                f"provisioned for the table: {meta.write_capacity}. Requested WriteCapacityUnits: "
                f"{pt['WriteCapacityUnits']}. Refer to the Amazon DynamoDB Developer Guide for current "
                "limits and how to request higher limits.")
        _update_throughput(meta, pt, now, "table")
    defs = {d["AttributeName"]: d["AttributeType"] for d in meta.attribute_definitions}
    for d in req.get("AttributeDefinitions") or []:
        defs[d["AttributeName"]] = d["AttributeType"]
    for update in gsi_updates:
        if update.get("Update"):
            spec = update["Update"]
            index = meta.index(spec["IndexName"])
            if index is None or index.kind != "GSI":
                raise ResourceNotFoundException_index(meta.name, spec["IndexName"])
            if spec.get("ProvisionedThroughput"):
                if billing == "PAY_PER_REQUEST":
                    raise ValidationException(f"{INVALID}Neither ReadCapacityUnits nor WriteCapacityUnits can "
                                              "be specified when BillingMode is PAY_PER_REQUEST")
                _update_throughput(index, spec["ProvisionedThroughput"], now, index.name)
            if spec.get("OnDemandThroughput"):
                index.extras["on_demand_throughput"] = spec["OnDemandThroughput"]
        elif update.get("Create"):
            spec = update["Create"]
            if meta.index(spec["IndexName"]) is not None:
                raise ResourceInUseException(f"Attempt to change a resource which is still in use: "
                                             f"Index already exists: {spec['IndexName']}")
            if len(meta.gsis) >= MAX_GSIS:
                raise LimitExceededException(f"GSI count exceeds max: {MAX_GSIS}")
            used: set[str] = set()
            index = _new_index(engine, spec, "GSI", defs, used, billing, now)
            missing = sorted(n for n in used if n not in defs)
            if missing:
                raise ValidationException(
                    f"{INVALID}Some index key attributes are not defined in AttributeDefinitions. Keys: "
                    f"[{', '.join(missing)}], AttributeDefinitions: [{', '.join(defs)}]")
            for attr in [index.hash] + ([index.range] if index.range else []):
                attr.type = defs[attr.name]
            new_gsis.append(index)
        elif update.get("Delete"):
            index_name = update["Delete"]["IndexName"]
            index = meta.index(index_name)
            if index is None or index.kind != "GSI":
                raise ResourceNotFoundException_index(meta.name, index_name)
            dropped.append(index_name)
    if billing == "PROVISIONED":
        for index in meta.gsis:
            if index.name not in dropped and not index.read_capacity and not index.write_capacity \
                    and meta.billing_mode_changed == now:
                raise ValidationException(f"{INVALID}ProvisionedThroughput should not be null for index: {index.name}")
    if req.get("StreamSpecification") is not None:
        spec = req["StreamSpecification"]
        if spec.get("StreamEnabled") and meta.stream_enabled:
            raise ValidationException(f"Table already has an enabled stream: TableName: {meta.name}")
        if not spec.get("StreamEnabled") and not meta.stream_enabled:
            raise ValidationException(f"Table has no stream to disable: TableName: {meta.name}")
        _apply_stream(meta, spec, now)
    _apply_sse(engine, meta, req.get("SSESpecification"))
    if req.get("DeletionProtectionEnabled") is not None:
        meta.deletion_protection = bool(req["DeletionProtectionEnabled"])
    if req.get("TableClass"):
        meta.table_class = req["TableClass"]
    od = req.get("OnDemandThroughput")
    if od:
        meta.on_demand_max_read = od.get("MaxReadRequestUnits", meta.on_demand_max_read)
        meta.on_demand_max_write = od.get("MaxWriteRequestUnits", meta.on_demand_max_write)
    used_names = set(meta.key_names())
    for index in meta.indexes + new_gsis:
        if index.name not in dropped:
            used_names.update(index.key_names())
    meta.attribute_definitions = [{"AttributeName": n, "AttributeType": t} for n, t in defs.items()
                                  if n in used_names]
    with engine.storage.transaction():
        engine.catalog.save(meta)
        for name in dropped:
            indexes.drop_index(engine, meta, name)
        for index in new_gsis:
            indexes.add_index(engine, meta, index)
        for hook in TABLE_UPDATED_HOOKS:  # inside: no write can slip between the change and its hooks
            hook(engine, meta, req)
    # DynamoDB answers UPDATING for changes it works on; here they are done, so DescribeTable says ACTIVE.
    works = new_gsis or dropped or any(req.get(k) is not None for k in UPDATING_CHANGES)
    description = describe_table(engine, meta, status="UPDATING" if works else None)
    created = {index.name for index in new_gsis}
    for gsi in description.get("GlobalSecondaryIndexes", []):
        if gsi["IndexName"] in created:  # the response reflects the request's moment, as in AWS
            gsi["IndexStatus"] = "CREATING"
            gsi["Backfilling"] = True
    return {"TableDescription": description}


TABLE_UPDATED_HOOKS: list = []


def ResourceNotFoundException_index(table: str, index: str) -> Exception:  # noqa: N802
    from jobtable.engine.errors import ResourceNotFoundException

    return ResourceNotFoundException(f"Requested resource not found: Index: {index} not found for table: {table}")


def describe_limits(req: dict, ctx: RequestContext) -> dict:
    return {"AccountMaxReadCapacityUnits": ACCOUNT_MAX_CAPACITY, "AccountMaxWriteCapacityUnits": ACCOUNT_MAX_CAPACITY,
            "TableMaxReadCapacityUnits": TABLE_MAX_CAPACITY, "TableMaxWriteCapacityUnits": TABLE_MAX_CAPACITY}


def describe_endpoints(req: dict, ctx: RequestContext) -> dict:
    address = ctx.host or f"dynamodb.{ctx.engine.region}.amazonaws.com"
    return {"Endpoints": [{"Address": address, "CachePeriodInMinutes": 1440}]}


OPERATIONS = {
    "CreateTable": create_table,
    "DescribeTable": describe,
    "ListTables": list_tables,
    "DeleteTable": delete_table,
    "UpdateTable": update_table,
    "DescribeLimits": describe_limits,
    "DescribeEndpoints": describe_endpoints,
}
