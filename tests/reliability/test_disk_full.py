"""Disk full: writes fail with a clear InternalServerError, reads keep working, and once
space returns the table is consistent and writable again.

The data dir lives on a small tmpfs when this process may mount one (root in CI); where
mounting is not permitted the same path is exercised through SQLite's page limit
(JOBTABLE_MAX_PAGE_COUNT, a test-only fault injection; docs/reliability.md).
"""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from pathlib import Path
from typing import Iterator

import pytest
from botocore.exceptions import ClientError

from tests.conftest import ServerProcess, job_table_spec
from tests.reliability.changelog import changelog_disagreements

OUT_OF_SPACE = "the data directory is out of space"


@contextlib.contextmanager
def small_filesystem(path: Path, size: str = "6m") -> Iterator[bool]:
    """Mount a size-limited tmpfs at `path`; yields False when mounting is not permitted."""
    path.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                             capture_output=True).returncode == 0
    try:
        yield mounted
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(path)], capture_output=True)


def _item(n: int, blob: int = 2000) -> dict:
    return {"jobId": {"S": f"j{n:05d}"}, "status": {"S": "pending"}, "userId": {"S": f"u{n % 3}"},
            "createdAt": {"S": f"2026-{n:05d}"}, "payload": {"S": "x" * blob}}


def _fill_until_full(ddb, start: int) -> tuple[list[int], ClientError]:
    """Put items until the storage refuses; returns the acknowledged numbers and the error."""
    acked = []
    for n in range(start, start + 100_000):
        try:
            ddb.put_item(TableName="Jobs", Item=_item(n))
        except ClientError as exc:
            return acked, exc
        acked.append(n)
    raise AssertionError("the storage never filled up")


def _check_refusal(exc: ClientError) -> None:
    assert exc.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert exc.response["Error"]["Code"] == "InternalServerError"
    assert OUT_OF_SPACE in exc.response["Error"]["Message"]


def _assert_consistent(ddb, data_dir: str, acked: list[int]) -> None:
    items = []
    page: dict = {}
    while True:
        out = ddb.scan(TableName="Jobs", ConsistentRead=True, **page)
        items += out["Items"]
        if "LastEvaluatedKey" not in out:
            break
        page = {"ExclusiveStartKey": out["LastEvaluatedKey"]}
    ids = {i["jobId"]["S"] for i in items}
    assert {f"j{n:05d}" for n in acked} <= ids  # nothing acknowledged lost
    count = ddb.query(TableName="Jobs", IndexName="StatusIndex", KeyConditionExpression="#s = :p",
                      ExpressionAttributeNames={"#s": "status"}, Select="COUNT",
                      ExpressionAttributeValues={":p": {"S": "pending"}})["Count"]
    assert count == len(items)  # the GSI agrees with the table
    assert changelog_disagreements(data_dir, "Jobs") == []


def _exercise_full_disk(server: ServerProcess, data_dir: str, free_space) -> None:
    ddb = server.client()
    ddb.create_table(**job_table_spec("Jobs"))
    acked, exc = _fill_until_full(ddb, 0)
    assert len(acked) > 10
    _check_refusal(exc)
    for n in range(3):  # it keeps refusing cleanly (no wedged transaction), updates and batches too
        with pytest.raises(ClientError) as again:
            ddb.put_item(TableName="Jobs", Item=_item(90_000 + n))
        _check_refusal(again.value)
    with pytest.raises(ClientError) as batch:
        ddb.batch_write_item(RequestItems={"Jobs": [{"PutRequest": {"Item": _item(95_000 + n)}} for n in range(10)]})
    _check_refusal(batch.value)
    # reads still work
    assert ddb.get_item(TableName="Jobs", Key={"jobId": {"S": "j00000"}})["Item"]["status"] == {"S": "pending"}
    assert ddb.scan(TableName="Jobs", Select="COUNT", ConsistentRead=True)["Count"] >= len(acked)
    ddb.list_tables()
    server = free_space(server)
    ddb = server.client()
    more: list[int] = []
    for n in range(50_000, 50_020):
        ddb.put_item(TableName="Jobs", Item=_item(n, blob=10))
        more.append(n)
    ddb.update_item(TableName="Jobs", Key={"jobId": {"S": "j00000"}}, UpdateExpression="SET #s = :d",
                    ExpressionAttributeNames={"#s": "status"}, ExpressionAttributeValues={":d": {"S": "pending"}})
    _assert_consistent(ddb, data_dir, acked + more)
    assert server.stop(signal.SIGTERM) == 0
    server.start()
    _assert_consistent(server.client(), data_dir, acked + more)
    server.stop()


def test_disk_full_refuses_writes_clearly_and_recovers(tmp_path):
    mount = tmp_path / "small"
    with small_filesystem(mount) as mounted:
        if not mounted:
            pytest.skip("mounting a tmpfs is not permitted here (the page-limit test covers the same path)")
        data_dir = str(mount / "data")
        server = ServerProcess("--no-throttling", data_dir=data_dir).start()
        filler = mount / "filler"

        def free_space(running: ServerProcess) -> ServerProcess:
            filler.unlink(missing_ok=True)
            return running

        # leave only ~1.5 MB free so the database hits the wall quickly
        stat = os.statvfs(mount)
        filler.write_bytes(b"\0" * max(0, stat.f_bavail * stat.f_frsize - 1_500_000))
        try:
            _exercise_full_disk(server, data_dir, free_space)
        finally:
            server.stop()


def test_page_limit_refuses_writes_clearly_and_recovers_after_restart(tmp_path):
    data_dir = str(tmp_path / "data")
    servers = [ServerProcess("--no-throttling", data_dir=data_dir, env={"JOBTABLE_MAX_PAGE_COUNT": "300"}).start()]

    def free_space(running: ServerProcess) -> ServerProcess:
        assert running.stop(signal.SIGTERM) == 0
        servers.append(ServerProcess("--no-throttling", data_dir=data_dir).start())  # no page limit
        return servers[-1]

    try:
        _exercise_full_disk(servers[0], data_dir, free_space)
    finally:
        for server in servers:
            server.stop()
