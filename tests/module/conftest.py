"""Fixtures: one server per backend for the session, a fresh TableModule factory per test."""
from __future__ import annotations

import itertools
import time
from typing import Any, Callable, Iterator

import boto3
import pytest
from botocore.config import Config

from endpoint_servers import (
    BACKUP_OPERATIONS, MODULE_OPERATIONS, RunningServer, jobtable_server_available, missing_operations, moto_available,
    start_server,
)
from jobtable.clock import ManualClock
from jobtable.module import TableModule
from jobtable.module.waits import Waiter

BACKENDS = ["jobtable", "moto"]
_suffixes = itertools.count()


@pytest.fixture(scope="session", params=BACKENDS)
def endpoint(request: pytest.FixtureRequest) -> Iterator[RunningServer]:
    backend = request.param
    if backend == "jobtable" and not jobtable_server_available():
        pytest.skip("the jobtable server (jobtable.cli.serve) is not on this branch yet")
    if backend == "moto" and not moto_available():
        pytest.skip("moto[server] is not installed")
    server = start_server(backend)
    yield server
    server.stop()


@pytest.fixture
def client(endpoint: RunningServer) -> Any:
    session = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1")
    return session.client("dynamodb", endpoint_url=endpoint.url,
                          config=Config(retries={"max_attempts": 2, "mode": "standard"}))


def require(client: Any, operations: tuple[str, ...]) -> None:
    """Skip (naming what is missing) while the endpoint lacks operations the test needs."""
    missing = missing_operations(client, operations)
    if missing:
        pytest.skip(f"the endpoint does not serve {', '.join(missing)} yet")


@pytest.fixture
def backup_client(client: Any) -> Any:
    require(client, BACKUP_OPERATIONS)
    return client


@pytest.fixture
def clock() -> ManualClock:
    # Starts at the real time: endpoints stamp backups with their own clock.
    return ManualClock(start=time.time())


@pytest.fixture
def make_module(client: Any, clock: ManualClock, endpoint: RunningServer) -> Callable[..., TableModule]:
    """TableModule factory; each test gets its own resource_suffix so tables never collide."""
    require(client, MODULE_OPERATIONS)
    suffix = f"t{next(_suffixes)}x{int(time.time() * 1000) % 100000}"
    made: list[TableModule] = []

    def make(environment: str = "development", **kwargs: Any) -> TableModule:
        kwargs.setdefault("resource_suffix", suffix)
        # moto has no Contributor Insights; jobtable does.
        kwargs.setdefault("enable_contributor_insights", endpoint.name != "moto")
        module = TableModule("cloud-tools", environment, client=client, clock=clock,
                             waiter=Waiter(timeout=60, interval=0.02, max_interval=0.2), **kwargs)
        made.append(module)
        return module

    yield make
    for module in made[-1:]:
        try:
            module.client.update_table(TableName=module.name, DeletionProtectionEnabled=False)
            module.destroy()
        except Exception:
            pass
