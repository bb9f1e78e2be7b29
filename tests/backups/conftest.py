"""Fixtures for the backup, PITR, export and import tests: in-process engines on a manual clock."""
from __future__ import annotations

from typing import Iterator

import pytest

from backup_helpers import LocalEngine


@pytest.fixture
def local() -> Iterator[LocalEngine]:
    env = LocalEngine()
    yield env
    env.engine.close()


@pytest.fixture
def local_on_disk(tmp_path) -> Iterator[LocalEngine]:
    env = LocalEngine(str(tmp_path / "data"))
    yield env
    env.engine.close()
