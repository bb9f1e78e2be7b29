"""ImportTable from "S3": N jobs written as DynamoDB JSON lines, imported into a new table.

Only for peers that expose a local S3 stand-in (jobtable: $JOBTABLE_EXPORT_ROOT, one
directory per bucket). Writing the source files is set-up and is not timed; the import is
timed from ImportTable to DescribeImport saying COMPLETED, and must import every item.
"""
from __future__ import annotations

import copy
import time
from pathlib import Path
from typing import Any

import orjson

from bench.dataset import TABLE, TABLE_DEFINITION, job_item

BUCKET = "bench-import"
PREFIX = "jobs/"
IMPORTED_TABLE = TABLE + "-imported"
LINES_PER_FILE = 100_000


def write_source(s3_root: Path, n: int) -> None:
    """N jobs in DynamoDB's export layout: one `{"Item": ...}` per line, several files."""
    folder = s3_root / BUCKET / PREFIX
    folder.mkdir(parents=True, exist_ok=True)
    for part, start in enumerate(range(0, n, LINES_PER_FILE)):
        lines = (orjson.dumps({"Item": job_item(i, n)}) for i in range(start, min(start + LINES_PER_FILE, n)))
        (folder / f"part-{part:05d}.json").write_bytes(b"\n".join(lines) + b"\n")


def measure_import(client: Any, s3_root: Path, n: int, timeout: float = 600.0) -> dict[str, Any]:
    write_source(s3_root, n)
    parameters = copy.deepcopy({k: v for k, v in TABLE_DEFINITION.items()})
    parameters["TableName"] = IMPORTED_TABLE
    started = time.perf_counter()
    arn = client.import_table(
        S3BucketSource={"S3Bucket": BUCKET, "S3KeyPrefix": PREFIX},
        InputFormat="DYNAMODB_JSON",
        InputCompressionType="NONE",
        TableCreationParameters=parameters,
    )["ImportTableDescription"]["ImportArn"]
    deadline = time.monotonic() + timeout
    while True:
        description = client.describe_import(ImportArn=arn)["ImportTableDescription"]
        if description["ImportStatus"] != "IN_PROGRESS" or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    if description["ImportStatus"] != "COMPLETED":
        raise RuntimeError(f"import ended {description['ImportStatus']}: {description.get('FailureMessage', '')}")
    imported = description.get("ImportedItemCount", 0)
    if imported != n:
        raise AssertionError(f"imported {imported} items, expected {n}")
    return {"import_seconds": round(seconds, 3), "import_items_per_second": round(n / seconds, 1)}
