"""Endpoints the jobs and CLI tests run against: a jobtable server and moto's server.

Both are real HTTP servers started as subprocesses on free 127.0.0.1 ports, once per test
session; each test gets a fresh job table. The same tests pass against both, which is how
we know the jobs layer uses only DynamoDB's public API (so it works on AWS as well).
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from jobtable.clock import ManualClock
from jobtable.jobs import JobStore, create_jobs_table

BIN = Path(sys.executable).parent  # the venv's bin: where `jobtable` is installed
START_TIMEOUT = 30.0


@dataclass
class Endpoint:
    kind: str  # "jobtable" or "moto"
    url: str

    def client(self, **config: object):
        return boto3.client(
            "dynamodb", endpoint_url=self.url, region_name="us-east-1",
            aws_access_key_id="test", aws_secret_access_key="test",
            config=Config(retries={"mode": "standard", "max_attempts": 3}, max_pool_connections=16, **config),
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_listening(process: subprocess.Popen, port: int, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}: {log.read_text()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"server did not listen on {port} within {START_TIMEOUT}s")


def start_process(command: list[str], port: int, log: Path) -> subprocess.Popen:
    """Start a server subprocess and wait until it accepts connections on `port`."""
    process = subprocess.Popen(command, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        _wait_until_listening(process, port, log)
    except Exception:
        process.kill()
        process.wait()
        raise
    return process


def stop_process(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def start_moto(workdir: Path) -> tuple[Endpoint, subprocess.Popen]:
    port = free_port()
    command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    return Endpoint("moto", f"http://127.0.0.1:{port}"), start_process(command, port, workdir / "moto-server.log")


@pytest.fixture(scope="session", params=["jobtable", "moto"])
def endpoint(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    if request.param == "jobtable":
        # The suite's shared `jobtable serve` subprocess (tests/conftest.py). Its clock is
        # manual, which does not matter here: the jobs layer stamps times with its own clock.
        yield Endpoint("jobtable", request.getfixturevalue("http_server").endpoint)
        return
    endpoint, process = start_moto(tmp_path_factory.mktemp("moto"))
    yield endpoint
    stop_process(process)


@pytest.fixture
def client(endpoint: Endpoint):
    return endpoint.client()


@pytest.fixture
def jobs_table(client) -> str:
    """A fresh job table. TTL stays off: the tests stamp jobs with a fixed 2026 clock, and a
    server sweeping TTL on real time would otherwise delete them once that date is past."""
    name = f"jobs-{uuid.uuid4().hex[:12]}"
    create_jobs_table(client, name, enable_ttl=False)
    yield name
    client.delete_table(TableName=name)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(start=1_795_600_000.0)  # 2026-11-25T...Z, a fixed "now"


@pytest.fixture
def store(client, jobs_table, clock) -> JobStore:
    return JobStore(client, jobs_table, clock=clock)


def moto_is_wrong(request: pytest.FixtureRequest, endpoint: Endpoint, reason: str) -> None:
    """Expect the running test to fail on moto, for a reason in moto (strict: if moto is
    fixed the test XPASSes and fails, so the mark gets removed)."""
    if endpoint.kind == "moto":
        request.applymarker(pytest.mark.xfail(reason=f"moto: {reason}", strict=True))


def require_batch_write(client) -> None:
    """Skip when the endpoint has no BatchWriteItem yet (it is probed, so the skip ends by
    itself once the operation lands)."""
    try:
        client.batch_write_item(RequestItems={"no-such-table-probe": [{"PutRequest": {"Item": {"k": {"S": "x"}}}}]})
    except client.exceptions.ClientError as exc:
        if exc.response["Error"]["Code"] == "UnknownOperationException":
            pytest.skip("this endpoint does not implement BatchWriteItem yet")
