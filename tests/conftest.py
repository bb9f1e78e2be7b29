"""Shared fixtures: every black-box test runs against the in-process client AND a real server.

`backend` is parametrized: "inprocess" (jobtable.client wired to a fresh engine) and "http"
(one `jobtable serve --in-memory --manual-clock` subprocess per session, on a free port).
Both expose boto3 clients and `advance(seconds)` to move the manual clock.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from typing import Any, Iterator

import boto3
import orjson
import pytest
import urllib.request
from botocore.config import Config

from jobtable.clock import ManualClock

START_TIME = 1_790_000_000.0  # 2026-09-21: a fixed start for manual clocks


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """A `jobtable serve` subprocess on a free port (killed at the end)."""

    def __init__(self, *args: str, data_dir: str | None = None, env: dict | None = None) -> None:
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        storage = ["--data-dir", data_dir] if data_dir else ["--in-memory"]
        self.args = [sys.executable, "-m", "jobtable.cli.main", "serve", "--port", str(self.port), *storage, *args]
        self.env = {**os.environ, **(env or {})}
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 20.0) -> "ServerProcess":
        self.proc = subprocess.Popen(self.args, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.proc.stderr.read().decode()}")
            try:
                urllib.request.urlopen(self.endpoint + "/health", timeout=1).read()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("server did not start in time")

    def stop(self, sig: int | None = None) -> int:
        if self.proc is None:
            return 0
        if sig is None:
            self.proc.terminate()
        else:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()

    def client(self, service: str = "dynamodb", **kwargs: Any) -> Any:
        kwargs.setdefault("config", Config(retries={"mode": "standard", "max_attempts": 1}))
        return boto3.client(service, endpoint_url=self.endpoint, region_name="us-east-1",
                            aws_access_key_id="test", aws_secret_access_key="test", **kwargs)

    def advance(self, seconds: float) -> float:
        req = urllib.request.Request(self.endpoint + "/_jobtable/clock", method="POST",
                                     data=orjson.dumps({"advance": seconds}))
        return orjson.loads(urllib.request.urlopen(req, timeout=30).read())["now"]

    def set_clock(self, epoch: float) -> float:
        req = urllib.request.Request(self.endpoint + "/_jobtable/clock", method="POST",
                                     data=orjson.dumps({"set": epoch}))
        return orjson.loads(urllib.request.urlopen(req, timeout=30).read())["now"]


class InProcessBackend:
    name = "inprocess"

    def __init__(self, data_dir: str | None = None, now: float = START_TIME) -> None:
        from jobtable.engine.engine import Engine

        self.engine = Engine(data_dir, clock=ManualClock(now))

    def client(self, service: str = "dynamodb", **kwargs: Any) -> Any:
        from jobtable.inprocess import client

        return client(service, engine=self.engine, **kwargs)

    def advance(self, seconds: float) -> float:
        now = self.engine.clock.advance(seconds)
        self.engine.run_background_until_idle()
        return now

    def settle(self) -> None:
        self.engine.run_background_until_idle()


class HttpBackend:
    name = "http"

    def __init__(self, server: ServerProcess) -> None:
        self.server = server
        self.endpoint = server.endpoint

    def client(self, service: str = "dynamodb", **kwargs: Any) -> Any:
        return self.server.client(service, **kwargs)

    def advance(self, seconds: float) -> float:
        return self.server.advance(seconds)

    def settle(self) -> None:
        self.server.advance(0)


@pytest.fixture(scope="session")
def http_server() -> Iterator[ServerProcess]:
    server = ServerProcess("--manual-clock").start()
    server.set_clock(START_TIME)
    yield server
    server.stop()


@pytest.fixture(params=["inprocess", "http"])
def backend(request: pytest.FixtureRequest) -> Iterator[Any]:
    if request.param == "inprocess":
        b = InProcessBackend()
        yield b
        b.engine.close()
    else:
        yield HttpBackend(request.getfixturevalue("http_server"))


@pytest.fixture
def ddb(backend: Any) -> Any:
    return backend.client("dynamodb")


@pytest.fixture
def table_name() -> str:
    return f"t-{uuid.uuid4().hex[:12]}"


def job_table_spec(name: str, **overrides: Any) -> dict:
    """The seed's job table (jobId key, StatusIndex and UserIndex on createdAt)."""
    from jobtable.server.provision import job_table_definition

    spec = job_table_definition(name)
    spec.pop("Tags", None)
    spec.update(overrides)
    return spec


@pytest.fixture
def job_table(ddb: Any, backend: Any, table_name: str) -> str:
    ddb.create_table(**job_table_spec(table_name))
    backend.settle()
    return table_name
