"""Fixtures for the TTL and Streams tests (black-box through boto3 on both backends)."""
from __future__ import annotations

from typing import Any, Callable

import pytest


@pytest.fixture
def streams(backend: Any) -> Any:
    return backend.client("dynamodbstreams")


@pytest.fixture
def now(backend: Any) -> Callable[[], float]:
    """The backend's current (manual) clock time."""
    return lambda: backend.advance(0)

