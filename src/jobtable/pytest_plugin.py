"""pytest plugin: a `dynamodb` fixture with a fresh in-memory jobtable engine per test.

    def test_my_code(dynamodb):
        dynamodb.create_table(...)

Also `dynamodb_resource`, and `jobtable_engine` (the engine itself, e.g. to move its
ManualClock). Installed automatically with jobtable (entry point `pytest11`).
"""
from __future__ import annotations

from typing import Any, Iterator

import pytest


@pytest.fixture
def jobtable_engine() -> Iterator[Any]:
    from jobtable.clock import ManualClock
    from jobtable.engine.engine import Engine

    engine = Engine(None, clock=ManualClock())
    yield engine
    engine.close()


@pytest.fixture
def dynamodb(jobtable_engine: Any) -> Any:
    from jobtable.inprocess import client

    return client(engine=jobtable_engine)


@pytest.fixture
def dynamodb_resource(jobtable_engine: Any) -> Any:
    from jobtable.inprocess import resource

    return resource(engine=jobtable_engine)
