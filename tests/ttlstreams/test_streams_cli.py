"""`jobtable streams tail`: records as lines or Lambda-format JSON, against a real server."""
from __future__ import annotations

import json
from typing import Any

from click.testing import CliRunner

from jobtable.cli.main import cli


def test_tail_prints_records_including_ttl_deletions(http_server: Any, table_name: str) -> None:
    ddb = http_server.client()
    ddb.create_table(TableName=table_name, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "jobId", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "jobId", "KeyType": "HASH"}],
                     StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    ddb.update_time_to_live(TableName=table_name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "ttl"})
    now = http_server.advance(0)
    ddb.put_item(TableName=table_name, Item={"jobId": {"S": "j-1"}, "ttl": {"N": str(int(now) + 5)}})
    http_server.advance(60)
    base = ["streams", "tail", table_name, "--from", "trim-horizon", "--no-follow",
            "--endpoint-url", http_server.endpoint]

    lines = CliRunner().invoke(cli, base, catch_exceptions=False).output.splitlines()
    assert len(lines) == 2
    assert "INSERT" in lines[0] and "jobId=j-1" in lines[0] and "seq=" in lines[0]
    assert "REMOVE" in lines[1] and lines[1].endswith("(expired: deleted by TTL)")

    records = [json.loads(line) for line in
               CliRunner().invoke(cli, base + ["-o", "json"], catch_exceptions=False).output.splitlines()]
    assert [r["eventName"] for r in records] == ["INSERT", "REMOVE"]
    assert records[1]["userIdentity"] == {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
    assert records[0]["eventSourceARN"] == ddb.describe_table(TableName=table_name)["Table"]["LatestStreamArn"]


def test_tail_explains_a_table_without_stream_in_one_line(http_server: Any, table_name: str) -> None:
    http_server.client().create_table(TableName=table_name, BillingMode="PAY_PER_REQUEST",
                                      AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                                      KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    result = CliRunner().invoke(cli, ["streams", "tail", table_name, "--no-follow",
                                      "--endpoint-url", http_server.endpoint])
    assert result.exit_code != 0
    assert result.output.strip() == f"Error: table {table_name} has no enabled stream: enable one with UpdateTable StreamSpecification"
