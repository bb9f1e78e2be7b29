"""ImportTable from the local export root into a new table: DynamoDB JSON (an export's data
files, or any such lines) and CSV, plain or gzip-compressed.

Every object under the S3 key prefix is read (S3 prefix semantics); an export's own
bookkeeping files (`_started`, manifests, checksums) are skipped, so pointing the prefix
at an export directory imports its data. Lines that do not parse, lack the table's keys,
hold invalid values or exceed 400 KB are skipped and counted in ErrorCount, as DynamoDB
does (it logs them to CloudWatch; jobtable logs the first ones). A later line with the
same key replaces an earlier one. The table is CREATING while the import runs, ACTIVE
once it is COMPLETED; an import whose source has no objects FAILS and leaves no table.
"""
from __future__ import annotations

import csv
import gzip
import logging
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterator

import orjson

from jobtable.engine.bulkload import CHUNK, clear_table, load_items
from jobtable.engine.catalog import TableMeta
from jobtable.engine.errors import DynamoError, ImportNotFoundException
from jobtable.engine.items import check_item_keys
from jobtable.engine.records import Registry
from jobtable.engine.s3local import list_keys, object_path
from jobtable.engine.values import check_item_size, validate_item
from jobtable.engine.writes import check_index_keys

if TYPE_CHECKING:
    from jobtable.engine.engine import Engine

SKIPPED_NAMES = ("_started", "manifest-summary.json", "manifest-files.json", "manifest-summary.md5",
                 "manifest-files.md5")
log = logging.getLogger("jobtable.engine")


@dataclass
class Import:
    arn: str
    table_name: str
    table_arn: str
    table_id: str
    bucket: str
    prefix: str | None
    input_format: str                       # DYNAMODB_JSON | CSV
    compression: str                        # GZIP | NONE
    start: float
    creation_parameters: dict[str, Any]
    bucket_owner: str | None = None
    format_options: dict[str, Any] | None = None
    client_token: str | None = None
    status: str = "IN_PROGRESS"
    end: float | None = None
    processed_items: int = 0
    processed_bytes: int = 0
    imported_items: int = 0
    error_count: int = 0
    failure_code: str | None = None
    failure_message: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


REGISTRY: Registry[Import] = Registry("jt_imports", Import,
                                   lambda arn: ImportNotFoundException(f"Import not found: {arn}"))
create_storage = REGISTRY.create_storage
_save = REGISTRY.save
get = REGISTRY.get
all_imports = REGISTRY.all


def begin(engine: "Engine", meta: TableMeta, record: Import) -> Import:
    """Record an import into the freshly built, not yet stored table `meta` (made CREATING)."""
    now = engine.clock.now()
    record.arn = f"{meta.arn}/import/{int(now * 1000):014d}-{secrets.token_hex(4)}"
    record.start = now
    record.table_arn, record.table_id = meta.arn, meta.table_id
    meta.status = "CREATING"
    for index in meta.gsis:
        index.status = "CREATING"
    meta.extras["import"] = {"arn": record.arn}
    _save(engine, record)
    engine.wake()
    return record


# -- reading sources ----------------------------------------------------------------------
def _source_keys(engine: "Engine", record: Import) -> list[str]:
    return [k for k in list_keys(engine, record.bucket, record.prefix)
            if k.rsplit("/", 1)[-1] not in SKIPPED_NAMES and not k.endswith(".checksum")]


def _records(path: str, record: Import, delimiter: str) -> Iterator[tuple[Any, int]]:
    """(payload, bytes read) per record: a raw line for DynamoDB JSON, a parsed row for CSV."""
    opener = gzip.open if record.compression == "GZIP" else open
    if record.input_format != "CSV":
        with opener(path, "rb") as f:
            for line in f:
                yield line, len(line)
        return
    with opener(path, "rt", encoding="utf-8", newline="") as text:
        for row in csv.reader(text, delimiter=delimiter):  # quoted fields may span lines
            yield row, len(delimiter.join(row).encode("utf-8")) + 1


class _LineParser:
    """Turns one input line into a valid item for `meta`, or raises (counted as an error)."""

    def __init__(self, meta: TableMeta, record: Import) -> None:
        self.meta = meta
        self.csv = record.input_format == "CSV"
        options = (record.format_options or {}).get("Csv") or {}
        self.delimiter = options.get("Delimiter") or ","
        self.header: list[str] | None = list(options["HeaderList"]) if options.get("HeaderList") else None
        self.header_from_file = self.header is None
        types = {d["AttributeName"]: d["AttributeType"] for d in meta.attribute_definitions}
        self.key_types = types

    def new_file(self) -> None:
        if self.header_from_file:
            self.header = None

    def parse(self, payload: Any) -> tuple[dict, int] | None:
        """The item in this record and its size (None for a CSV header or a blank line)."""
        if not self.csv:
            if not payload.strip():
                return None
            data = orjson.loads(payload)
            if not isinstance(data, dict) or not isinstance(data.get("Item"), dict):
                raise ValueError("line is not a DynamoDB JSON object with an Item")
            item = data["Item"]
        else:
            row = payload
            if not row:
                return None
            if self.header is None:
                self.header = row
                return None
            if len(row) != len(self.header):
                raise ValueError(f"CSV row has {len(row)} fields, the header has {len(self.header)}")
            item = {name: {self.key_types.get(name, "S"): value} for name, value in zip(self.header, row)
                    if value != "" or name in self.key_types}
        item = validate_item(item)
        check_item_keys(self.meta, item)
        check_index_keys(self.meta, item)
        return item, check_item_size(item)


