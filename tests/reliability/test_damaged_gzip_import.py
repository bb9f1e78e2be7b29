"""An ImportTable source object whose gzip stream is damaged is counted and skipped, never a stuck import."""
from __future__ import annotations

import gzip
import os
import zlib
from typing import Iterator

import orjson
import pytest

from tests.backups.backup_helpers import LocalEngine, scan_all


@pytest.fixture
def local() -> Iterator[LocalEngine]:
    env = LocalEngine()
    yield env
    env.engine.close()


def _lines(prefix: str, count: int) -> bytes:
    return b"".join(orjson.dumps({"Item": {"pk": {"S": f"{prefix}{n:04d}"}, "data": {"S": f"row {n} " * 20}}})
                    + b"\n" for n in range(count))


def _damaged_in_deflate(body: bytes) -> bytes:
    """`body` with bytes flipped inside the deflate stream, where zlib (not gzip's CRC) rejects them."""
    for offset in range(len(body) // 3, len(body) - 16, 7):
        damaged = body[:offset] + bytes(b ^ 0xFF for b in body[offset:offset + 4]) + body[offset + 4:]
        try:
            gzip.decompress(damaged)
        except zlib.error:
            return damaged
        except (OSError, EOFError):
            continue
    raise AssertionError("no offset found whose damage zlib rejects")


def test_a_damaged_gzip_object_is_skipped_and_the_import_completes(local: LocalEngine) -> None:
    from jobtable.engine.s3local import object_path

    good = object_path(local.engine, "incoming", "dump/a-good.json.gz")
    bad = object_path(local.engine, "incoming", "dump/b-bad.json.gz")
    os.makedirs(os.path.dirname(good))
    with open(good, "wb") as f:
        f.write(gzip.compress(_lines("good", 50)))
    with open(bad, "wb") as f:
        f.write(_damaged_in_deflate(gzip.compress(_lines("bad", 400))))
    started = local.ddb.import_table(
        S3BucketSource={"S3Bucket": "incoming", "S3KeyPrefix": "dump/"}, InputFormat="DYNAMODB_JSON",
        InputCompressionType="GZIP",
        TableCreationParameters={"TableName": "imported", "BillingMode": "PAY_PER_REQUEST",
                                 "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                                 "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]})
    local.settle()
    done = local.ddb.describe_import(ImportArn=started["ImportTableDescription"]["ImportArn"])
    done = done["ImportTableDescription"]
    assert done["ImportStatus"] == "COMPLETED" and done["ErrorCount"] >= 1, done
    items = scan_all(local.ddb, "imported")
    assert {k for k in items if k.startswith("good")} == {f"good{n:04d}" for n in range(50)}
