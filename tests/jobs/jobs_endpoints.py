"""Endpoints the jobs and CLI tests run against: a jobtable server and moto's server.

Both are real HTTP servers in subprocesses on free 127.0.0.1 ports, started once per test
session; each test gets a fresh job table. The same tests pass against both, which is how
we know the jobs layer uses only DynamoDB's public API (so it works on AWS as well).
"""
from __future__ import annotations

import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from jobtable.clock import ManualClock
from jobtable.jobs import JobStore, create_jobs_table
from tests.module.endpoint_servers import start_server

BIN = Path(sys.executable).parent  # the venv's bin: where `jobtable` is installed


@dataclass
class Endpoint:
    kind: str  # "jobtable" or "moto"
    url: str

    def client(self):
        return boto3.client(
            "dynamodb", endpoint_url=self.url, region_name="us-east-1",
            aws_access_key_id="test", aws_secret_access_key="test",
            config=Config(retries={"mode": "standard", "max_attempts": 3}, max_pool_connections=16),
        )


@pytest.fixture(scope="session", params=["jobtable", "moto"])
def endpoint(request: pytest.FixtureRequest):
    if request.param == "jobtable":
        # The suite's shared `jobtable serve` subprocess (tests/conftest.py). Its clock is
        # manual, which does not matter here: the jobs layer stamps times with its own clock.
        yield Endpoint("jobtable", request.getfixturevalue("http_server").endpoint)
        return
    server = start_server("moto")
    yield Endpoint("moto", server.url)
    server.stop()


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
    return ManualClock(start=1_795_600_000.0)  # 2026-11-25T09:46:40Z, a fixed "now"


@pytest.fixture
def store(client, jobs_table, clock) -> JobStore:
    return JobStore(client, jobs_table, clock=clock)


def moto_is_wrong(request: pytest.FixtureRequest, endpoint: Endpoint, reason: str) -> None:
    """Expect the running test to fail on moto, for a reason in moto (strict: if moto is
    fixed the test XPASSes and fails, so the mark gets removed)."""
    if endpoint.kind == "moto":
        request.applymarker(pytest.mark.xfail(reason=f"moto: {reason}", strict=True))
