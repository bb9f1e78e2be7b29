"""Export and import: ExportTableToPointInTime, DescribeExport, ListExports, ImportTable,
DescribeImport, ListImports. The S3 bucket is a directory under the server's export root
(engine/s3local.py)."""
from __future__ import annotations

from typing import Any

from jobtable.api.ops import tables
from jobtable.api.ops.restoring import table_by_name_or_arn
from jobtable.api.protocol import RequestContext
from jobtable.engine import exports, imports, pitr
from jobtable.engine.errors import (PointInTimeRecoveryUnavailableException, ResourceInUseException,
                                    ValidationException)
from jobtable.engine.exports import Export, InvalidExportTimeException
from jobtable.engine.imports import Import
from jobtable.engine.recovery import job_lock
from jobtable.engine.snapshots import current_seq

MIN_INCREMENTAL_SECONDS = 15 * 60
MAX_INCREMENTAL_SECONDS = 24 * 3600
DEFAULT_PAGE = 25


def export_description(export: Export) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ExportArn": export.arn, "ExportStatus": export.status, "StartTime": export.start,
        "TableArn": export.table_arn, "TableId": export.table_id, "ExportTime": export.export_time,
        "S3Bucket": export.bucket, "S3SseAlgorithm": export.sse_algorithm or "AES256",
        "ExportFormat": export.export_format, "ExportType": export.export_type,
    }
    optional = {"EndTime": export.end, "ClientToken": export.client_token, "S3Prefix": export.prefix,
                "S3BucketOwner": export.bucket_owner, "S3SseKmsKeyId": export.sse_kms_key_id,
                "FailureCode": export.failure_code, "FailureMessage": export.failure_message}
    out.update({k: v for k, v in optional.items() if v is not None})
    if export.status == "COMPLETED":
        out.update({"ExportManifest": export.manifest_key, "ItemCount": export.item_count,
                    "BilledSizeBytes": export.billed_size})
    if export.incremental:
        out["IncrementalExportSpecification"] = {
            "ExportFromTime": export.incremental["from"], "ExportToTime": export.incremental["to"],
            "ExportViewType": export.incremental.get("view", "NEW_AND_OLD_IMAGES")}
    return out


def _export_times(engine: Any, req: dict, source: pitr.PitrSource) -> tuple[float, dict[str, Any] | None]:
    earliest, latest = pitr.window(engine, source)
    if (req.get("ExportType") or "FULL_EXPORT") == "FULL_EXPORT":
        if req.get("IncrementalExportSpecification"):
            raise ValidationException("IncrementalExportSpecification can only be specified for INCREMENTAL_EXPORT")
        at = float(req["ExportTime"]) if req.get("ExportTime") is not None else latest
        if not earliest <= at <= latest:
            raise InvalidExportTimeException("Export time must be within the point in time recovery window of the "
                                             "table: between EarliestRestorableDateTime and LatestRestorableDateTime")
        return at, None
    spec = req.get("IncrementalExportSpecification") or {}
    if spec.get("ExportFromTime") is None:
        raise ValidationException("ExportFromTime must be specified for INCREMENTAL_EXPORT")
    since = float(spec["ExportFromTime"])
    until = float(spec["ExportToTime"]) if spec.get("ExportToTime") is not None else latest
    if until <= since:
        raise ValidationException("ExportToTime must be later than ExportFromTime")
    if not MIN_INCREMENTAL_SECONDS <= until - since <= MAX_INCREMENTAL_SECONDS:
        raise ValidationException("The incremental export period must be at least 15 minutes and at most 24 hours")
    if since < earliest or until > latest:
        raise InvalidExportTimeException("The incremental export period must lie within the point in time recovery "
                                         "window of the table")
    return until, {"from": since, "to": until, "view": spec.get("ExportViewType") or "NEW_AND_OLD_IMAGES"}


def export_table(req: dict, ctx: RequestContext) -> dict:
    engine = ctx.engine
    meta = table_by_name_or_arn(engine, req["TableArn"])
    token = req.get("ClientToken")
    if token:
        for existing in exports.all_exports(engine, meta.arn):
            if existing.client_token == token:  # a retried request: the same export
                return {"ExportDescription": export_description(existing)}
    source = pitr.live_source(meta)
    if source is None:
        raise PointInTimeRecoveryUnavailableException(
            f"Point in time recovery is not enabled for table '{meta.name}'")
    if (req.get("ExportFormat") or "DYNAMODB_JSON") != "DYNAMODB_JSON":
        raise ValidationException("ExportFormat ION is not supported by jobtable; use DYNAMODB_JSON")
    at, incremental = _export_times(engine, req, source)
    with engine.storage.read() as c:
        max_seq = current_seq(c, source.log_table)
    export = Export(arn="", table_arn=meta.arn, table_id=meta.table_id, table_name=meta.name,
                    export_type=req.get("ExportType") or "FULL_EXPORT", export_time=at, bucket=req["S3Bucket"],
                    prefix=req.get("S3Prefix"), start=0.0, client_token=token,
                    bucket_owner=req.get("S3BucketOwner"), sse_algorithm=req.get("S3SseAlgorithm"),
                    sse_kms_key_id=req.get("S3SseKmsKeyId"), incremental=incremental)
    export = exports.start(engine, source, export, max_seq)
    return {"ExportDescription": export_description(export)}


