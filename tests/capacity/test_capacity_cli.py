"""`jobtable insights` and `jobtable metrics` against a real server (boto3 inside the CLI)."""
from __future__ import annotations

import json
import time
import uuid

import pytest
from click.testing import CliRunner

from jobtable.cli.main import cli
from tests.capacity.helpers import item_of_units, provisioned_table
from tests.conftest import ServerProcess


@pytest.fixture(scope="module")
def server():
    """A manual-clock server set to the wall clock, so the CLI's "last N minutes" window matches."""
    process = ServerProcess("--manual-clock").start()
    process.set_clock(time.time())
    yield process
    process.stop()


def run(server, *args: str) -> str:
    result = CliRunner(env={"COLUMNS": "200"}).invoke(cli, [*args, "--endpoint-url", server.endpoint])
    assert result.exit_code == 0, result.output
    return result.output


def test_insights_command_enables_and_ranks_the_hot_key(server):
    ddb = server.client()
    table = f"cli-{uuid.uuid4().hex[:8]}"
    provisioned_table(ddb, table, rcu=100, wcu=100)
    assert "ENABLING" in run(server, "insights", table, "--enable")
    server.advance(0)  # the background pass finishes enabling
    for key, reads in (("cold", 1), ("hot", 9)):
        ddb.put_item(TableName=table, Item={"pk": {"S": key}})
        for _ in range(reads):
            ddb.get_item(TableName=table, Key={"pk": {"S": key}})
    data = json.loads(run(server, "insights", table, "--minutes", "5", "-o", "json"))
    accessed = next(rule for rule in data["rules"] if rule["kind"] == "PKC")
    assert accessed["contributors"][0] == {"keys": ["hot"], "count": 10.0, "share": 10.0 / 12.0}
    text = run(server, "insights", table, "--minutes", "5")
    assert "Most accessed partition keys" in text and "hot" in text and "83%" in text


def test_insights_command_explains_a_disabled_table(server):
    ddb = server.client()
    table = f"cli-{uuid.uuid4().hex[:8]}"
    provisioned_table(ddb, table)
    assert "is DISABLED" in run(server, "insights", table)
    result = CliRunner().invoke(cli, ["insights", "no-such-table", "--endpoint-url", server.endpoint])
    assert result.exit_code != 0 and "ResourceNotFoundException" in result.output


def test_metrics_command_sums_consumed_capacity(server):
    ddb = server.client()
    table = f"cli-{uuid.uuid4().hex[:8]}"
    provisioned_table(ddb, table, rcu=10, wcu=20)
    for i in range(4):
        ddb.put_item(TableName=table, Item=item_of_units(f"k{i}", 2))
    data = json.loads(run(server, "metrics", table, "--minutes", "5", "-o", "json"))
    writes = next(r for r in data["rows"] if r["metric"] == "ConsumedWriteCapacityUnits" and r["where"] == "table")
    assert writes["value"] == 8.0 and writes["maximum"] == 8.0
    assert data["provisioned"]["WriteCapacityUnits"] == 20
    text = run(server, "metrics", table, "--minutes", "5")
    assert "ConsumedWriteCapacityUnits" in text and "Provisioned: 10 RCU, 20 WCU" in text
