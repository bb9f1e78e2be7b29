"""Tables for the multi-item tests (batches, transactions, PartiQL, legacy parameters)."""
from __future__ import annotations

import uuid
from typing import Any, Callable

import pytest

from .helpers import table_spec


@pytest.fixture
def make_table(ddb: Any, backend: Any) -> Callable[[str], str]:
    """Create a fresh table of a kind (hash, composite, lsi) and return its name."""
    def make(kind: str = "hash") -> str:
        name = f"m-{kind}-{uuid.uuid4().hex[:10]}"
        ddb.create_table(**table_spec(name, kind))
        backend.settle()
        return name
    return make
