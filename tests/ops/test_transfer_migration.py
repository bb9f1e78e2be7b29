"""Migration that works: copy / dump / load, resumable, verified (docs/migration.md)."""
from __future__ import annotations

import os
import random
from typing import Any

import orjson
import pytest
from botocore.exceptions import ClientError

from jobtable.ops.batch_writes import UnprocessedItemsError, write_batch, write_items
from jobtable.ops.retry import Backoff
from jobtable.ops.checkpoint import CheckpointMismatch
from jobtable.ops.transfer import ScanOptions, copy_table, dump_table, load_file, table_digest
from jobtable.ops.wire import Digest, item_from_json, item_to_json, parse_line

from . import flaky_transform
from .helpers import FAST, create_simple_table, sample_item


@pytest.fixture
def engine_client() -> Any:
    from jobtable.clock import ManualClock
    from jobtable.engine.engine import Engine
    from jobtable.inprocess import client

    engine = Engine(None, clock=ManualClock(1_790_000_000.0))
    yield client(engine=engine, config=FAST)
    engine.close()


def test_50k_copy_interrupted_half_way_resumes_to_identical_tables(engine_client: Any, tmp_path: Any) -> None:
    ddb = engine_client
    create_simple_table(ddb, "source")
    create_simple_table(ddb, "target")
    write_items(ddb, "source", [{"id": {"S": f"k{i:06d}"}, "n": {"N": str(i)}, "v": {"S": "x" * 40}}
                                for i in range(50_000)])
    checkpoint = str(tmp_path / "copy.json")
    scan = ScanOptions(segments=4, page_size=1000)
    flaky_transform.CRASH.update(after=25_000, seen=0)
    written_before: list[int] = []
    with pytest.raises(flaky_transform.SimulatedCrash):
        copy_table(ddb, "source", ddb, "target", scan=scan, transform=flaky_transform.crash_half_way,
                   checkpoint_path=checkpoint, progress=written_before.append)
    saved = orjson.loads(open(checkpoint, "rb").read())
    done_before = sum(s["written"] for s in saved["segments"])
    # the crashing segment stops at once, the other three finish the page they are writing
    assert 20_000 <= done_before <= 25_000 + 3 * 1000 and not all(s["done"] for s in saved["segments"])
    assert sum(written_before) == done_before

    resumed_progress: list[int] = []
    report = copy_table(ddb, "source", ddb, "target", scan=scan, transform=flaky_transform.crash_half_way,
                        checkpoint_path=checkpoint, progress=resumed_progress.append)
    assert report.resumed and report.written == 50_000 and report.scanned == 50_000
    assert resumed_progress[0] == done_before and sum(resumed_progress) == 50_000
    assert report.verification is not None and report.verification.ok
    assert table_digest(ddb, "source") == report.verification.actual  # the target, scanned after the copy
    assert not os.path.exists(checkpoint)


def test_copy_between_endpoints_with_transform_and_filter(backend: Any, table_name: str) -> None:
    ddb = backend.client("dynamodb")
    other = table_name + "-v2"
    create_simple_table(ddb, table_name)
    create_simple_table(ddb, other)
    write_items(ddb, table_name, [sample_item(i) for i in range(120)])
    scan = ScanOptions(segments=3, page_size=17, filter_expression="n < :limit",
                       expression_attribute_values={":limit": {"N": "100"}})
    report = copy_table(ddb, table_name, backend.client("dynamodb"), other, scan=scan,
                        transform=flaky_transform.add_version_drop_odd)
    assert (report.scanned, report.written, report.skipped) == (100, 50, 50)
    assert report.verification.ok
    item = ddb.get_item(TableName=other, Key={"id": {"S": "job-000042"}})["Item"]
    assert item["schemaVersion"] == {"N": "2"} and item["blob"] == {"B": (42).to_bytes(4, "big")}
    assert "Item" not in ddb.get_item(TableName=other, Key={"id": {"S": "job-000043"}})


def test_verification_reports_items_the_target_already_held(backend: Any, table_name: str) -> None:
    ddb = backend.client("dynamodb")
    other = table_name + "-dirty"
    create_simple_table(ddb, table_name)
    create_simple_table(ddb, other)
    write_items(ddb, table_name, [sample_item(i) for i in range(10)])
    ddb.put_item(TableName=other, Item={"id": {"S": "stray"}})
    report = copy_table(ddb, table_name, ddb, other)
    assert not report.verification.ok
    assert "expected 10 items" in report.verification.describe() and "found 11" in report.verification.describe()


def test_dump_and_load_round_trip_as_dynamodb_json_lines(backend: Any, table_name: str, tmp_path: Any) -> None:
    ddb = backend.client("dynamodb")
    restored = table_name + "-restored"
    create_simple_table(ddb, table_name)
    create_simple_table(ddb, restored)
    write_items(ddb, table_name, [sample_item(i) for i in range(60)])
    path = str(tmp_path / "dump.jsonl")
    dumped = dump_table(ddb, table_name, path, scan=ScanOptions(segments=2, page_size=7))
    assert dumped.written == 60 and dumped.verification.ok
    lines = open(path, "rb").read().splitlines()
    assert len(lines) == 60
    first = orjson.loads(lines[0])
    assert set(first) == {"Item"} and isinstance(first["Item"]["blob"]["B"], str)  # base64, as AWS exports
    loaded = load_file(path, ddb, restored, workers=3, block_lines=13)
    assert loaded.written == 60 and loaded.verification.ok
    assert table_digest(ddb, table_name) == table_digest(ddb, restored)


