"""``python -m bench.run``: start each peer, load N jobs, run every workload, write the report.

For each (peer, N) a fresh server is started (so RSS and start-up belong to that N), the
table is created and loaded, the boto3 workloads and then the raw-HTTP workloads run, the
disk-backed peers are restarted once on their data (restart time + a read-back), and the
server is stopped. The trivial `{}` server gives the boto3 client's ceiling.
"""
from __future__ import annotations

import os
import platform
import shlex
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bench import report
from bench.dataset import TABLE, job_id
from bench.loader import load_items
from bench.options import Options, parse_options
from bench.peers import PEERS, TRIVIAL, PeerSpec, RunningPeer
from bench.rawload import install_wrk_if_possible, run_raw
from bench.timing import run_for
from bench.workloads import WORKLOADS_BY_NAME, Context

WORK_ROOT = Path(__file__).resolve().parent / ".work"
SCAN_MAX_OPS = 5
POINT_WARMUP = 5
MB = 1024 * 1024


def log(message: str) -> None:
    print(message, flush=True)


class RssSampler:
    """Samples a peer's RSS in the background; ``peak_mb`` is the highest seen."""

    def __init__(self, peer: RunningPeer, interval: float = 0.25):
        self.peer, self.interval, self.peak = peer, interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, self.peer.rss_bytes() or 0)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak_mb(self) -> float | None:
        return round(self.peak / MB, 1) if self.peak else None


def _rss_mb(peer: RunningPeer) -> float | None:
    rss = peer.rss_bytes()
    return round(rss / MB, 1) if rss else None


def run_boto3_workloads(peer: RunningPeer, n: int, options: Options, names: list[str]) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for name in names:
        workload = WORKLOADS_BY_NAME[name]
        try:
            operation = workload.build(Context(peer.make_client, n))
        except Exception as exc:
            results[name] = {"errors": 1, "first_error": f"{type(exc).__name__}: {exc}"[:400], "ops": 0}
            continue
        scan = workload.kind == "scan"
        summary = run_for(
            operation,
            options.seconds,
            max_ops=SCAN_MAX_OPS if scan else None,
            units_per_op=workload.units_per_op(n),
            warmup=0 if scan else POINT_WARMUP,
        )
        getattr(operation, "close", lambda: None)()
        results[name] = summary
        log(f"    {name:<18} {summary['ops_per_second']:>10.1f} ops/s  median {summary['median_ms']} ms"
            f"  p99 {summary['p99_ms']} ms" + (f"  errors {summary['errors']}: {summary['first_error']}" if summary["errors"] else ""))
    return results


def run_raw_workloads(peer: RunningPeer, n: int, options: Options, scratch: Path, use_wrk: bool) -> dict[str, Any]:
    results: dict[str, Any] = {}
    if peer.endpoint_url is None:
        return results
    for name in options.raw_workloads:
        try:
            summary = run_raw(peer.endpoint_url, name, n, options.seconds, scratch, use_wrk)
        except Exception as exc:
            summary = {"ops": 0, "errors": 1, "first_error": f"{type(exc).__name__}: {exc}"[:400]}
        results[name] = summary
        log(f"    raw {name:<14} {summary.get('ops_per_second', 0):>10.1f} req/s  median {summary.get('median_ms')} ms"
            f"  p99 {summary.get('p99_ms')} ms" + (f"  errors {summary['errors']}: {summary['first_error']}" if summary.get("errors") else ""))
    return results


def _restart_and_read_back(spec: PeerSpec, scratch: Path, log_dir: Path) -> dict[str, Any]:
    """Disk-backed peers: start again on the same data; time it and read one job back."""
    peer = spec.launch(scratch, log_dir)
    try:
        item = peer.make_client().get_item(TableName=TABLE, Key={"jobId": {"S": job_id(0)}}).get("Item")
        return {"restart_seconds": round(peer.startup_seconds or 0, 4), "data_survived_restart": item is not None}
    finally:
        peer.stop()


def measure_peer_at(spec: PeerSpec, n: int, options: Options, workspace: Path, use_wrk: bool) -> dict[str, Any]:
    scratch = Path(tempfile.mkdtemp(prefix=f"{spec.name}-{n}-", dir=workspace))
    result: dict[str, Any] = {"peer": spec.name, "n": n}
    log(f"  {spec.name} N={n}: starting")
    started = time.perf_counter()
    peer = spec.launch(scratch, workspace)
    if peer.startup_seconds is None:
        peer.startup_seconds = time.perf_counter() - started
    result["startup_seconds"] = round(peer.startup_seconds, 4)
    try:
        with RssSampler(peer) as sampler:
            result["rss_idle_mb"] = _rss_mb(peer)
            result["load"] = load_items(peer, n, options.load_threads)
            log(f"    loaded {n} items in {result['load']['seconds']} s ({result['load']['items_per_second']} items/s)")
            result["rss_loaded_mb"] = _rss_mb(peer)
            result["boto3"] = run_boto3_workloads(peer, n, options, options.workloads)
            result["raw"] = run_raw_workloads(peer, n, options, scratch, use_wrk)
            result["rss_end_mb"] = _rss_mb(peer)
        result["rss_peak_mb"] = sampler.peak_mb
    except Exception as exc:
        result["error"] = f"{type(exc).__name__}: {exc}"[:600]
        log(f"    FAILED: {result['error']}")
    finally:
        peer.stop()
    if spec.name in ("jobtable", "dynalite-disk") and "error" not in result:
        try:
            result.update(_restart_and_read_back(spec, scratch, workspace))
        except Exception as exc:
            result["restart_error"] = f"{type(exc).__name__}: {exc}"[:400]
    shutil.rmtree(scratch, ignore_errors=True)
    return result


