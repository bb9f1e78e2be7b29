"""Fixtures: an in-process engine with a seeded job table and the dashboard's ASGI app."""
from __future__ import annotations

from typing import Any, Iterator

import pytest
from tests.conftest import START_TIME
from tests.dashboard.helpers import LOCAL, TestClient
from tests.dashboard.seeding import JOB_TABLE, create_job_table, seed_jobs

from jobtable.clock import ManualClock
from jobtable.engine.engine import Engine
from jobtable.inprocess import client
from jobtable.jobs import JobStore
from jobtable.server.app import create_app


class Seeded:
    """An engine on a manual clock with the seed's job table and jobs in every status."""

    def __init__(self) -> None:
        self.engine = Engine(None, clock=ManualClock(START_TIME))
        self.ddb = client(engine=self.engine)
        create_job_table(self.ddb)
        self.engine.run_background_until_idle()
        self.store = JobStore(self.ddb, JOB_TABLE, clock=self.engine.clock)
        self.jobs = seed_jobs(self.store, self.advance)

    def advance(self, seconds: float) -> None:
        self.engine.clock.advance(seconds)
        self.engine.run_background_until_idle()


@pytest.fixture
def seeded() -> Iterator[Seeded]:
    made = Seeded()
    yield made
    made.engine.close()


@pytest.fixture
def ui(seeded: Seeded) -> Iterator[TestClient]:
    """The whole server app (API + dashboard mount), as a browser on loopback reaches it.
    (No lifespan: background work runs when the test moves the clock.)"""
    yield TestClient(create_app(seeded.engine), base_url=LOCAL)
