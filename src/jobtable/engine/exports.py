"""ExportTableToPointInTime into a local export root, in the layout DynamoDB writes to S3.

    <prefix>/AWSDynamoDB/<ExportId>/_started
    <prefix>/AWSDynamoDB/<ExportId>/manifest-summary.json (+ .checksum: hex MD5)
    <prefix>/AWSDynamoDB/<ExportId>/manifest-files.json   (+ .checksum: JSON lines, one per data file)
    <prefix>/AWSDynamoDB/<ExportId>/data/<name>.json.gz  (DYNAMODB_JSON lines)

A FULL_EXPORT writes the table as it was at ExportTime, read from the PITR baseline and
change log (pitr.PointInTimeReader) — the live table is not scanned, as in DynamoDB. An
INCREMENTAL_EXPORT writes, for every key changed in [ExportFromTime, ExportToTime), one
line with its image before the period (OldImage) and after it (NewImage), straight from
the change log. Exports run in the background: IN_PROGRESS, then COMPLETED (or FAILED).
"""
from __future__ import annotations

import base64
import gzip
import hashlib
import os
import secrets
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson

from jobtable.engine import pitr
from jobtable.engine.errors import DynamoError, ExportNotFoundException
from jobtable.engine.records import Registry
from jobtable.engine.s3local import join_key, object_path
from jobtable.engine.snapshots import hold_log, release_log
from jobtable.engine.values import item_size

if TYPE_CHECKING:
    from jobtable.engine.engine import Engine

CHUNK = 5000
ITEMS_PER_DATA_FILE = 100_000
MANIFEST_VERSION = "2020-06-30"


class InvalidExportTimeException(DynamoError):
    """The export time is outside the table's point-in-time recovery window."""


@dataclass
class Export:
    arn: str
    table_arn: str
    table_id: str
    table_name: str
    export_type: str                 # FULL_EXPORT | INCREMENTAL_EXPORT
    export_time: float               # FULL: the second exported; INCREMENTAL: ExportToTime
    bucket: str
    prefix: str | None
    start: float
    status: str = "IN_PROGRESS"
    end: float | None = None
    client_token: str | None = None
    bucket_owner: str | None = None
    sse_algorithm: str | None = None
    sse_kms_key_id: str | None = None
    export_format: str = "DYNAMODB_JSON"
    incremental: dict[str, Any] | None = None   # {"from": s, "to": s, "view": NEW_IMAGE|NEW_AND_OLD_IMAGES}
    item_count: int = 0
    billed_size: int = 0
    failure_code: str | None = None
    failure_message: str | None = None
    source: dict[str, Any] = field(default_factory=dict)  # {"tid", "max_seq"} of the history read

    @property
    def export_id(self) -> str:
        return self.arn.rsplit("/", 1)[-1]

    @property
    def directory_key(self) -> str:
        return join_key(self.prefix, "AWSDynamoDB", self.export_id)

    @property
    def manifest_key(self) -> str:
        return join_key(self.directory_key, "manifest-summary.json")


REGISTRY: Registry[Export] = Registry("jt_exports", Export,
                                   lambda arn: ExportNotFoundException(f"Export not found: {arn}"))
create_storage = REGISTRY.create_storage
_save = REGISTRY.save
get = REGISTRY.get
all_exports = REGISTRY.all
_fail = REGISTRY.fail


def start(engine: "Engine", source: "pitr.PitrSource", export: Export, max_seq: int) -> Export:
    """Record an export IN_PROGRESS and open its reader (holding the log) before returning."""
    now = engine.clock.now()
    export.arn = f"{source.arn}/export/{int(now * 1000):014d}-{secrets.token_hex(4)}"
    export.start = now
    export.source = {"tid": source.tid, "max_seq": max_seq}
    from jobtable.engine.recovery import job_lock

    with job_lock(engine, "exports"):  # the background step must never see it without its job
        _save(engine, export)
        engine.extensions.setdefault("export_jobs", {})[export.arn] = _ExportJob(engine, export, source)
    engine.wake()
    return export


def _data_file_name() -> str:
    return base64.b32encode(secrets.token_bytes(16)).decode().lower().rstrip("=") + ".json.gz"


class _DataFiles:
    """Gzip data files of at most ITEMS_PER_DATA_FILE lines, with their manifest entries."""

    def __init__(self, engine: "Engine", export: Export) -> None:
        self.engine = engine
        self.export = export
        self.entries: list[dict[str, Any]] = []
        self._file: Any = None
        self._key = ""
        self._count = 0

    def write(self, lines: list[bytes]) -> None:
        for line in lines:
            if self._file is None:
                self._key = join_key(self.export.directory_key, "data", _data_file_name())
                self._file = gzip.open(object_path(self.engine, self.export.bucket, self._key), "wb", compresslevel=6)
                self._count = 0
            self._file.write(line)
            self._count += 1
            if self._count >= ITEMS_PER_DATA_FILE:
                self._close_file()

    def _close_file(self) -> None:
        self._file.close()
        self._file = None
        with open(object_path(self.engine, self.export.bucket, self._key), "rb") as f:
            digest = hashlib.md5(f.read(), usedforsecurity=False).digest()
        self.entries.append({"itemCount": self._count, "md5Checksum": base64.b64encode(digest).decode(),
                             "etag": digest.hex(), "dataFileS3Key": self._key})

    def close(self) -> list[dict[str, Any]]:
        if self._file is not None:
            self._close_file()
        return self.entries