def measure_startups(spec: PeerSpec, repeats: int, workspace: Path) -> list[float]:
    """Extra cold starts on an empty data directory: spawn → first answered request."""
    times = []
    for _ in range(repeats):
        scratch = Path(tempfile.mkdtemp(prefix=f"{spec.name}-start-", dir=workspace))
        started = time.perf_counter()
        peer = spec.launch(scratch, workspace)
        times.append(round(peer.startup_seconds or (time.perf_counter() - started), 4))
        peer.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    return times


def measure_ceiling(options: Options, workspace: Path, use_wrk: bool) -> dict[str, Any]:
    names = [w for w in options.workloads if WORKLOADS_BY_NAME[w].on_trivial]
    log("  trivial `{}` server (the client's ceiling)")
    peer = TRIVIAL.launch(workspace, workspace)
    try:
        n = min(options.sizes)
        return {
            "peer": TRIVIAL.name,
            "startup_seconds": round(peer.startup_seconds or 0, 4),
            "rss_mb": _rss_mb(peer),
            "boto3": run_boto3_workloads(peer, n, options, names),
            "raw": run_raw_workloads(peer, n, options, workspace, use_wrk),
        }
    finally:
        peer.stop()


def _environment(use_wrk: bool) -> dict[str, Any]:
    import boto3

    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "boto3": boto3.__version__,
        "raw_client": "wrk" if use_wrk else "asyncio fallback",
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def run(options: Options) -> dict[str, Any]:
    WORK_ROOT.mkdir(parents=True, exist_ok=True)
    workspace = Path(tempfile.mkdtemp(prefix="run-", dir=WORK_ROOT))
    use_wrk = bool(options.raw_workloads) and install_wrk_if_possible(log)
    if options.raw_workloads and not use_wrk:
        options.notes.append("wrk could not be installed: raw HTTP load used the asyncio client, which saturates sooner.")
    results: dict[str, Any] = {
        "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": options.command,
        "options": {
            "sizes": options.sizes, "seconds": options.seconds, "peers": options.peers,
            "workloads": options.workloads, "raw_workloads": options.raw_workloads,
            "load_threads": options.load_threads, "quick": options.quick,
        },
        "environment": _environment(use_wrk),
        "peers": {},
        "skipped": [],
        "capped": [],
        "runs": [],
        "startup": {},
        "ceiling": None,
        "notes": options.notes,
    }
    try:
        if options.trivial:
            results["ceiling"] = measure_ceiling(options, workspace, use_wrk)
        for name in options.peers:
            spec = PEERS[name]
            reason = spec.unavailable_reason()
            if reason:
                log(f"SKIP {name}: {reason}")
                results["skipped"].append({"peer": name, "reason": reason})
                continue
            results["peers"][name] = spec.description
            sizes, capped = options.sizes_for(name)
            if capped:
                message = f"{name} capped at N≤{options.caps[name]}: sizes {capped} not run (too slow to load and query)"
                log("NOTE " + message)
                results["capped"].append({"peer": name, "cap": options.caps[name], "sizes_not_run": capped})
            log(f"== {name}: {spec.description}")
            startups = [] if spec.in_process else measure_startups(spec, options.startup_repeats, workspace)
            for n in sizes:
                run_result = measure_peer_at(spec, n, options, workspace, use_wrk)
                results["runs"].append(run_result)
                startups.append(run_result["startup_seconds"])
            results["startup"][name] = {"samples": startups, "median_seconds": statistics.median(startups) if startups else None}
    finally:
        results["finished"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
        shutil.rmtree(workspace, ignore_errors=True)
    return results


def main(argv: list[str] | None = None) -> int:
    command = "python -m bench.run " + " ".join(shlex.quote(a) for a in (sys.argv[1:] if argv is None else argv))
    options = parse_options(argv, command.strip())
    results = run(options)
    results["ratios"] = report.ratio_rows(results)
    results["targets"] = report.evaluate_targets(results)
    json_path, md_path = report.write(results, options.out_dir)
    log(f"\nresults: {json_path}\n         {md_path}")
    if options.write_docs:
        from bench.docs import write_performance_doc

        log(f"docs:    {write_performance_doc(results, md_path)}")
    print(md_path.read_text())
    return 0


def _stop_on_sigterm(*_: Any) -> None:
    raise KeyboardInterrupt  # unwinds through the finally blocks that stop every peer


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    raise SystemExit(main())
