"""The issue's performance targets, each judged met / gap / not measured from one run."""
from __future__ import annotations

from typing import Any, Callable

SUBJECT = "jobtable"  # durable on disk: the configuration the targets are about
CEILING = "trivial"  # the `{}` server: the most the boto3 client can do


def attempted_of(results: dict[str, Any], peer: str, n: int, path: str, workload: str) -> dict[str, Any] | None:
    """The (peer, N, path, workload) summary, even when every call failed."""
    for run in results["runs"]:
        if run["peer"] == peer and run["n"] == n:
            return (run.get(path) or {}).get(workload)
    return None


def summary_of(results: dict[str, Any], peer: str, n: int, path: str, workload: str) -> dict[str, Any] | None:
    """The (peer, N, path, workload) summary if it ran without failing entirely."""
    summary = attempted_of(results, peer, n, path, workload)
    if summary and summary.get("ops") and summary.get("units_per_second", summary.get("ops_per_second")):
        return summary
    return None


def rate(summary: dict[str, Any]) -> float:
    return summary.get("units_per_second", summary["ops_per_second"])


def sizes_of(results: dict[str, Any], peer: str) -> list[int]:
    return sorted({r["n"] for r in results["runs"] if r["peer"] == peer})


def _ratio_target(
    results: dict[str, Any], title: str, path: str, workloads: list[str], other: str, minimum: float
) -> dict[str, Any]:
    """Worst jobtable/other throughput ratio over the workloads and every N both ran."""
    worst: tuple[float, str] | None = None
    for workload in workloads:
        for n in sizes_of(results, SUBJECT):
            mine, theirs = summary_of(results, SUBJECT, n, path, workload), summary_of(results, other, n, path, workload)
            if mine and theirs:
                ratio = rate(mine) / rate(theirs)
                if worst is None or ratio < worst[0]:
                    worst = (ratio, f"{workload} at N={n}")
    if worst is None:
        return _unmeasured(title, f"needs {SUBJECT} and {other} results on the {path} path")
    return _judged(title, worst[0] >= minimum, f"{worst[0]:.2f}× (worst: {worst[1]})", worst[0])


def _ceiling_target(results: dict[str, Any], title: str, workloads: list[str], minimum: float) -> dict[str, Any]:
    """jobtable's boto3 rate as a fraction of the trivial server's, measured at the same N."""
    target = _ratio_target(results, title, "boto3", workloads, CEILING, minimum)
    target["measured"] = target["measured"].replace("×", "× of the ceiling", 1) if target["value"] is not None else target["measured"]
    return target


def _scan_target(results: dict[str, Any]) -> dict[str, Any]:
    title = "Full Scan (FilterExpression) of 100k items ≤ 1.5 s"
    summary = summary_of(results, SUBJECT, 100_000, "boto3", "scan_filter")
    if summary is None:
        failed = attempted_of(results, SUBJECT, 100_000, "boto3", "scan_filter")
        if failed and failed.get("first_error"):
            return {"target": title, "status": "gap", "measured": failed["first_error"][:200], "value": None}
        return _unmeasured(title, "needs jobtable at N=100000")
    seconds = summary["median_ms"] / 1000
    return _judged(title, seconds <= 1.5, f"{seconds:.2f} s", seconds)


def _flat_latency_target(results: dict[str, Any]) -> dict[str, Any]:
    title = "GetItem and GSI Query median latency at 1M ≤ 1.3× at 1k"
    worst: tuple[float, str] | None = None
    for workload in ("get_item", "query_status", "query_user"):
        for path in ("raw", "boto3"):
            small = summary_of(results, SUBJECT, 1_000, path, workload)
            large = summary_of(results, SUBJECT, 1_000_000, path, workload)
            if small and large:
                ratio = large["median_ms"] / small["median_ms"]
                if worst is None or ratio > worst[0]:
                    worst = (ratio, f"{workload} via {path}")
                break  # the raw path shows the server's own cost; boto3 only when raw is absent
    if worst is None:
        return _unmeasured(title, "needs jobtable at N=1000 and N=1000000")
    return _judged(title, worst[0] <= 1.3, f"{worst[0]:.2f}× (worst: {worst[1]})", worst[0])


