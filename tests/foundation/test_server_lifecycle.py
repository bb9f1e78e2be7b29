"""Durability and lifecycle: data survives restarts and kill -9; SIGTERM exits 0; `jobtable up`."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys

import pytest

from tests.conftest import ServerProcess, free_port, job_table_spec


def test_data_survives_restart(tmp_path):
    server = ServerProcess(data_dir=str(tmp_path)).start()
    ddb = server.client()
    ddb.create_table(**job_table_spec("Jobs"))
    for i in range(50):
        ddb.put_item(TableName="Jobs", Item={"jobId": {"S": f"j{i}"}, "status": {"S": "pending"},
                                             "userId": {"S": "u"}, "createdAt": {"S": f"2026-{i:03d}"}})
    assert server.stop(signal.SIGTERM) == 0
    server = ServerProcess(data_dir=str(tmp_path)).start()
    try:
        ddb = server.client()
        assert ddb.describe_table(TableName="Jobs")["Table"]["ItemCount"] == 50
        out = ddb.query(TableName="Jobs", IndexName="UserIndex", KeyConditionExpression="userId = :u",
                        ExpressionAttributeValues={":u": {"S": "u"}})
        assert out["Count"] == 50
    finally:
        server.stop()


def test_acknowledged_writes_survive_kill_9(tmp_path):
    server = ServerProcess(data_dir=str(tmp_path)).start()
    ddb = server.client()
    ddb.create_table(**job_table_spec("Jobs"))
    for i in range(200):
        ddb.put_item(TableName="Jobs", Item={"jobId": {"S": f"j{i}"}, "status": {"S": "pending"},
                                             "createdAt": {"S": f"2026-{i:04d}"}})
    server.stop(signal.SIGKILL)
    server = ServerProcess(data_dir=str(tmp_path)).start()
    try:
        ddb = server.client()
        assert ddb.scan(TableName="Jobs", Select="COUNT")["Count"] == 200
        assert ddb.query(TableName="Jobs", IndexName="StatusIndex", KeyConditionExpression="#s = :p",
                         ExpressionAttributeNames={"#s": "status"}, Select="COUNT",
                         ExpressionAttributeValues={":p": {"S": "pending"}})["Count"] == 200
    finally:
        server.stop()


def test_jobtable_up_serves_seed_table_to_aws_cli(tmp_path):
    aws = shutil.which("aws", path=os.path.dirname(sys.executable)) or shutil.which("aws")
    if aws is None:
        pytest.skip("the AWS CLI is not installed")
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "jobtable.cli.main", "up", "--port", str(port),
                             "--data-dir", str(tmp_path)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        server = ServerProcess()
        server.port, server.endpoint, server.proc = port, f"http://127.0.0.1:{port}", None
        import time
        import urllib.request
        for _ in range(200):
            try:
                urllib.request.urlopen(server.endpoint + "/health", timeout=1)
                break
            except OSError:
                time.sleep(0.05)
        env = {**os.environ, "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_DEFAULT_REGION": "us-east-1"}
        for _ in range(100):  # provisioning runs right after start-up
            out = subprocess.run([aws, "dynamodb", "describe-table", "--table-name", "CloudToolsJobs",
                                  "--endpoint-url", server.endpoint, "--output", "json"],
                                 capture_output=True, text=True, env=env)
            if out.returncode == 0:
                break
            time.sleep(0.1)
        assert out.returncode == 0, out.stderr
        table = json.loads(out.stdout)["Table"]
        assert sorted(g["IndexName"] for g in table["GlobalSecondaryIndexes"]) == ["StatusIndex", "UserIndex"]
        bad = subprocess.run([aws, "dynamodb", "query", "--table-name", "CloudToolsJobs", "--index-name", "StatusIndex",
                              "--key-condition-expression", "status = :status", "--expression-attribute-values",
                              '{":status": {"S": "processing"}}', "--endpoint-url", server.endpoint],
                             capture_output=True, text=True, env=env)
        assert bad.returncode != 0
        assert "Attribute name is a reserved keyword; reserved keyword: status" in bad.stderr
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=15) == 0