def test_interrupted_dump_resumes_without_duplicate_lines(engine_client: Any, tmp_path: Any) -> None:
    ddb = engine_client
    create_simple_table(ddb, "src")
    write_items(ddb, "src", [sample_item(i) for i in range(400)])
    path, checkpoint = str(tmp_path / "d.jsonl"), str(tmp_path / "d.ckpt")
    scan = ScanOptions(segments=2, page_size=25)
    flaky_transform.CRASH.update(after=210, seen=0)
    with pytest.raises(flaky_transform.SimulatedCrash):
        dump_table(ddb, "src", path, scan=scan, transform=flaky_transform.crash_half_way, checkpoint_path=checkpoint)
    with open(path, "ab") as handle:  # a torn write after the last checkpoint
        handle.write(b'{"Item": {"id": {"S": "half-writ')
    report = dump_table(ddb, "src", path, scan=scan, transform=flaky_transform.crash_half_way,
                        checkpoint_path=checkpoint)
    assert report.resumed and report.verification.ok
    keys = [parse_line(line)["id"]["S"] for line in open(path, "rb")]
    assert len(keys) == len(set(keys)) == 400


def test_interrupted_load_resumes_from_the_line_it_reached(engine_client: Any, tmp_path: Any) -> None:
    ddb = engine_client
    create_simple_table(ddb, "dst")
    path, checkpoint = str(tmp_path / "in.jsonl"), str(tmp_path / "in.ckpt")
    with open(path, "wb") as handle:
        for i in range(300):
            handle.write(orjson.dumps({"Item": item_to_json(sample_item(i))}) + b"\n")
    flaky_transform.CRASH.update(after=150, seen=0)
    with pytest.raises(flaky_transform.SimulatedCrash):
        load_file(path, ddb, "dst", transform=flaky_transform.crash_half_way, checkpoint_path=checkpoint,
                  block_lines=40)
    assert orjson.loads(open(checkpoint, "rb").read())["positions"]["lines"] == 120
    report = load_file(path, ddb, "dst", transform=flaky_transform.crash_half_way, checkpoint_path=checkpoint,
                       block_lines=40)
    assert report.resumed and report.written == 300 and report.verification.ok


def test_a_checkpoint_of_another_job_is_refused(engine_client: Any, tmp_path: Any) -> None:
    ddb = engine_client
    for name in ("t-a", "t-b", "t-c"):
        create_simple_table(ddb, name)
    checkpoint = tmp_path / "ckpt.json"
    flaky_transform.CRASH.update(after=0, seen=0)
    write_items(ddb, "t-a", [sample_item(1)])
    with pytest.raises(flaky_transform.SimulatedCrash):
        copy_table(ddb, "t-a", ddb, "t-b", transform=flaky_transform.crash_half_way, checkpoint_path=str(checkpoint))
    with pytest.raises(CheckpointMismatch, match="belongs to another job"):
        copy_table(ddb, "t-a", ddb, "t-c", transform=flaky_transform.crash_half_way, checkpoint_path=str(checkpoint))


class _Throttled:
    """A fake client: BatchWriteItem accepts only the first 10 puts of each call."""

    def __init__(self, throttle_first_call: bool = False) -> None:
        self.calls: list[int] = []
        self.stored: list[dict] = []
        self.throttle_first_call = throttle_first_call

    def batch_write_item(self, RequestItems: dict) -> dict:
        (table, requests), = RequestItems.items()
        self.calls.append(len(requests))
        if self.throttle_first_call and len(self.calls) == 1:
            raise ClientError({"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow"}},
                              "BatchWriteItem")
        self.stored.extend(r["PutRequest"]["Item"] for r in requests[:10])
        rest = requests[10:]
        return {"UnprocessedItems": {table: rest} if rest else {}}


def test_unprocessed_items_are_retried_with_exponential_backoff_and_jitter() -> None:
    sleeps: list[float] = []
    backoff = Backoff(base=0.1, cap=10, sleep=sleeps.append, rng=random.Random(7))
    fake = _Throttled(throttle_first_call=True)
    items = [{"id": {"S": str(i)}} for i in range(25)]
    calls = write_batch(fake, "t", items, backoff)
    assert fake.calls == [25, 25, 15, 5] and calls == 3 and len(fake.stored) == 25
    assert len(sleeps) == 3 and all(0 <= s <= 0.1 * 2 ** n for n, s in enumerate(sleeps))
    assert len(set(sleeps)) == 3  # jittered, not a fixed schedule


def test_write_batch_gives_up_after_its_budget() -> None:
    class NeverDone:
        def batch_write_item(self, RequestItems: dict) -> dict:
            return {"UnprocessedItems": RequestItems}

    with pytest.raises(UnprocessedItemsError, match="3 items still unprocessed after 4"):
        write_batch(NeverDone(), "t", [{"id": {"S": str(i)}} for i in range(3)],
                    Backoff(max_attempts=4, sleep=lambda s: None))


def test_digest_ignores_order_of_sets_and_spelling_of_numbers() -> None:
    a, b = Digest(), Digest()
    a.add({"id": {"S": "x"}, "n": {"N": "1.50"}, "s": {"SS": ["b", "a"]}, "bin": {"B": b"\x01"}})
    b.add(item_from_json({"bin": {"B": "AQ=="}, "s": {"SS": ["a", "b"]}, "n": {"N": "1.5"}, "id": {"S": "x"}}))
    assert a == b
    c = Digest()
    c.add({"id": {"S": "x"}, "n": {"N": "1.51"}, "s": {"SS": ["a", "b"]}, "bin": {"B": b"\x01"}})
    assert c != a
