"""Copy a table between endpoints, dump it to DynamoDB JSON lines, load it back.

All three share one shape: read pages (parallel Scan segments, or blocks of file lines),
optionally transform each item, write it (BatchWriteItem chunks of 25, or file lines),
then record the page in the checkpoint. Each written item is folded into an
order-independent digest (count + checksum), and the final verification recomputes that
digest from what actually landed (a consistent scan of the target, or a re-read of the file).
"""
from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from jobtable.ops.batch_writes import chunks, write_batch
from jobtable.ops.retry import Backoff, call_with_backoff
from jobtable.ops.checkpoint import Checkpoint
from jobtable.ops.wire import Digest, Item, dump_line, parse_line

Transform = Callable[[Item], "Item | None"]
# Called with the number of items just written, from one thread at a time (copy: after each
# BatchWriteItem; on resume, first with the number already written).
Progress = Callable[[int], None]
LOAD_BLOCK_LINES = 1000  # input lines per checkpoint when loading a file


@dataclass(frozen=True)
class ScanOptions:
    """How the source table is read: segments, page size and an optional server-side filter."""

    segments: int = 4
    page_size: int | None = None  # Scan Limit: smaller pages mean finer-grained checkpoints
    filter_expression: str | None = None
    expression_attribute_values: dict[str, Any] | None = None
    expression_attribute_names: dict[str, str] | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.segments <= 1_000_000:
            raise ValueError("segments must be between 1 and 1000000")

    def params(self, table: str, segment: int) -> dict[str, Any]:
        params: dict[str, Any] = {"TableName": table, "Segment": segment, "TotalSegments": self.segments}
        if self.page_size:
            params["Limit"] = self.page_size
        if self.filter_expression:
            params["FilterExpression"] = self.filter_expression
        if self.expression_attribute_values:
            params["ExpressionAttributeValues"] = self.expression_attribute_values
        if self.expression_attribute_names:
            params["ExpressionAttributeNames"] = self.expression_attribute_names
        return params

    def identity(self) -> dict[str, Any]:
        """The parts that decide which items a job covers (a checkpoint must match them)."""
        return {"segments": self.segments, "filter": self.filter_expression,
                "names": self.expression_attribute_names,
                "values": repr(sorted((self.expression_attribute_values or {}).items()))}


@dataclass(frozen=True)
class Verification:
    expected: Digest
    actual: Digest

    @property
    def ok(self) -> bool:
        return self.expected == self.actual

    def describe(self) -> str:
        if self.ok:
            return f"verified: {self.actual.count} items, checksum {self.actual.checksum[:16]}"
        return (f"MISMATCH: expected {self.expected.count} items (checksum {self.expected.checksum[:16]}), "
                f"found {self.actual.count} (checksum {self.actual.checksum[:16]})")


@dataclass
class TransferReport:
    kind: str
    source: str
    target: str
    scanned: int
    written: int
    resumed: bool
    seconds: float
    checksum: str
    verification: Verification | None = None

    @property
    def skipped(self) -> int:
        return self.scanned - self.written

    def as_dict(self) -> dict[str, Any]:
        out = {k: getattr(self, k) for k in ("kind", "source", "target", "scanned", "written", "skipped",
                                              "resumed", "seconds", "checksum")}
        if self.verification is not None:
            out["verified"] = self.verification.ok
            out["verification"] = self.verification.describe()
        return out


def transform_label(transform: Transform | None) -> str | None:
    if transform is None:
        return None
    return f"{getattr(transform, '__module__', '?')}:{getattr(transform, '__qualname__', repr(transform))}"


def _apply(items: list[Item], transform: Transform | None) -> tuple[list[Item], Digest]:
    out = items if transform is None else [t for t in map(transform, items) if t is not None]
    digest = Digest()
    for item in out:
        digest.add(item)
    return out, digest


