"""One table size N: every peer up and loaded at once, workloads run in interleaved rounds.

This box's background load drifts over minutes, so peers take turns on each workload
(round r starts with a different peer) and each peer's rounds are pooled. Ratios between
peers then compare like with like.
"""
from __future__ import annotations

import math
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from bench.backups import measure_backup_restore
from bench.dataset import TABLE, job_id
from bench.imports import measure_import
from bench.loader import load_items
from bench.memory import RssSampler, rss_mb
from bench.options import Options
from bench.peers import PeerSpec, RunningPeer
from bench.rawload import run_raw
from bench.timing import Samples, pool_rounds, run_for
from bench.workloads import WORKLOADS_BY_NAME, Context

POINT_WARMUP = 5
SCAN_MAX_OPS = 6  # whole-table passes per peer and scan workload, over all rounds
DISK_PEERS = ("jobtable", "dynalite-disk")


@dataclass
class Live:
    """A peer that is up at this N, with its result record."""

    spec: PeerSpec
    peer: RunningPeer
    scratch: Path
    result: dict[str, Any]
    sampler: RssSampler
    operations: dict[str, Callable[[], Any]] = field(default_factory=dict)

    @property
    def is_ceiling(self) -> bool:
        return self.spec.family == "trivial"


def _turns(lives: list[Live], round_number: int) -> list[Live]:
    shift = round_number % len(lives) if lives else 0
    return lives[shift:] + lives[:shift]


def _start(spec: PeerSpec, n: int, options: Options, workspace: Path, log: Callable[[str], None]) -> Live | dict[str, Any]:
    """Launch and load one peer; returns its Live, or a result record with the error."""
    scratch = Path(tempfile.mkdtemp(prefix=f"{spec.name}-{n}-", dir=workspace))
    result: dict[str, Any] = {"peer": spec.name, "n": n, "rounds": options.rounds}
    started = time.perf_counter()
    try:
        peer = spec.launch(scratch, workspace)
    except Exception as exc:
        shutil.rmtree(scratch, ignore_errors=True)
        return {**result, "error": f"start failed: {type(exc).__name__}: {exc}"[:600]}
    result["startup_seconds"] = round(peer.startup_seconds or (time.perf_counter() - started), 4)
    result["rss_idle_mb"] = rss_mb(peer)
    live = Live(spec, peer, scratch, result, RssSampler(peer).start())
    if live.is_ceiling:
        return live
    try:
        result["load"] = load_items(peer, n, options.load_threads)
        log(f"  {spec.name}: loaded {n:,} items in {result['load']['seconds']} s "
            f"({result['load']['items_per_second']:,.0f} items/s via {result['load']['via']})")
        result["rss_loaded_mb"] = rss_mb(peer)
        return live
    except Exception as exc:
        result["error"] = f"load failed: {type(exc).__name__}: {exc}"[:600]
        _stop(live)
        return result
    except BaseException:  # interrupted while loading: this peer is not in `lives` yet
        _stop(live)
        raise


def _stop(live: Live) -> None:
    live.sampler.stop()
    live.result.setdefault("rss_peak_mb", live.sampler.peak_mb)
    live.peer.stop()


def _backup_and_restore(live: Live, n: int, log: Callable[[str], None]) -> None:
    # The serving peak is taken first: a restore holds a second copy of the table.
    live.result["rss_peak_mb"] = live.sampler.peak_mb
    try:
        live.result["backup"] = measure_backup_restore(live.peer.make_client(), n)
        log(f"    backup/restore       {live.spec.name:<19} {live.result['backup']}")
    except Exception as exc:
        live.result["backup"] = {"error": f"{type(exc).__name__}: {exc}"[:400]}
        log(f"    backup/restore       {live.spec.name:<19} not supported: {live.result['backup']['error'][:120]}")
    live.result["rss_peak_with_backup_mb"] = max(live.sampler.peak_mb or 0, live.result["rss_peak_mb"] or 0) or None


def _log_summary(log: Callable[[str], None], prefix: str, peer: str, summary: dict[str, Any]) -> None:
    errors = f"  errors {summary['errors']}: {summary['first_error']}" if summary.get("errors") else ""
    log(f"    {prefix:<18} {peer:<19} {summary.get('ops_per_second', 0):>10,.1f}/s  median {summary.get('median_ms')} ms"
        f"  p99 {summary.get('p99_ms')} ms{errors}")


