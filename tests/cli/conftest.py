import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "jobs")]

import pytest  # noqa: E402
from jobs_endpoints import client, clock, endpoint, store, jobs_table  # noqa: E402,F401  (fixtures)
from jobtable_cli import Run, run_jobtable  # noqa: E402


@pytest.fixture
def jobtable(endpoint, jobs_table):
    """`run_jobtable` pointed at the test's endpoint and table (through the env variables)."""

    def run(*args: str, check: bool = True, env: dict | None = None) -> Run:
        return run_jobtable(*args, check=check, env={
            "JOBTABLE_ENDPOINT_URL": endpoint.url, "JOBTABLE_TABLE": jobs_table,
            "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", **(env or {})})

    return run
