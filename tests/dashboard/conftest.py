"""Fixtures: an in-process engine with a seeded job table and the dashboard's ASGI app."""
from __future__ import annotations

import warnings
from typing import Any, Iterator

import pytest
from tests.conftest import START_TIME

from jobtable.clock import ManualClock
from jobtable.engine.engine import Engine
from jobtable.inprocess import client
from jobtable.jobs import JobStore
from jobtable.server.app import create_app

from seeding import JOB_TABLE, create_job_table, seed_jobs

with warnings.catch_warnings():  # Starlette 1.x prefers httpx2; httpx works the same here
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

LOCAL = "http://127.0.0.1:8000"


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


def csrf_of(html: str) -> str:
    """The caller's form token, from the page's <meta name="csrf-token">."""
    marker = '<meta name="csrf-token" content="'
    start = html.index(marker) + len(marker)
    return html[start:html.index('"', start)]


def form_post(ui: Any, path: str, data: dict[str, Any], page: str) -> Any:
    """POST a dashboard form with the CSRF token read from the page that holds it."""
    return ui.post(path, data={"csrf": csrf_of(ui.get(page).text), **data}, follow_redirects=False)