def _run_boto3_workload(name: str, lives: list[Live], n: int, options: Options, log: Callable[[str], None]) -> None:
    workload = WORKLOADS_BY_NAME[name]
    players = [live for live in lives if workload.on_trivial or not live.is_ceiling]
    samples: dict[str, Samples] = {}
    for live in list(players):
        samples[live.spec.name] = Samples(units_per_op=workload.units_per_op(n))
        try:
            live.operations[name] = workload.build(
                Context(live.peer.make_client, n, verify=not live.is_ceiling, scan_timeout=options.scan_timeout)
            )
        except Exception as exc:
            samples[live.spec.name].failed(exc)
            players.remove(live)
    scan = workload.kind == "scan"
    per_round = options.seconds / options.rounds
    for round_number in range(options.rounds):
        for live in _turns(players, round_number):
            run_for(
                live.operations[name],
                per_round,
                samples[live.spec.name],
                max_ops=math.ceil(SCAN_MAX_OPS / options.rounds) if scan else None,
                max_errors=1 if scan else 20,  # one abandoned pass says it all
                warmup=POINT_WARMUP if round_number == 0 and not scan else 0,
            )
    for live in lives:
        if live.spec.name in samples:
            summary = samples[live.spec.name].summary()
            live.result.setdefault("boto3", {})[name] = summary
            _log_summary(log, name, live.spec.name, summary)
        getattr(live.operations.pop(name, None), "close", lambda: None)()


def _run_raw_workload(name: str, lives: list[Live], n: int, options: Options, use_wrk: bool, log: Callable[[str], None]) -> None:
    players = [live for live in lives if live.peer.endpoint_url is not None]
    rounds: dict[str, list[dict[str, Any]]] = {live.spec.name: [] for live in players}
    per_round = max(1.0, options.seconds / options.rounds)
    for round_number in range(options.rounds):
        for live in _turns(players, round_number):
            try:
                summary = run_raw(live.peer.endpoint_url, name, n, per_round, live.scratch, use_wrk)
            except Exception as exc:
                summary = {"ops": 0, "errors": 1, "first_error": f"{type(exc).__name__}: {exc}"[:400]}
            rounds[live.spec.name].append(summary)
    for live in players:
        pooled = pool_rounds(rounds[live.spec.name])
        live.result.setdefault("raw", {})[name] = pooled
        _log_summary(log, "raw " + name, live.spec.name, pooled)


def _restart_and_read_back(live: Live) -> None:
    """Disk-backed peers: start again on the same data; time it and read one job back."""
    try:
        peer = live.spec.launch(live.scratch, live.scratch.parent)
    except Exception as exc:
        live.result["restart_error"] = f"{type(exc).__name__}: {exc}"[:400]
        return
    try:
        item = peer.make_client().get_item(TableName=TABLE, Key={"jobId": {"S": job_id(0)}}).get("Item")
        live.result["restart_seconds"] = round(peer.startup_seconds or 0, 4)
        live.result["data_survived_restart"] = item is not None
    finally:
        peer.stop()


def _import(live: Live, n: int, log: Callable[[str], None]) -> None:
    try:
        live.result["import"] = measure_import(live.peer.make_client(), Path(live.peer.extra["s3_root"]), n)
        log(f"    import               {live.spec.name:<19} {live.result['import']}")
    except Exception as exc:
        live.result["import"] = {"error": f"{type(exc).__name__}: {exc}"[:400]}
        log(f"    import               {live.spec.name:<19} failed: {live.result['import']['error'][:160]}")


def measure_size(
    n: int, specs: list[PeerSpec], options: Options, workspace: Path, use_wrk: bool, log: Callable[[str], None]
) -> list[dict[str, Any]]:
    """Results of every peer in ``specs`` at N (failed peers carry an ``error``)."""
    log(f"== N = {n:,}: {', '.join(s.name for s in specs)}")
    records: list[dict[str, Any]] = []
    lives: list[Live] = []
    try:
        for spec in specs:
            started = _start(spec, n, options, workspace, log)
            if isinstance(started, Live):
                lives.append(started)
                records.append(started.result)
            else:
                log(f"  {spec.name}: {started['error']}")
                records.append(started)
        for name in options.workloads:
            _run_boto3_workload(name, lives, n, options, log)
        for name in options.raw_workloads:
            _run_raw_workload(name, lives, n, options, use_wrk, log)
        for live in lives:
            live.result["rss_end_mb"] = rss_mb(live.peer)
        if options.backups:
            for live in lives:
                if not live.is_ceiling:
                    _backup_and_restore(live, n, log)
                if "s3_root" in live.peer.extra:
                    _import(live, n, log)
    finally:
        for live in lives:
            _stop(live)
    for live in lives:
        if live.spec.name in DISK_PEERS and "error" not in live.result:
            _restart_and_read_back(live)
        shutil.rmtree(live.scratch, ignore_errors=True)
    return records