class _ExportJob:
    def __init__(self, engine: "Engine", export: Export, source: "pitr.PitrSource") -> None:
        self.engine = engine
        self.export = export
        self.source = source
        os.makedirs(object_path(engine, export.bucket, join_key(export.directory_key, "data")), exist_ok=True)
        open(object_path(engine, export.bucket, join_key(export.directory_key, "_started")), "wb").close()
        self.files = _DataFiles(engine, export)
        max_seq = export.source["max_seq"]
        if export.export_type == "FULL_EXPORT":
            self.reader: Any = pitr.PointInTimeReader(engine, source, export.export_time, max_seq)
            self._hold = None
        else:
            self.reader = None
            self._hold = hold_log(engine, source.tid, source.base_seq, source.base_at)

    def step(self) -> bool:
        """Write one chunk (FULL) or the whole change set (INCREMENTAL); True when finished."""
        if self.reader is not None:
            rows = self.reader.next_chunk(CHUNK)
            if rows is not None:
                self.files.write([b'{"Item":' + doc + b"}\n" for _pk, _sk, doc, _size in rows])
                self.export.item_count += len(rows)
                self.export.billed_size += sum(size for *_rest, size in rows)
                return False
        else:
            self._write_changes()
        self._finish()
        return True

    def _write_changes(self) -> None:
        spec, meta = self.export.incremental or {}, self.source.meta
        changes = changes_between(self.engine, self.source, spec["from"], spec["to"], self.export.source["max_seq"])
        lines = []
        for old, new, at in changes.values():
            image = new if new is not None else old
            record: dict[str, Any] = {"Metadata": {"WriteTimestampMicros": {"N": str(int(round(at * 1_000_000)))}}}
            if image is not None:
                record["Keys"] = {name: image[name] for name in meta.key_names() if name in image}
            if new is not None:
                record["NewImage"] = new
            if old is not None and spec.get("view", "NEW_AND_OLD_IMAGES") == "NEW_AND_OLD_IMAGES":
                record["OldImage"] = old
            lines.append(orjson.dumps(record) + b"\n")
            self.export.billed_size += item_size(new or old or {})
        self.files.write(lines)
        self.export.item_count = len(lines)
        release_log(self.engine, self._hold)
        self._hold = None

    def _finish(self) -> None:
        export, engine = self.export, self.engine
        entries = self.files.close()
        export.status = "COMPLETED"
        export.end = engine.clock.now()
        files_body = b"".join(orjson.dumps(e) + b"\n" for e in entries)
        files_key = join_key(export.directory_key, "manifest-files.json")
        summary = {"version": MANIFEST_VERSION, "exportArn": export.arn, "startTime": _iso(export.start),
                   "endTime": _iso(export.end), "tableArn": export.table_arn, "tableId": export.table_id,
                   "exportTime": _iso(export.export_time), "s3Bucket": export.bucket, "s3Prefix": export.prefix,
                   "s3SseAlgorithm": export.sse_algorithm or "AES256", "s3SseKmsKeyId": export.sse_kms_key_id,
                   "manifestFilesS3Key": files_key, "billedSizeBytes": export.billed_size,
                   "itemCount": export.item_count, "outputFormat": export.export_format,
                   "exportType": export.export_type}
        if export.incremental:
            summary.update({"exportFromTime": _iso(export.incremental["from"]),
                            "exportToTime": _iso(export.incremental["to"]),
                            "exportViewType": export.incremental.get("view", "NEW_AND_OLD_IMAGES")})
        summary_body = orjson.dumps(summary, option=orjson.OPT_INDENT_2)
        for key, body in ((files_key, files_body), (export.manifest_key, summary_body)):
            with open(object_path(engine, export.bucket, key), "wb") as f:
                f.write(body)
            with open(object_path(engine, export.bucket, key[:-len(".json")] + ".checksum"), "w") as f:
                f.write(hashlib.md5(body, usedforsecurity=False).hexdigest())
        _save(engine, export)

    def close(self) -> None:
        if self.reader is not None:
            self.reader.close()
        release_log(self.engine, self._hold)


def changes_between(engine: "Engine", source: "pitr.PitrSource", since: float, until: float,
                    max_seq: int) -> dict[tuple[bytes, bytes], tuple[dict | None, dict | None, float]]:
    """key -> (image before `since`, image at the end of [since, until), time of its last change)."""
    found: dict[tuple[bytes, bytes], list[Any]] = {}
    last = source.base_seq
    while last < max_seq:
        with engine.storage.read() as c:
            rows = c.execute(f"SELECT seq, at, pk, sk, old, new FROM {source.log_table} WHERE seq > ? AND seq <= ?"
                             " ORDER BY seq LIMIT 20000", (last, max_seq)).fetchall()
        if not rows:
            break
        for _seq, at, pk, sk, old, new in rows:
            if since <= at < until:
                entry = found.get((pk, sk))
                if entry is None:
                    found[(pk, sk)] = [old, new, at]
                else:
                    entry[1], entry[2] = new, at
        last = rows[-1][0]
    def image(doc: bytes | None) -> dict | None:
        return orjson.loads(engine.sealer.open(doc)) if doc is not None else None

    return {key: (image(old), image(new), at) for key, (old, new, at) in found.items()}


def _iso(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch)) + f".{int(round((epoch % 1) * 1000)) % 1000:03d}Z"


def export_step(engine: "Engine") -> bool:
    """Advance every export in progress; an export found unfinished after a restart is FAILED."""
    jobs: dict[str, _ExportJob] = engine.extensions.setdefault("export_jobs", {})
    busy = False
    for export in REGISTRY.in_progress(engine):
        job = jobs.get(export.arn)
        if job is None:
            _fail(engine, export, "InternalServerError", "The export was interrupted by a restart; export again")
            continue
        try:
            done = job.step()
        except OSError as exc:
            jobs.pop(export.arn).close()
            _fail(engine, export, "S3AccessDenied", f"Could not write to the export location: {exc}")
            continue
        if done:
            jobs.pop(export.arn).close()
        else:
            busy = True
    return busy
