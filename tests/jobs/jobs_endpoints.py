"""Endpoints the jobs and CLI tests run against: a jobtable server and moto's server.

Both are real HTTP servers started as subprocesses on free 127.0.0.1 ports, once per test
session; each test gets a fresh job table. The same tests pass against both, which is how
we know the jobs layer uses only DynamoDB's public API (so it works on AWS as well).
"""
from __future__ import annotations

import importlib.util
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

BIN = Path(sys.executable).parent
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


def _start(command: list[str], port: int, log: Path) -> subprocess.Popen:
    process = subprocess.Popen(command, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        _wait_until_listening(process, port, log)
    except Exception:
        process.kill()
        process.wait()
        raise
    return process


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _has_serve_command() -> bool:
    try:
        from jobtable.cli.main import cli
    except ImportError:
        return False
    return "serve" in cli.commands


def start_endpoint(kind: str, workdir: Path) -> tuple[Endpoint, subprocess.Popen]:
    port = free_port()
    log = workdir / f"{kind}-server.log"
    if kind == "moto":
        command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    else:
        if importlib.util.find_spec("jobtable.server.app") is None and not _has_serve_command():
            pytest.skip("the jobtable server is not on this branch yet")
        command = [str(BIN / "jobtable"), "serve", "--in-memory", "--host", "127.0.0.1", "--port", str(port)]
    return Endpoint(kind, f"http://127.0.0.1:{port}"), _start(command, port, log)


@pytest.fixture(scope="session", params=["jobtable", "moto"])
def endpoint(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    endpoint, process = start_endpoint(request.param, tmp_path_factory.mktemp(request.param))
    yield endpoint
    _stop(process)


@pytest.fixture
def client(endpoint: Endpoint):
    return endpoint.client()


@pytest.fixture
def table_name(client) -> str:
    name = f"jobs-{uuid.uuid4().hex[:12]}"
    create_jobs_table(client, name)
    yield name
    client.delete_table(TableName=name)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(start=1_795_600_000.0)  # 2026-11-25T...Z, a fixed "now"


@pytest.fixture
def store(client, table_name, clock) -> JobStore:
    return JobStore(client, table_name, clock=clock)


def moto_is_wrong(request: pytest.FixtureRequest, endpoint: Endpoint, reason: str) -> None:
    """Expect the running test to fail on moto, for a reason in moto (strict: if moto is
    fixed the test XPASSes and fails, so the mark gets removed)."""
    if endpoint.kind == "moto":
        request.applymarker(pytest.mark.xfail(reason=f"moto: {reason}", strict=True))
