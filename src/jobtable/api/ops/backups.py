"""On-demand backups: CreateBackup, DescribeBackup, ListBackups, DeleteBackup, RestoreTableFromBackup."""
from __future__ import annotations

from typing import Any

from jobtable.api.describe import describe_table, key_schema, projection
from jobtable.api.ops.restoring import restored_table_request, table_by_name_or_arn
from jobtable.api.ops.tables import add_table, build_table_meta
from jobtable.api.protocol import RequestContext
from jobtable.engine import backups, restores
from jobtable.engine.backups import Backup
from jobtable.engine.catalog import TableMeta
from jobtable.engine.errors import (BackupInUseException, ContinuousBackupsUnavailableException,
                                    TableAlreadyExistsException, TableInUseException)

DEFAULT_LIST_LIMIT = 100


def backup_details(backup: Backup) -> dict[str, Any]:
    out: dict[str, Any] = {"BackupArn": backup.arn, "BackupName": backup.name, "BackupSizeBytes": backup.size,
                           "BackupStatus": backup.status, "BackupType": backup.type,
                           "BackupCreationDateTime": backup.created}
    if backup.expires is not None:
        out["BackupExpiryDateTime"] = backup.expires
    return out


def _source_table_details(backup: Backup) -> dict[str, Any]:
    meta = backup.meta
    out: dict[str, Any] = {
        "TableName": meta.name, "TableId": meta.table_id, "TableArn": meta.arn,
        "TableSizeBytes": backup.size, "ItemCount": backup.items,
        "KeySchema": key_schema(meta.hash.name, meta.range.name if meta.range else None),
        "TableCreationDateTime": meta.created,
        "ProvisionedThroughput": {"ReadCapacityUnits": meta.read_capacity, "WriteCapacityUnits": meta.write_capacity},
        "BillingMode": meta.billing_mode,
    }
    if meta.on_demand_max_read or meta.on_demand_max_write:
        out["OnDemandThroughput"] = {"MaxReadRequestUnits": meta.on_demand_max_read or -1,
                                     "MaxWriteRequestUnits": meta.on_demand_max_write or -1}
    return out


def _feature_details(meta: TableMeta) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if meta.lsis:
        out["LocalSecondaryIndexes"] = [
            {"IndexName": i.name, "KeySchema": key_schema(i.hash.name, i.range.name if i.range else None),
             "Projection": projection(i)} for i in meta.lsis]
    if meta.gsis:
        out["GlobalSecondaryIndexes"] = [
            {"IndexName": i.name, "KeySchema": key_schema(i.hash.name, i.range.name if i.range else None),
             "Projection": projection(i),
             "ProvisionedThroughput": {"ReadCapacityUnits": i.read_capacity, "WriteCapacityUnits": i.write_capacity}}
            for i in meta.gsis]
    if meta.stream_enabled:
        out["StreamDescription"] = {"StreamEnabled": True, "StreamViewType": meta.stream_view_type}
    ttl: dict[str, Any] = {"TimeToLiveStatus": meta.ttl_status}
    if meta.ttl_attribute:
        ttl["AttributeName"] = meta.ttl_attribute
    out["TimeToLiveDescription"] = ttl
    if meta.sse_enabled:
        out["SSEDescription"] = {"Status": "ENABLED", "SSEType": meta.sse_type or "KMS",
                                 "KMSMasterKeyArn": meta.kms_key_arn}
    return out


def backup_description(backup: Backup) -> dict[str, Any]:
    return {"BackupDetails": backup_details(backup), "SourceTableDetails": _source_table_details(backup),
            "SourceTableFeatureDetails": _feature_details(backup.meta)}


def create_backup(req: dict, ctx: RequestContext) -> dict:
    meta = table_by_name_or_arn(ctx.engine, req["TableName"])
    if meta.status == "CREATING":
        raise ContinuousBackupsUnavailableException(
            f"Backups are being enabled for the table: {meta.name}. Please retry later")
    if meta.status != "ACTIVE":
        raise TableInUseException(f"Table is being {meta.status.lower()}: {meta.name}")
    backup = backups.create_backup(ctx.engine, meta, req["BackupName"])
    return {"BackupDetails": backup_details(backup)}


def describe_backup(req: dict, ctx: RequestContext) -> dict:
    return {"BackupDescription": backup_description(backups.get(ctx.engine, req["BackupArn"]))}


def delete_backup(req: dict, ctx: RequestContext) -> dict:
    backup = backups.delete_backup(ctx.engine, req["BackupArn"])
    return {"BackupDescription": backup_description(backup)}


def _summary(backup: Backup) -> dict[str, Any]:
    out = {"TableName": backup.table_name, "TableId": backup.table_id, "TableArn": backup.table_arn}
    return {**out, **backup_details(backup)}


def list_backups(req: dict, ctx: RequestContext) -> dict:
    wanted_type = req.get("BackupType") or "USER"
    table = req.get("TableName")
    lower, upper = req.get("TimeRangeLowerBound"), req.get("TimeRangeUpperBound")
    found = []
    for backup in backups.all_backups(ctx.engine):
        if wanted_type != "ALL" and backup.type != wanted_type:
            continue
        if table is not None and table not in (backup.table_name, backup.table_arn):
            continue
        if lower is not None and backup.created < float(lower):
            continue
        if upper is not None and backup.created >= float(upper):
            continue
        found.append(backup)
    start = req.get("ExclusiveStartBackupArn")
    if start is not None:
        arns = [b.arn for b in found]
        found = found[arns.index(start) + 1:] if start in arns else []
    limit = req.get("Limit") or DEFAULT_LIST_LIMIT
    out: dict[str, Any] = {"BackupSummaries": [_summary(b) for b in found[:limit]]}
    if len(found) > limit:
        out["LastEvaluatedBackupArn"] = found[limit - 1].arn
    return out


def restore_table_from_backup(req: dict, ctx: RequestContext) -> dict:
    engine = ctx.engine
    backup = backups.get(engine, req["BackupArn"])
    if backup.status != "AVAILABLE":
        raise BackupInUseException("There is another ongoing conflicting backup control plane operation on the "
                                   f"table. The backup is either being created, deleted or restored to a table: "
                                   f"{backup.arn}")
    target = req["TargetTableName"]
    if engine.catalog.get(target) is not None:
        raise TableAlreadyExistsException(f"Table already exists: {target}")
    create = restored_table_request(backup.meta, target, req)
    meta = build_table_meta(engine, create)
    restores.begin(engine, meta, restores.backup_source(backup),
                   {"SourceBackupArn": backup.arn, "SourceTableArn": backup.table_arn,
                    "RestoreDateTime": backup.created}, total=backup.items)
    add_table(engine, meta, create)
    restores.started_here(engine, meta)
    return {"TableDescription": describe_table(engine, meta)}


OPERATIONS = {
    "CreateBackup": create_backup,
    "DescribeBackup": describe_backup,
    "DeleteBackup": delete_backup,
    "ListBackups": list_backups,
    "RestoreTableFromBackup": restore_table_from_backup,
}
