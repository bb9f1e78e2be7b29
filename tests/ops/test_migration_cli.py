"""`jobtable copy/dump/load` as a user runs them: killed with SIGKILL half way, then resumed."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

import orjson
import pytest

from jobtable.ops.batch_writes import write_items
from jobtable.ops.transfer import table_digest
from tests.conftest import ServerProcess

from .helpers import create_simple_table, sample_item

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(scope="module")
def two_servers() -> Any:
    old, new = ServerProcess().start(), ServerProcess().start()
    yield old, new
    old.stop()
    new.stop()


def _jobtable(*args: str) -> list[str]:
    return [sys.executable, "-m", "jobtable.cli.main", *args]


def _written(checkpoint: str) -> int:
    try:
        return sum(s["written"] for s in orjson.loads(open(checkpoint, "rb").read())["segments"])
    except (OSError, ValueError):
        return 0


def test_copy_killed_half_way_resumes_and_verifies(two_servers: Any, tmp_path: Any) -> None:
    old, new = two_servers
    source, target = old.client(), new.client()
    create_simple_table(source, "jobs-old")
    write_items(source, "jobs-old", [sample_item(i) for i in range(3000)])
    checkpoint = str(tmp_path / "copy.json")
    command = _jobtable("copy", "jobs-old", "jobs-new", "--source-endpoint-url", old.endpoint,
                        "--target-endpoint-url", new.endpoint, "--page-size", "50", "--segments", "3", "--create-target",
                        "--transform", "tests.ops.flaky_transform:slow_identity", "--checkpoint", checkpoint, "-o", "json")
    copier = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while _written(checkpoint) < 900 and copier.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)  # polling the copier's checkpoint file, not waiting on a clock
    assert copier.poll() is None, "the copy finished before it could be interrupted"
    copier.send_signal(signal.SIGKILL)
    copier.wait()
    interrupted_at = _written(checkpoint)
    assert 900 <= interrupted_at < 3000

    finished = subprocess.run(command, cwd=REPO, capture_output=True, timeout=120)
    assert finished.returncode == 0, finished.stderr.decode()
    report = orjson.loads(finished.stdout)
    assert report["resumed"] and report["verified"] and report["written"] == 3000
    assert b"Resuming from checkpoint" in finished.stderr
    assert table_digest(source, "jobs-old") == table_digest(target, "jobs-new")


def test_dump_then_load_on_another_endpoint(two_servers: Any, tmp_path: Any) -> None:
    old, new = two_servers
    create_simple_table(old.client(), "dump-src")
    create_simple_table(new.client(), "dump-dst")
    write_items(old.client(), "dump-src", [sample_item(i) for i in range(80)])
    path = str(tmp_path / "jobs.jsonl")
    dumped = subprocess.run(_jobtable("dump", "dump-src", path, "--endpoint-url", old.endpoint, "-o", "json"),
                            cwd=REPO, capture_output=True, timeout=60)
    assert dumped.returncode == 0, dumped.stderr.decode()
    assert orjson.loads(dumped.stdout)["verified"]
    loaded = subprocess.run(_jobtable("load", path, "dump-dst", "--endpoint-url", new.endpoint),
                            cwd=REPO, capture_output=True, timeout=60)
    assert loaded.returncode == 0, loaded.stderr.decode()
    assert b"verified: 80 items" in loaded.stdout
    assert table_digest(old.client(), "dump-src") == table_digest(new.client(), "dump-dst")


def test_a_bad_transform_is_one_line_error(two_servers: Any) -> None:
    old, _ = two_servers
    result = subprocess.run(_jobtable("copy", "a-table", "b-table", "--source-endpoint-url", old.endpoint,
                                      "--transform", "nocolon"), cwd=REPO, capture_output=True, timeout=60)
    assert result.returncode != 0 and b"module:function" in result.stderr and b"Traceback" not in result.stderr
