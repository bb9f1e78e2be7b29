"""TTL that deletes: expired jobs leave the table and both GSIs and show up in the stream."""
from __future__ import annotations

from typing import Any

import pytest

from jobtable.clock import ManualClock
from jobtable.engine import ttl
from jobtable.engine.engine import Engine
from jobtable.inprocess import client
from streamhelp import HOUR, read_stream, stream_arn

YEAR = 365 * 24 * HOUR
SERVICE = {"PrincipalId": "dynamodb.amazonaws.com", "Type": "Service"}


def job(job_id: str, user: str = "u1", status: str = "queued", **extra: dict) -> dict:
    return {"jobId": {"S": job_id}, "status": {"S": status}, "userId": {"S": user},
            "createdAt": {"S": "2026-09-21T00:00:00.000Z"}, **extra}


def enable_ttl(ddb: Any, table: str) -> None:
    ddb.update_time_to_live(TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": "ttl"})


def job_ids_in_index(ddb: Any, table: str, index: str, key: str, value: str) -> set[str]:
    items = ddb.query(TableName=table, IndexName=index, KeyConditionExpression="#k = :v",
                      ExpressionAttributeNames={"#k": key}, ExpressionAttributeValues={":v": {"S": value}})["Items"]
    return {item["jobId"]["S"] for item in items}


def test_expired_job_leaves_table_and_both_gsis_with_a_service_remove_record(
        ddb: Any, backend: Any, streams: Any, job_table: str, now: Any) -> None:
    enable_ttl(ddb, job_table)
    t = now()
    ddb.put_item(TableName=job_table, Item=job("expiring", ttl={"N": str(int(t) + 60)}))
    ddb.put_item(TableName=job_table, Item=job("later", ttl={"N": str(int(t) + 10 * HOUR)}))
    ddb.put_item(TableName=job_table, Item=job("forever"))
    assert job_ids_in_index(ddb, job_table, "StatusIndex", "status", "queued") == {"expiring", "later", "forever"}

    backend.advance(120)

    assert "Item" not in ddb.get_item(TableName=job_table, Key={"jobId": {"S": "expiring"}}, ConsistentRead=True)
    assert job_ids_in_index(ddb, job_table, "StatusIndex", "status", "queued") == {"later", "forever"}
    assert job_ids_in_index(ddb, job_table, "UserIndex", "userId", "u1") == {"later", "forever"}
    assert ddb.scan(TableName=job_table, Select="COUNT")["Count"] == 2

    records = read_stream(streams, stream_arn(ddb, job_table))
    removes = [r for r in records if r["eventName"] == "REMOVE"]
    assert len(removes) == 1
    remove = removes[0]
    assert remove["userIdentity"] == SERVICE
    assert remove["dynamodb"]["Keys"] == {"jobId": {"S": "expiring"}}
    assert remove["dynamodb"]["OldImage"] == job("expiring", ttl={"N": str(int(t) + 60)})
    assert "NewImage" not in remove["dynamodb"]
    assert all("userIdentity" not in r for r in records if r is not remove)  # user writes carry none


def test_non_number_and_ancient_ttl_values_are_ignored(ddb: Any, backend: Any, job_table: str, now: Any) -> None:
    enable_ttl(ddb, job_table)
    t = int(now())
    values = {
        "string": {"S": str(t - 100)},
        "number-set": {"NS": [str(t - 100)]},
        "six-years-ago": {"N": str(t - 6 * YEAR)},
        "four-years-ago": {"N": str(t - 4 * YEAR)},
        "milliseconds": {"N": str((t - 100) * 1000)},  # far in the future as seconds
        "fraction": {"N": f"{t - 100}.5"},
        "negative": {"N": "-1"},
    }
    for name, value in values.items():
        ddb.put_item(TableName=job_table, Item=job(name, ttl=value))
    backend.advance(60)
    left = {item["jobId"]["S"] for item in ddb.scan(TableName=job_table)["Items"]}
    assert left == {"string", "number-set", "six-years-ago", "milliseconds", "negative"}


def test_items_written_before_ttl_was_enabled_are_backfilled_and_swept(
        ddb: Any, backend: Any, job_table: str, now: Any) -> None:
    t = int(now())
    for i in range(5):
        ddb.put_item(TableName=job_table, Item=job(f"old-{i}", ttl={"N": str(t - 10)}))
    ddb.put_item(TableName=job_table, Item=job("keep", ttl={"N": str(t + 10 * HOUR)}))
    backend.advance(60)
    assert ddb.scan(TableName=job_table, Select="COUNT")["Count"] == 6  # TTL is off: nothing goes
    enable_ttl(ddb, job_table)
    backend.advance(60)
    assert [i["jobId"]["S"] for i in ddb.scan(TableName=job_table)["Items"]] == ["keep"]


def test_disabling_ttl_stops_deletions_and_updates_move_expiry(
        ddb: Any, backend: Any, job_table: str, now: Any) -> None:
    enable_ttl(ddb, job_table)
    t = int(now())
    ddb.put_item(TableName=job_table, Item=job("extended", ttl={"N": str(t + 100)}))
    ddb.put_item(TableName=job_table, Item=job("cleared", ttl={"N": str(t + 100)}))
    ddb.update_item(TableName=job_table, Key={"jobId": {"S": "extended"}}, UpdateExpression="SET #t = :t",
                    ExpressionAttributeNames={"#t": "ttl"}, ExpressionAttributeValues={":t": {"N": str(t + 5000)}})
    ddb.update_item(TableName=job_table, Key={"jobId": {"S": "cleared"}}, UpdateExpression="REMOVE #t",
                    ExpressionAttributeNames={"#t": "ttl"})
    ddb.put_item(TableName=job_table, Item=job("kept-by-disable", ttl={"N": str(t + 2 * HOUR)}))
    backend.advance(HOUR + 1)
    assert ddb.scan(TableName=job_table, Select="COUNT")["Count"] == 3  # nothing was due yet
    ddb.update_time_to_live(TableName=job_table, TimeToLiveSpecification={"Enabled": False, "AttributeName": "ttl"})
    backend.advance(2 * HOUR)
    left = {i["jobId"]["S"] for i in ddb.scan(TableName=job_table)["Items"]}
    assert left == {"extended", "cleared", "kept-by-disable"}


# -- engine-level behaviour (in-process: sweep scheduling, bounds, counters) ---------------
@pytest.fixture
def engine() -> Any:
    engine = Engine(None, clock=ManualClock(1_790_000_000.0))
    yield engine
    engine.close()


def _job_table(engine: Engine) -> Any:
    from jobtable.server.provision import job_table_definition

    ddb = client(engine=engine)
    spec = job_table_definition("jobs")
    spec.pop("Tags")
    ddb.create_table(**spec)
    enable_ttl(ddb, "jobs")
    engine.run_background_until_idle()
    return ddb


def test_expired_items_stay_readable_until_the_sweep_and_the_documented_filter_hides_them(engine: Engine) -> None:
    ddb = _job_table(engine)
    ttl.set_interval(engine, HOUR)
    engine.run_background_until_idle()  # swept just now: the next sweep is due in an hour
    t = int(engine.clock.now())
    ddb.put_item(TableName="jobs", Item=job("stale", ttl={"N": str(t + 10)}))
    ddb.put_item(TableName="jobs", Item=job("fresh", ttl={"N": str(t + 10 * HOUR)}))
    engine.clock.advance(60)
    engine.run_background_until_idle()
    assert "Item" in ddb.get_item(TableName="jobs", Key={"jobId": {"S": "stale"}})  # expired, not yet swept
    visible = ddb.query(TableName="jobs", IndexName="StatusIndex",
                        KeyConditionExpression="#s = :s", FilterExpression="attribute_not_exists(#t) OR #t > :now",
                        ExpressionAttributeNames={"#s": "status", "#t": "ttl"},
                        ExpressionAttributeValues={":s": {"S": "queued"}, ":now": {"N": str(int(engine.clock.now()))}})
    assert [i["jobId"]["S"] for i in visible["Items"]] == ["fresh"]
    engine.clock.advance(HOUR)
    engine.run_background_until_idle()
    assert "Item" not in ddb.get_item(TableName="jobs", Key={"jobId": {"S": "stale"}})


def test_sweep_reads_the_expiry_index_in_bounded_batches_and_counts_deletions(
        engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    ddb = _job_table(engine)
    seen: list[tuple[str, int]] = []
    ttl.ttl_state(engine).observers.append(lambda table, count, at: seen.append((table, count)))
    t = int(engine.clock.now())
    for i in range(12):
        ddb.put_item(TableName="jobs", Item=job(f"j{i}", ttl={"N": str(t - i)}))
    meta = engine.catalog.require("jobs")
    plan = engine.storage.conn.execute(
        f"EXPLAIN QUERY PLAN SELECT pk, sk, doc FROM {meta.items_table} WHERE expires IS NOT NULL"
        " AND expires <= ? AND expires >= ? ORDER BY expires LIMIT 5", (t, t - 10)).fetchall()
    assert any(f"{meta.items_table}_exp" in row[-1] for row in plan), plan  # the index, not a scan
    monkeypatch.setattr(ttl, "SWEEP_BATCH", 5)
    engine.clock.advance(ttl.DEFAULT_INTERVAL)
    assert ttl.run(engine) is True  # one bounded batch, more to do
    assert ddb.scan(TableName="jobs", Select="COUNT")["Count"] == 7
    engine.run_background_until_idle()
    assert ddb.scan(TableName="jobs", Select="COUNT")["Count"] == 0
    assert ttl.ttl_state(engine).deleted == {"jobs": 12}
    assert seen == [("jobs", 5), ("jobs", 5), ("jobs", 2)]


def test_backfill_runs_in_chunks(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    from jobtable.server.provision import job_table_definition

    ddb = client(engine=engine)
    spec = job_table_definition("jobs")
    spec.pop("Tags")
    ddb.create_table(**spec)
    t = int(engine.clock.now())
    for i in range(7):
        ddb.put_item(TableName="jobs", Item=job(f"j{i}", ttl={"N": str(t - 1)}))
    monkeypatch.setattr(ttl, "BACKFILL_CHUNK", 3)
    enable_ttl(ddb, "jobs")
    meta = engine.catalog.require("jobs")
    ttl.run(engine)
    assert meta.extras["ttl_backfill"]["cursor"] is not None  # paused after the first chunk
    assert ddb.scan(TableName="jobs", Select="COUNT")["Count"] == 7  # no sweep before the backfill ends
    engine.run_background_until_idle()
    assert "ttl_backfill" not in meta.extras
    assert ddb.scan(TableName="jobs", Select="COUNT")["Count"] == 0


def test_ttl_interval_reaches_the_engine_from_the_server_options() -> None:
    from click.testing import CliRunner

    from jobtable.cli.main import cli
    from jobtable.cli.serve import config_from
    from jobtable.server.run import STARTUP_HOOKS

    assert "--ttl-interval" in CliRunner().invoke(cli, ["serve", "--help"]).output
    config = config_from(host="127.0.0.1", port=1, data_dir=None, in_memory=True, region="us-east-1",
                         account_id="000000000000", synchronous="normal", manual_clock=True, no_throttling=False,
                         background_interval=1.0, ttl_interval=42.0, log_level="warning")
    engine = Engine(None)
    try:
        for hook in STARTUP_HOOKS:
            hook(engine, config)
        assert ttl.ttl_state(engine).schedule.interval == 42.0
    finally:
        engine.close()