class _ImportJob:
    def __init__(self, engine: "Engine", record: Import, meta: TableMeta) -> None:
        self.engine = engine
        self.record = record
        self.meta = meta
        self.keys = _source_keys(engine, record)
        self.parser = _LineParser(meta, record)
        self._records: Iterator[tuple[Any, int]] | None = None
        self._next_file = 0
        self._taken = 0  # items the current step has handed to the loader

    def _next_record(self) -> tuple[Any, int] | None:
        while True:
            if self._records is None:
                if self._next_file >= len(self.keys):
                    return None
                key = self.keys[self._next_file]
                self._next_file += 1
                path = object_path(self.engine, self.record.bucket, key)
                self._records = _records(path, self.record, self.parser.delimiter)
                self.parser.new_file()
            found = next(self._records, None)
            if found is not None:
                return found
            self._records = None

    def step(self) -> bool:
        """Import up to CHUNK lines; True when every source object has been read."""
        self._taken = 0
        load_items(self.engine, self.meta, self._next_items(), may_repeat=True)
        self.record.imported_items += self._taken
        return self._taken < CHUNK and self._records is None and self._next_file >= len(self.keys)

    def _next_items(self) -> Iterator[tuple[dict, bytes, int]]:
        """Up to CHUNK valid (item, document, size) triples, counting skipped lines in the record.

        A generator, so the bulk loader turns each item into rows before the next is parsed.
        """
        record = self.record
        while self._taken < CHUNK:
            try:
                found = self._next_record()
            except (UnicodeDecodeError, csv.Error, EOFError, gzip.BadGzipFile) as exc:
                record.error_count += 1  # an unreadable object: count it and go on with the next one
                log.warning("import %s: skipped the rest of an object: %s", record.arn, exc)
                self._records = None
                continue
            if found is None:
                return
            payload, size = found
            record.processed_bytes += size
            try:
                parsed = self.parser.parse(payload)
            except (DynamoError, ValueError) as exc:
                record.processed_items += 1
                record.error_count += 1
                if record.error_count <= 10:
                    log.warning("import %s: skipped a line: %s", record.arn, getattr(exc, "message", exc))
                continue
            if parsed is None:
                continue
            record.processed_items += 1
            self._taken += 1
            item, size = parsed
            yield item, orjson.dumps(item), size


def import_step(engine: "Engine") -> bool:
    """Advance every import in progress; True while work remains."""
    jobs: dict[str, _ImportJob] = engine.extensions.setdefault("import_jobs", {})
    busy = False
    for record in all_imports(engine):
        if record.status != "IN_PROGRESS":
            continue
        meta = engine.catalog.get(record.table_name)
        if meta is None or meta.arn != record.table_arn or meta.extras.get("import", {}).get("arn") != record.arn:
            jobs.pop(record.arn, None)
            _fail(engine, record, None, "ResourceNotFound", "The target table was deleted during the import")
            continue
        job = jobs.get(record.arn)
        try:
            if job is None:  # new, or interrupted by a restart: (re)start from the first object
                clear_table(engine, meta)
                record.processed_items = record.processed_bytes = record.imported_items = record.error_count = 0
                job = jobs[record.arn] = _ImportJob(engine, record, meta)
                if not job.keys:
                    jobs.pop(record.arn)
                    _fail(engine, record, meta, "S3NoSuchKey",
                          f"No objects found in bucket {record.bucket} under prefix {record.prefix or ''}")
                    continue
            record = job.record
            done = job.step()
        except OSError as exc:
            jobs.pop(record.arn, None)
            _fail(engine, record, meta, "S3AccessDenied", f"Could not read the import source: {exc}")
            continue
        if done:
            jobs.pop(record.arn)
            _complete(engine, record, meta)
        else:
            _save(engine, job.record)
            busy = True
    return busy


def _complete(engine: "Engine", record: Import, meta: TableMeta) -> None:
    record.status = "COMPLETED"
    record.end = engine.clock.now()
    with engine.storage.transaction():
        meta.status = "ACTIVE"
        for index in meta.gsis:
            index.status = "ACTIVE"
        engine.catalog.save(meta)
        _save(engine, record)


def _fail(engine: "Engine", record: Import, meta: TableMeta | None, code: str, message: str) -> None:
    record.status = "FAILED"
    record.end = engine.clock.now()
    record.failure_code, record.failure_message = code, message
    if meta is not None:
        engine.catalog.remove(meta)
        engine.stats.forget(meta.tid)
    _save(engine, record)