@dataclass
class _Run:
    """Shared state of one running job: checkpoint, progress callback, stop flag."""

    checkpoint: Checkpoint
    progress: Progress | None
    backoff: Backoff
    stop: threading.Event = field(default_factory=threading.Event)
    progress_lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.report(self.checkpoint.total().count)

    def record(self, segment: int, scanned: int, digest: Digest, next_key: Item | None,
               before_save: Callable[[], None] | None = None) -> None:
        with self.checkpoint.lock:
            if before_save is not None:
                before_save()
            state = self.checkpoint.segments[segment]
            state.scanned += scanned
            state.digest.merge(digest)
            state.start_key = next_key
            state.done = next_key is None
            self.checkpoint.save()

    def report(self, written: int) -> None:
        """Tell the progress callback (serialized across worker threads)."""
        if self.progress is not None and written:
            with self.progress_lock:
                self.progress(written)


def _scan_pages(client: Any, table: str, options: ScanOptions, run: _Run, segment: int) -> Iterator[tuple[list[Item], Item | None]]:
    state = run.checkpoint.segments[segment]
    while not state.done and not run.stop.is_set():
        params = options.params(table, segment)
        if state.start_key:
            params["ExclusiveStartKey"] = state.start_key
        page = call_with_backoff(client.scan, run.backoff, **params)
        yield page.get("Items", []), page.get("LastEvaluatedKey")


def _in_parallel(count: int, work: Callable[[int], None], run: _Run) -> None:
    """Run work(0..count-1) on threads; the first failure stops the rest and is re-raised."""
    def guarded(n: int) -> None:
        try:
            work(n)
        except BaseException:
            run.stop.set()
            raise

    with ThreadPoolExecutor(max_workers=count, thread_name_prefix="jobtable-transfer") as pool:
        futures = [pool.submit(guarded, n) for n in range(count)]
        try:
            for future in futures:
                future.result()
        except BaseException:
            run.stop.set()
            raise


