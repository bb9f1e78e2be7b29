"""One change log, one pruning rule: rows live as long as Streams (24 h) or PITR (its window) need them."""
from __future__ import annotations

from typing import Any

import pytest

from jobtable.clock import ManualClock
from jobtable.engine import changelog
from jobtable.engine.engine import Engine
from jobtable.inprocess import client
from streamhelp import DAY, read_stream, stream_arn


@pytest.fixture
def engine() -> Any:
    engine = Engine(None, clock=ManualClock(1_790_000_000.0))
    yield engine
    engine.close()


def make_table(engine: Engine, name: str, stream: bool) -> Any:
    ddb = client(engine=engine)
    spec: dict[str, Any] = {"TableName": name, "BillingMode": "PAY_PER_REQUEST",
                            "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                            "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}]}
    if stream:
        spec["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}
    ddb.create_table(**spec)
    for i in range(3):
        ddb.put_item(TableName=name, Item={"id": {"S": str(i)}})
    return ddb


def log_rows(engine: Engine, name: str) -> int:
    meta = engine.catalog.require(name)
    return engine.storage.conn.execute(f"SELECT count(*) FROM {meta.log_table}").fetchone()[0]


def advance(engine: Engine, seconds: float) -> None:
    engine.clock.advance(seconds)
    engine.run_background_until_idle()


def test_a_table_without_stream_or_pitr_keeps_no_history(engine: Engine) -> None:
    make_table(engine, "plain", stream=False)
    assert log_rows(engine, "plain") == 3
    advance(engine, changelog.PRUNE_EVERY_SECONDS)
    assert log_rows(engine, "plain") == 0
    meta = engine.catalog.require("plain")
    assert changelog.last_sequence(engine.storage.conn, meta) == 3  # numbering never restarts


def test_stream_keeps_24_hours(engine: Engine) -> None:
    make_table(engine, "streamed", stream=True)
    advance(engine, DAY - 120)
    assert log_rows(engine, "streamed") == 3
    advance(engine, 240)
    assert log_rows(engine, "streamed") == 0


def test_pitr_window_keeps_rows_the_stream_already_trimmed(engine: Engine) -> None:
    ddb = make_table(engine, "both", stream=True)
    streams = client("dynamodbstreams", engine=engine)
    meta = engine.catalog.require("both")
    meta.extras["pitr"] = {"enabled": True, "recovery_period_days": 2}
    engine.catalog.save(meta)
    advance(engine, DAY + 240)
    assert log_rows(engine, "both") == 3                       # PITR still needs them
    assert read_stream(streams, stream_arn(ddb, "both")) == []  # but the stream shows 24 h only
    advance(engine, DAY)
    assert log_rows(engine, "both") == 0


def test_prune_is_bounded_per_pass(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    make_table(engine, "plain", stream=False)
    monkeypatch.setattr(changelog, "PRUNE_CHUNK", 2)
    engine.clock.advance(1)
    meta = engine.catalog.require("plain")
    assert changelog.prune(engine, meta) is True
    assert log_rows(engine, "plain") == 1
    assert changelog.prune(engine, meta) is False
    assert log_rows(engine, "plain") == 0