def describe_export(req: dict, ctx: RequestContext) -> dict:
    return {"ExportDescription": export_description(exports.get(ctx.engine, req["ExportArn"]))}


def _page(items: list, req: dict, size_key: str, token_key: str) -> tuple[list, str | None]:
    start = int(req[token_key]) if str(req.get(token_key) or "").isdigit() else 0
    size = req.get(size_key) or DEFAULT_PAGE
    page = items[start:start + size]
    return page, (str(start + size) if start + size < len(items) else None)


def list_exports(req: dict, ctx: RequestContext) -> dict:
    found = exports.all_exports(ctx.engine, req.get("TableArn"))
    page, token = _page(found, req, "MaxResults", "NextToken")
    out: dict[str, Any] = {"ExportSummaries": [{"ExportArn": e.arn, "ExportStatus": e.status,
                                                 "ExportType": e.export_type} for e in page]}
    if token:
        out["NextToken"] = token
    return out


def import_description(record: Import) -> dict[str, Any]:
    source = {"S3Bucket": record.bucket}
    if record.prefix:
        source["S3KeyPrefix"] = record.prefix
    if record.bucket_owner:
        source["S3BucketOwner"] = record.bucket_owner
    out: dict[str, Any] = {
        "ImportArn": record.arn, "ImportStatus": record.status, "TableArn": record.table_arn,
        "TableId": record.table_id, "S3BucketSource": source, "ErrorCount": record.error_count,
        "InputFormat": record.input_format, "InputCompressionType": record.compression,
        "TableCreationParameters": record.creation_parameters, "StartTime": record.start,
        "ProcessedSizeBytes": record.processed_bytes, "ProcessedItemCount": record.processed_items,
        "ImportedItemCount": record.imported_items,
    }
    optional = {"ClientToken": record.client_token, "InputFormatOptions": record.format_options,
                "EndTime": record.end, "FailureCode": record.failure_code, "FailureMessage": record.failure_message}
    out.update({k: v for k, v in optional.items() if v is not None})
    return out


def import_table(req: dict, ctx: RequestContext) -> dict:
    engine = ctx.engine
    token = req.get("ClientToken")
    if token:
        for existing in imports.all_imports(engine):
            if existing.client_token == token:
                return {"ImportTableDescription": import_description(existing)}
    params = req["TableCreationParameters"]
    fmt = req["InputFormat"]
    if fmt == "ION":
        raise ValidationException("InputFormat ION is not supported by jobtable; use DYNAMODB_JSON or CSV")
    compression = req.get("InputCompressionType") or "NONE"
    if compression == "ZSTD":
        raise ValidationException("InputCompressionType ZSTD is not supported by jobtable; use GZIP or NONE")
    if req.get("InputFormatOptions") and fmt != "CSV":
        raise ValidationException("InputFormatOptions can only be specified for the CSV input format")
    if engine.catalog.get(params["TableName"]) is not None:
        raise ResourceInUseException(f"Table already exists: {params['TableName']}")
    meta = tables.build_table_meta(engine, params)
    source = req["S3BucketSource"]
    record = Import(arn="", table_name=meta.name, table_arn=meta.arn, table_id=meta.table_id,
                    bucket=source["S3Bucket"], prefix=source.get("S3KeyPrefix"), input_format=fmt,
                    compression=compression, start=0.0, creation_parameters=params,
                    bucket_owner=source.get("S3BucketOwner"), format_options=req.get("InputFormatOptions"),
                    client_token=token)
    with job_lock(engine, "imports"):  # the import step must find the table together with its record
        record = imports.begin(engine, meta, record)
        tables.add_table(engine, meta, params)
    return {"ImportTableDescription": import_description(record)}


def describe_import(req: dict, ctx: RequestContext) -> dict:
    return {"ImportTableDescription": import_description(imports.get(ctx.engine, req["ImportArn"]))}


def list_imports(req: dict, ctx: RequestContext) -> dict:
    found = imports.all_imports(ctx.engine, req.get("TableArn"))
    page, token = _page(found, req, "PageSize", "NextToken")
    out: dict[str, Any] = {"ImportSummaryList": [
        {"ImportArn": r.arn, "ImportStatus": r.status, "TableArn": r.table_arn,
         "S3BucketSource": import_description(r)["S3BucketSource"], "InputFormat": r.input_format,
         "StartTime": r.start, **({"EndTime": r.end} if r.end is not None else {})} for r in page]}
    if token:
        out["NextToken"] = token
    return out


OPERATIONS = {
    "ExportTableToPointInTime": export_table,
    "DescribeExport": describe_export,
    "ListExports": list_exports,
    "ImportTable": import_table,
    "DescribeImport": describe_import,
    "ListImports": list_imports,
}
