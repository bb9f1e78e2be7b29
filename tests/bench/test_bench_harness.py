"""The benchmark harness produces a well-formed result (no timed asserts: speed is the report's job)."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import orjson
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repo root holds `bench/`

from bench import rawload, report, targets  # noqa: E402
from bench.peers import TRIVIAL  # noqa: E402
from bench.dataset import FAILED, PENDING, job_item, status_of, user_count, user_window  # noqa: E402
from bench.run import main  # noqa: E402
from bench.timing import percentile, run_for  # noqa: E402
from bench.workloads import WORKLOADS_BY_NAME, FlipPool  # noqa: E402

pytestmark = pytest.mark.bench


def test_quick_run_in_process_writes_a_well_formed_result(tmp_path: Path) -> None:
    code = main([
        "--quick", "--peers", "jobtable-inprocess", "--no-trivial", "--raw-workloads", "none",
        "--sizes", "200", "--seconds", "0.05", "--out", str(tmp_path),
    ])
    assert code == 0
    [json_path] = tmp_path.glob("*.json")
    [md_path] = tmp_path.glob("*.md")
    results = orjson.loads(json_path.read_bytes())
    [run] = results["runs"]
    assert run["peer"] == "jobtable-inprocess" and run["n"] == 200 and "error" not in run
    assert run["load"]["items"] == 200
    assert set(run["boto3"]) == set(WORKLOADS_BY_NAME)
    get_item = run["boto3"]["get_item"]
    assert get_item["ops"] >= 1 and get_item["errors"] == 0
    assert get_item["median_ms"] <= get_item["p99_ms"]
    scan = run["boto3"]["scan_filter"]
    assert scan["errors"] == 0 and scan["units_per_op"] == 200  # every item seen once per pass
    assert len(results["targets"]) == len(targets.TARGETS)
    assert {t["status"] for t in results["targets"]} <= {"met", "gap", "not measured"}
    text = md_path.read_text()
    assert "## Targets" in text and "GetItem" in text


def _summary(ops_per_second: float, median_ms: float = 1.0) -> dict:
    return {"ops": 10, "ops_per_second": ops_per_second, "units_per_second": ops_per_second,
            "median_ms": median_ms, "p99_ms": median_ms * 2, "errors": 0}


def test_targets_and_ratios_are_computed_from_the_runs() -> None:
    results = {
        "runs": [
            {"peer": "jobtable", "n": 1000, "raw": {"get_item": _summary(12_000, 0.5)}, "boto3": {"get_item": _summary(900)}},
            {"peer": "jobtable", "n": 1_000_000, "raw": {"get_item": _summary(11_000, 0.6)}, "boto3": {},
             "import": {"import_seconds": 40.0, "import_items_per_second": 25_000.0},
             "backup": {"backup_seconds": 20.0, "restore_seconds": 70.0}},
            {"peer": "dynalite", "n": 1000, "raw": {"get_item": _summary(15_000)}, "boto3": {"get_item": _summary(800)}},
            {"peer": "trivial", "n": 1000, "boto3": {"get_item": _summary(1000)}},
        ],
        "startup": {"jobtable": {"samples": [0.4, 0.6], "median_seconds": 0.5}},
    }
    by_title = {t["target"]: t for t in targets.evaluate_targets(results)}
    raw = by_title["Raw GetItem throughput (8 connections) ≥ 1.2× dynalite in-memory (jobtable durable)"]
    assert raw["status"] == "gap" and raw["value"] == pytest.approx(0.8)
    flat = by_title["GetItem and GSI Query median latency at 1M ≤ 1.3× at 1k"]
    assert flat["status"] == "met" and flat["value"] == pytest.approx(1.2)
    assert by_title["Cold start to first answered request < 1 s"]["status"] == "met"
    assert by_title["Raw GetItem throughput (8 connections) ≥ 30× moto"]["status"] == "not measured"
    assert by_title["ImportTable / `jobtable import` ≥ 20k items/s"]["status"] == "met"
    backup = by_title["Backup and restore of 1M items each < 60 s"]
    assert backup["status"] == "gap" and backup["value"] == 70.0
    ceiling = by_title["boto3 GetItem/PutItem/UpdateItem ≥ 0.9× the trivial-server ceiling"]
    assert ceiling["status"] == "met" and ceiling["value"] == pytest.approx(0.9)
    [row] = [r for r in report.ratio_rows(results) if r["path"] == "raw"]
    assert row["vs"] == {"dynalite": 0.8}


def test_dataset_is_deterministic_and_shaped_for_constant_result_sizes() -> None:
    assert job_item(7, 1000) == job_item(7, 1000)
    statuses = [status_of(i) for i in range(20)]
    assert statuses.count(PENDING) == 4 and statuses.count(FAILED) == 1
    n = 20_000
    low, high = user_window(3, n, 10, 25)
    owned = [job_item(i, n)["createdAt"]["S"] for i in range(3, n, user_count(n))]
    assert sum(low <= c <= high for c in owned) == 25


def test_flip_pool_alternates_direction_each_pass() -> None:
    flips = FlipPool(40, (4,))
    first = [flips.next_transition() for _ in range(2)]
    second = [flips.next_transition() for _ in range(2)]
    assert [t[1:] for t in first] == [("processing", "completed")] * 2
    assert [t[1:] for t in second] == [("completed", "processing")] * 2


def test_timing_counts_failures_as_errors_not_samples() -> None:
    calls = iter([None, ValueError("nope"), None])

    def operation() -> None:
        outcome = next(calls)
        if outcome is not None:
            raise outcome

    summary = run_for(operation, seconds=60, max_ops=3).summary()  # max_ops ends it
    assert summary["ops"] == 2 and summary["errors"] == 1 and "nope" in summary["first_error"]
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.0 and percentile([1.0, 2.0], 0.99) == 2.0


@pytest.fixture
def trivial_endpoint(tmp_path: Path):
    peer = TRIVIAL.launch(tmp_path, tmp_path)
    try:
        yield peer.endpoint_url
    finally:
        peer.stop()


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")
def test_wrk_replays_the_presigned_requests(trivial_endpoint: str, tmp_path: Path) -> None:
    summary = rawload.run_raw(trivial_endpoint, "query_user", 1000, 1, tmp_path, use_wrk=True)
    assert summary["client"].startswith("wrk") and summary["ops"] > 0 and summary["errors"] == 0


def test_asyncio_fallback_replays_the_presigned_requests(trivial_endpoint: str, tmp_path: Path) -> None:
    summary = rawload.run_raw(trivial_endpoint, "get_item", 1000, 0.2, tmp_path, use_wrk=False)
    assert summary["client"].startswith("asyncio") and summary["ops"] > 0 and summary["errors"] == 0


def test_a_peer_that_cannot_be_installed_is_skipped_with_its_reason(tmp_path: Path, monkeypatch) -> None:
    from bench import dynalite_install

    monkeypatch.setattr(dynalite_install.shutil, "which", lambda name: None)
    code = main(["--quick", "--peers", "dynalite", "--no-trivial", "--sizes", "100", "--out", str(tmp_path)])
    assert code == 0
    results = orjson.loads(next(tmp_path.glob("*.json")).read_bytes())
    assert results["runs"] == []
    assert {s["peer"] for s in results["skipped"]} == {"dynalite", "dynalite-disk"}
    assert all("node is not installed" in s["reason"] for s in results["skipped"])
    assert "skipped **dynalite**" in next(tmp_path.glob("*.md")).read_text()
