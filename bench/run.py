"""``python -m bench.run``: start each peer, load N jobs, run every workload, write the report.

For each N, fresh servers of every peer (within its size cap) are started, so RSS and
start-up belong to that N; see bench/rounds.py for how the workloads interleave. The
trivial `{}` server runs alongside as the boto3 client's ceiling.
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
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import orjson

from bench import report
from bench.options import Options, parse_options
from bench.peers import PEERS, TRIVIAL, PeerSpec
from bench.rawload import install_wrk_if_possible
from bench.rounds import measure_size
from bench.targets import evaluate_targets

WORK_ROOT = Path(__file__).resolve().parent / ".work"


def log(message: str) -> None:
    print(message, flush=True)


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


def _partial_path(results: dict[str, Any], out_dir: Path) -> Path:
    return out_dir / f"partial-{results['started'].replace(':', '').replace('-', '')[:15]}.json"


def _save_partial(results: dict[str, Any], out_dir: Path) -> None:
    """The runs so far, rewritten after each N: an interrupted long run still leaves its numbers
    (`python -m bench.docs` renders a partial file like a finished one)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    _partial_path(results, out_dir).write_bytes(orjson.dumps(results, option=orjson.OPT_INDENT_2))


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
            "load_threads": options.load_threads, "rounds": options.rounds, "quick": options.quick,
        },
        "environment": _environment(use_wrk),
        "peers": {},
        "skipped": [],
        "capped": [],
        "runs": [],
        "startup": {},
        "notes": options.notes,
    }
    try:
        available: list[PeerSpec] = []
        for name in options.peers:
            spec = PEERS[name]
            reason = spec.unavailable_reason()
            if reason:
                log(f"SKIP {name}: {reason}")
                results["skipped"].append({"peer": name, "reason": reason})
                continue
            available.append(spec)
            results["peers"][name] = spec.description
            capped = options.sizes_for(name)[1]
            if capped:
                log(f"NOTE {name} capped at N ≤ {options.caps[name]:,}: N = {capped} not run (too slow to load and query)")
                results["capped"].append({"peer": name, "cap": options.caps[name], "sizes_not_run": capped})
        if options.trivial and available:
            results["peers"][TRIVIAL.name] = TRIVIAL.description
        for spec in [TRIVIAL, *available] if options.trivial else available:
            if not spec.in_process and options.startup_repeats:
                results["startup"][spec.name] = {"samples": measure_startups(spec, options.startup_repeats, workspace)}
        for n in options.sizes:
            specs = [s for s in available if n in options.sizes_for(s.name)[0]]
            if specs and options.trivial:
                specs.insert(0, TRIVIAL)
            if specs:
                results["runs"] += measure_size(n, specs, options, workspace, use_wrk, log)
                _save_partial(results, options.out_dir)
        for run_record in results["runs"]:
            if "startup_seconds" in run_record:
                entry = results["startup"].setdefault(run_record["peer"], {"samples": []})
                entry["samples"].append(run_record["startup_seconds"])
        for entry in results["startup"].values():
            entry["median_seconds"] = statistics.median(entry["samples"]) if entry["samples"] else None
    finally:
        results["finished"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
        shutil.rmtree(workspace, ignore_errors=True)
    return results


def main(argv: list[str] | None = None) -> int:
    command = "python -m bench.run " + " ".join(shlex.quote(a) for a in (sys.argv[1:] if argv is None else argv))
    options = parse_options(argv, command.strip())
    results = run(options)
    results["ratios"] = report.ratio_rows(results)
    results["targets"] = evaluate_targets(results)
    json_path, md_path = report.write(results, options.out_dir)
    _partial_path(results, options.out_dir).unlink(missing_ok=True)
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