def _inprocess_target(results: dict[str, Any]) -> dict[str, Any]:
    title = "In-process client ≥ 2× the HTTP path on GetItem (boto3 both)"
    worst: tuple[float, str] | None = None
    for http_peer in ("jobtable-memory", SUBJECT):
        for n in sizes_of(results, "jobtable-inprocess"):
            inproc = summary_of(results, "jobtable-inprocess", n, "boto3", "get_item")
            http = summary_of(results, http_peer, n, "boto3", "get_item")
            if inproc and http:
                ratio = inproc["ops_per_second"] / http["ops_per_second"]
                if worst is None or ratio < worst[0]:
                    worst = (ratio, f"vs {http_peer} at N={n}")
    if worst is None:
        return _unmeasured(title, "needs jobtable-inprocess and an HTTP jobtable run at the same N")
    return _judged(title, worst[0] >= 2.0, f"{worst[0]:.2f}× (worst: {worst[1]})", worst[0])


def _rss_target(results: dict[str, Any]) -> dict[str, Any]:
    title = "RSS ≤ 300 MB serving a 1M-item table"
    run = next((r for r in results["runs"] if r["peer"] == SUBJECT and r["n"] == 1_000_000), None)
    peak = run and (run.get("rss_peak_mb") or run.get("rss_end_mb"))
    if not peak:
        return _unmeasured(title, "needs jobtable at N=1000000")
    return _judged(title, peak <= 300, f"{peak:.0f} MB peak", peak)


def _import_target(results: dict[str, Any]) -> dict[str, Any]:
    title = "ImportTable / `jobtable import` ≥ 20k items/s"
    runs = sorted((r for r in results["runs"] if r["peer"] == SUBJECT and "import" in r), key=lambda r: r["n"])
    if not runs:
        return _unmeasured(title, "no ImportTable result for jobtable in this run (needs ImportTable on the server, and no --no-backups)")
    largest = runs[-1]
    if "error" in largest["import"]:
        return {"target": title, "status": "gap", "measured": f"failed: {largest['import']['error'][:160]}", "value": None}
    rate = largest["import"]["import_items_per_second"]
    measured = f"{rate:,.0f} items/s (ImportTable of {largest['n']:,} items, {largest['import']['import_seconds']:.1f} s)"
    return _judged(title, rate >= 20_000, measured, rate)


def _backup_target(results: dict[str, Any]) -> dict[str, Any]:
    title = "Backup and restore of 1M items each < 60 s"
    run = next((r for r in results["runs"] if r["peer"] == SUBJECT and r["n"] == 1_000_000), None)
    if run is None or "backup" not in run:
        return _unmeasured(title, "needs jobtable at N=1000000 (without --no-backups)")
    backup = run["backup"]
    if "error" in backup:
        return {"target": title, "status": "gap", "measured": f"failed: {backup['error'][:160]}", "value": None}
    worst = max(backup["backup_seconds"], backup["restore_seconds"])
    measured = f"backup {backup['backup_seconds']:.1f} s, restore {backup['restore_seconds']:.1f} s"
    return _judged(title, worst < 60, measured, worst)


def _startup_target(results: dict[str, Any]) -> dict[str, Any]:
    title = "Cold start to first answered request < 1 s"
    startup = (results.get("startup") or {}).get(SUBJECT) or {}
    if not startup.get("median_seconds"):
        return _unmeasured(title, "needs a jobtable start")
    seconds = startup["median_seconds"]
    return _judged(title, seconds < 1.0, f"{seconds:.2f} s median of {len(startup['samples'])} starts", seconds)


def _judged(title: str, met: bool, measured: str, value: float) -> dict[str, Any]:
    return {"target": title, "status": "met" if met else "gap", "measured": measured, "value": round(value, 4)}


def _unmeasured(title: str, why: str) -> dict[str, Any]:
    return {"target": title, "status": "not measured", "measured": why, "value": None}


TARGETS: list[Callable[[dict[str, Any]], dict[str, Any]]] = [
    lambda r: _ratio_target(r, "Raw GetItem throughput (8 connections) ≥ 1.2× dynalite in-memory (jobtable durable)", "raw", ["get_item"], "dynalite", 1.2),
    lambda r: _ratio_target(r, "Raw GetItem throughput (8 connections) ≥ 30× moto", "raw", ["get_item"], "moto", 30.0),
    lambda r: _ceiling_target(r, "boto3 GetItem/PutItem/UpdateItem ≥ 0.9× the trivial-server ceiling", ["get_item", "put_item", "update_item"], 0.9),
    lambda r: _ratio_target(r, "boto3 Query on either GSI ≥ 1.2× dynalite", "boto3", ["query_status", "query_user"], "dynalite", 1.2),
    lambda r: _ratio_target(r, "boto3 BatchWriteItem items/s ≥ 1.5× dynalite", "boto3", ["batch_write_item"], "dynalite", 1.5),
    _scan_target,
    _flat_latency_target,
    _inprocess_target,
    _import_target,
    _backup_target,
    _rss_target,
    _startup_target,
]


def evaluate_targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    return [target(results) for target in TARGETS]