def table_digest(client: Any, table: str, segments: int = 4, backoff: Backoff | None = None) -> Digest:
    """Count and checksum every item of `table` (parallel, strongly consistent scan)."""
    parts = [Digest() for _ in range(segments)]
    backoff = backoff or Backoff()

    def scan(segment: int) -> None:
        params: dict[str, Any] = {"TableName": table, "Segment": segment, "TotalSegments": segments,
                                  "ConsistentRead": True}
        while True:
            page = call_with_backoff(client.scan, backoff, **params)
            for item in page.get("Items", []):
                parts[segment].add(item)
            if "LastEvaluatedKey" not in page:
                return
            params["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    with ThreadPoolExecutor(max_workers=segments, thread_name_prefix="jobtable-digest") as pool:
        list(pool.map(scan, range(segments)))
    total = Digest()
    for part in parts:
        total.merge(part)
    return total


def file_digest(path: str) -> Digest:
    digest = Digest()
    with open(path, "rb") as handle:
        for line in handle:
            if line.strip():
                digest.add(parse_line(line))
    return digest


def _finish(kind: str, source: str, target: str, run: _Run, started: float,
            verify: Callable[[], Digest] | None) -> TransferReport:
    checkpoint = run.checkpoint
    expected = checkpoint.total()
    report = TransferReport(kind, source, target, checkpoint.scanned, expected.count, checkpoint.resumed,
                            round(time.monotonic() - started, 3), expected.checksum)
    if verify is not None:
        report.verification = Verification(expected, verify())
    checkpoint.remove()
    return report


def copy_table(source_client: Any, source_table: str, target_client: Any, target_table: str, *,
               scan: ScanOptions = ScanOptions(), transform: Transform | None = None,
               checkpoint_path: str | None = None, progress: Progress | None = None,
               backoff: Backoff | None = None, verify: bool = True) -> TransferReport:
    """Copy every (filtered, transformed) item of `source_table` into the existing `target_table`.

    With `checkpoint_path`, an interrupted copy picks up where its checkpoint left off.
    Verification compares the digest of what was written with a scan of the target, so it
    also reports items the target already held.
    """
    job = {"kind": "copy", "source": source_table, "target": target_table, "scan": scan.identity(),
           "transform": transform_label(transform)}
    run = _Run(Checkpoint.open(checkpoint_path, job, scan.segments), progress, backoff or Backoff())
    started = time.monotonic()

    def copy_segment(segment: int) -> None:
        for items, next_key in _scan_pages(source_client, source_table, scan, run, segment):
            out, digest = _apply(items, transform)
            for chunk in chunks(out):
                write_batch(target_client, target_table, chunk, run.backoff)
                run.report(len(chunk))
            run.record(segment, len(items), digest, next_key)

    _in_parallel(scan.segments, copy_segment, run)
    return _finish("copy", source_table, target_table, run, started,
                   (lambda: table_digest(target_client, target_table, scan.segments, run.backoff)) if verify else None)


def dump_table(client: Any, table: str, path: str, *, scan: ScanOptions = ScanOptions(),
               transform: Transform | None = None, checkpoint_path: str | None = None,
               progress: Progress | None = None, backoff: Backoff | None = None, verify: bool = True) -> TransferReport:
    """Write `table` to `path` as DynamoDB JSON lines (`{"Item": {...}}` per line).

    The checkpoint records the file size after each page; on resume the file is cut back
    to it, so lines written after the last checkpoint are not duplicated.
    """
    job = {"kind": "dump", "table": table, "file": os.path.abspath(path), "scan": scan.identity(),
           "transform": transform_label(transform)}
    run = _Run(Checkpoint.open(checkpoint_path, job, scan.segments), progress, backoff or Backoff())
    started = time.monotonic()
    handle = open(path, "r+b" if run.checkpoint.resumed else "wb")
    try:
        handle.truncate(run.checkpoint.positions.get("file_bytes", 0))
        handle.seek(0, os.SEEK_END)

        def dump_segment(segment: int) -> None:
            for items, next_key in _scan_pages(client, table, scan, run, segment):
                out, digest = _apply(items, transform)
                lines = b"".join(dump_line(item) for item in out)

                def append() -> None:  # under the checkpoint lock: file and checkpoint move together
                    handle.write(lines)
                    handle.flush()
                    os.fsync(handle.fileno())
                    run.checkpoint.positions["file_bytes"] = handle.tell()

                run.record(segment, len(items), digest, next_key, before_save=append)
                run.report(digest.count)

        _in_parallel(scan.segments, dump_segment, run)
    finally:
        handle.close()
    return _finish("dump", table, path, run, started, (lambda: file_digest(path)) if verify else None)


def load_file(path: str, client: Any, table: str, *, transform: Transform | None = None, workers: int = 4,
              checkpoint_path: str | None = None, progress: Progress | None = None,
              backoff: Backoff | None = None, verify: bool = True, block_lines: int = LOAD_BLOCK_LINES) -> TransferReport:
    """Put every item of a JSON-lines dump into the existing `table` (BatchWriteItem, `workers` threads)."""
    job = {"kind": "load", "file": os.path.abspath(path), "table": table, "transform": transform_label(transform)}
    run = _Run(Checkpoint.open(checkpoint_path, job, 1), progress, backoff or Backoff())
    started = time.monotonic()
    done_lines = run.checkpoint.positions.get("lines", 0)
    with open(path, "rb") as handle, ThreadPoolExecutor(max_workers=workers, thread_name_prefix="jobtable-load") as pool:
        for _ in range(done_lines):
            handle.readline()
        while True:
            block = [handle.readline() for _ in range(block_lines)]
            block = [line for line in block if line]
            if not block:
                break
            items = [parse_line(line) for line in block if line.strip()]
            out, digest = _apply(items, transform)
            list(pool.map(lambda chunk: write_batch(client, table, chunk, run.backoff), chunks(out)))

            def advance(count: int = len(block)) -> None:
                run.checkpoint.positions["lines"] = run.checkpoint.positions.get("lines", 0) + count

            run.record(0, len(items), digest, None, before_save=advance)  # resume goes by line count
            run.report(digest.count)
    return _finish("load", path, table, run, started,
                   (lambda: table_digest(client, table, workers, run.backoff)) if verify else None)
