"""Point-in-time recovery: UpdateContinuousBackups, DescribeContinuousBackups, RestoreTableToPointInTime."""
from __future__ import annotations

from typing import Any

from jobtable.api.describe import describe_table
from jobtable.api.ops import tables
from jobtable.api.ops.restoring import restored_table_request, table_by_name_or_arn
from jobtable.api.protocol import RequestContext
from jobtable.engine import backups, pitr, restores
from jobtable.engine.catalog import TableMeta
from jobtable.engine.errors import (ContinuousBackupsUnavailableException, InvalidRestoreTimeException,
                                    PointInTimeRecoveryUnavailableException, TableAlreadyExistsException,
                                    TableNotFoundException, ValidationException)
from jobtable.engine.snapshots import current_seq


def continuous_backups_description(engine: Any, meta: TableMeta) -> dict[str, Any]:
    source = pitr.live_source(meta)
    if source is None:
        recovery: dict[str, Any] = {"PointInTimeRecoveryStatus": "DISABLED"}
    else:
        earliest, latest = pitr.window(engine, source)
        recovery = {"PointInTimeRecoveryStatus": "ENABLED", "RecoveryPeriodInDays": source.period_days,
                    "EarliestRestorableDateTime": earliest, "LatestRestorableDateTime": latest}
    return {"ContinuousBackupsStatus": "ENABLED", "PointInTimeRecoveryDescription": recovery}


def update_continuous_backups(req: dict, ctx: RequestContext) -> dict:
    engine = ctx.engine
    meta = table_by_name_or_arn(engine, req["TableName"])
    if meta.status != "ACTIVE":
        raise ContinuousBackupsUnavailableException(
            f"Backups are being enabled for the table: {meta.name}. Please retry later")
    spec = req["PointInTimeRecoverySpecification"]
    days = spec.get("RecoveryPeriodInDays")
    if spec["PointInTimeRecoveryEnabled"]:
        if not pitr.is_enabled(meta):
            pitr.enable(engine, meta, days or pitr.DEFAULT_PERIOD_DAYS)
        elif days is not None and days != meta.extras["pitr"]["recovery_period_days"]:
            pitr.set_period(engine, meta, days)
    else:
        if days is not None:
            raise ValidationException("RecoveryPeriodInDays can only be specified when "
                                      "PointInTimeRecoveryEnabled is true")
        if pitr.is_enabled(meta):
            pitr.disable(engine, meta)
    return {"ContinuousBackupsDescription": continuous_backups_description(engine, meta)}


def describe_continuous_backups(req: dict, ctx: RequestContext) -> dict:
    meta = table_by_name_or_arn(ctx.engine, req["TableName"])
    return {"ContinuousBackupsDescription": continuous_backups_description(ctx.engine, meta)}


def _history(engine: Any, req: dict) -> pitr.PitrSource:
    """The point-in-time history to restore from: a live table, or a deleted one's archive (by ARN)."""
    name, arn = req.get("SourceTableName"), req.get("SourceTableArn")
    if not name and not arn:
        raise ValidationException("Either SourceTableName or SourceTableArn must be specified")
    if name and arn:
        raise ValidationException("Only one of SourceTableName or SourceTableArn can be specified")
    try:
        meta = table_by_name_or_arn(engine, arn or name)
    except TableNotFoundException:
        archived = pitr.archived_source(engine, arn) if arn else None
        if archived is None:
            raise
        return archived
    source = pitr.live_source(meta)
    if source is None:
        raise PointInTimeRecoveryUnavailableException(
            f"Point in time recovery is not enabled for table '{meta.name}'")
    return source


def _restore_time(engine: Any, req: dict, source: pitr.PitrSource) -> float:
    earliest, latest = pitr.window(engine, source)
    if req.get("UseLatestRestorableTime"):
        if req.get("RestoreDateTime") is not None:
            raise ValidationException("Only one of RestoreDateTime or UseLatestRestorableTime can be specified")
        return latest
    if req.get("RestoreDateTime") is None:
        raise ValidationException("Either RestoreDateTime or UseLatestRestorableTime must be specified")
    at = float(req["RestoreDateTime"])
    if not earliest <= at <= latest:
        raise InvalidRestoreTimeException("Invalid restore time specified. RestoreDateTime must be between "
                                          "EarliestRestorableDateTime and LatestRestorableDateTime.")
    return at


def restore_table_to_point_in_time(req: dict, ctx: RequestContext) -> dict:
    engine = ctx.engine
    source = _history(engine, req)
    target = req["TargetTableName"]
    if engine.catalog.get(target) is not None:
        raise TableAlreadyExistsException(f"Table already exists: {target}")
    at = _restore_time(engine, req, source)
    with engine.storage.read() as c:
        max_seq = current_seq(c, source.log_table)
    create = restored_table_request(source.meta, target, req)
    meta = tables.build_table_meta(engine, create)
    restores.begin(engine, meta, restores.pitr_source(source, at, max_seq),
                   {"SourceTableArn": source.arn, "RestoreDateTime": at}, total=None)
    tables.add_table(engine, meta, create)
    restores.started_here(engine, meta)
    return {"TableDescription": describe_table(engine, meta)}


def _keep_history_of_deleted_table(engine: Any, meta: TableMeta) -> None:
    """DeleteTable hook: archive PITR history and take the SYSTEM backup, as DynamoDB does."""
    source = pitr.archive_on_delete(engine, meta)
    if source is not None:
        backups.create_system_backup(engine, source)


tables.TABLE_DELETED_HOOKS.append(_keep_history_of_deleted_table)

OPERATIONS = {
    "UpdateContinuousBackups": update_continuous_backups,
    "DescribeContinuousBackups": describe_continuous_backups,
    "RestoreTableToPointInTime": restore_table_to_point_in_time,
}
