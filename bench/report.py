"""Ratios between peers, and the JSON + Markdown files of one run in bench/results/."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from bench.rawload import RAW_WORKLOADS
from bench.targets import CEILING, attempted_of, rate, summary_of
from bench.workloads import WORKLOADS_BY_NAME

SUBJECTS = ("jobtable", "jobtable-memory")


def _peers_in(results: dict[str, Any]) -> list[str]:
    return list(dict.fromkeys(r["peer"] for r in results["runs"]))


def _titles(path: str) -> dict[str, str]:
    if path == "raw":
        return {name: title for name, (title, _) in RAW_WORKLOADS.items()}
    return {name: w.title for name, w in WORKLOADS_BY_NAME.items()}


def ratio_rows(results: dict[str, Any]) -> list[dict[str, Any]]:
    """jobtable (durable and in-memory) throughput divided by each non-jobtable peer's."""
    peers = _peers_in(results)
    others = [p for p in peers if not p.startswith("jobtable")]  # the ceiling too: "fraction of it"
    sizes = sorted({r["n"] for r in results["runs"]})
    rows = []
    for subject in (s for s in SUBJECTS if s in peers):
        for path in ("boto3", "raw"):
            for workload in _titles(path):
                for n in sizes:
                    mine = summary_of(results, subject, n, path, workload)
                    if not mine:
                        continue
                    versus = {}
                    for other in others:
                        theirs = summary_of(results, other, n, path, workload)
                        if theirs:
                            versus[other] = round(rate(mine) / rate(theirs), 2)
                    if versus:
                        rows.append({"subject": subject, "path": path, "workload": workload, "n": n, "vs": versus})
    return rows


def _fmt_rate(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.0f}" if value >= 100 else f"{value:,.1f}"


def _cell(summary: dict[str, Any] | None) -> str:
    if not summary:
        return "–"
    if not summary.get("ops") or not summary.get("median_ms"):
        return "error¹"
    text = f"{_fmt_rate(rate(summary))} · {summary['median_ms']:.2f}/{summary['p99_ms']:.2f}"
    return text + (f" ({summary['errors']} err¹)" if summary.get("errors") else "")


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def _results_tables(results: dict[str, Any], path: str) -> list[str]:
    peers = _peers_in(results)
    lines: list[str] = []
    for n in sorted({r["n"] for r in results["runs"]}):
        present = [p for p in peers if any(r["peer"] == p and r["n"] == n for r in results["runs"])]
        header = ["workload", *(f"{p} (ceiling)" if p == CEILING else p for p in present)]
        rows = []
        for workload, title in _titles(path).items():
            cells = [_cell(attempted_of(results, p, n, path, workload)) for p in present]
            if all(c == "–" for c in cells):
                continue
            rows.append([title, *cells])
        if rows:
            lines += [f"**N = {n:,}**", "", *_table(header, rows), ""]
    failures = _failures(results, path)
    if failures:
        lines += ["¹ failed calls (first error of each):", "", *failures, ""]
    return lines


def _failures(results: dict[str, Any], path: str) -> list[str]:
    seen = {}
    for run in results["runs"]:
        for workload, summary in (run.get(path) or {}).items():
            if summary.get("errors") and summary.get("first_error"):
                seen.setdefault((run["peer"], workload), summary["first_error"])
    return [f"- {peer} {workload}: `{error[:200]}`" for (peer, workload), error in seen.items()]


def _peer_table(results: dict[str, Any]) -> list[str]:
    rows = []
    for run in results["runs"]:
        load = run.get("load") or {}
        rows.append([
            run["peer"], f"{run['n']:,}", f"{run.get('startup_seconds', 0):.3f}",
            _fmt_rate(load.get("items_per_second")) + ("" if load.get("via", "BatchWriteItem") == "BatchWriteItem" else " (PutItem)"),
            str(run.get("rss_loaded_mb") or "–"), str(run.get("rss_peak_mb") or "–"),
            (f"{run['restart_seconds']:.3f}" + ("" if run.get("data_survived_restart") else " (data lost!)"))
            if "restart_seconds" in run else "–",
            _backup_cell(run.get("backup")),
            _import_cell(run.get("import")),
            run.get("error", "")[:120],
        ])
    header = ["peer", "N", "start-up s", "load items/s (4 threads)", "RSS loaded MB", "RSS peak MB",
              "restart on data s", "backup / restore s", "import items/s", "error"]
    return _table(header, rows)


def _import_cell(result: dict[str, Any] | None) -> str:
    if not result:
        return "–"
    return "failed" if "error" in result else _fmt_rate(result["import_items_per_second"])


def _backup_cell(backup: dict[str, Any] | None) -> str:
    if not backup:
        return "–"
    if "error" in backup:
        return "unsupported" if "UnknownOperation" in backup["error"] else "failed"
    return f"{backup['backup_seconds']:.2f} / {backup['restore_seconds']:.2f}"


def _ratio_table(results: dict[str, Any], subject: str) -> list[str]:
    rows = [r for r in results.get("ratios", []) if r["subject"] == subject]
    others = list(dict.fromkeys(p for r in rows for p in r["vs"]))
    if not rows:
        return []
    body = [
        [r["path"], _titles(r["path"])[r["workload"]], f"{r['n']:,}", *[f"{r['vs'][o]:.2f}×" if o in r["vs"] else "–" for o in others]]
        for r in rows
    ]
    return _table(["path", "workload", "N", *[f"vs {o} (ceiling)" if o == CEILING else f"vs {o}" for o in others]], body)


def render_markdown(results: dict[str, Any]) -> str:
    env = results["environment"]
    lines = [
        f"# jobtable benchmark — {results['started']}",
        "",
        f"Command: `{results['command']}`  ",
        f"Machine: {env['cpus']} CPUs, {env['platform']}, Python {env['python']}, boto3 {env['boto3']}; "
        f"load average at start {env['load_average_at_start']}; raw client: {env['raw_client']}.",
        "",
    ]
    for skipped in results["skipped"]:
        lines.append(f"- skipped **{skipped['peer']}**: {skipped['reason']}")
    for capped in results["capped"]:
        lines.append(f"- **{capped['peer']}** capped at N ≤ {capped['cap']:,}: N = {capped['sizes_not_run']} not run (too slow to load and query)")
    for note in results.get("notes", []):
        lines.append(f"- {note}")
    lines += ["", "## Targets", ""]
    lines += _table(["target", "status", "measured"], [[t["target"], t["status"], t["measured"]] for t in results.get("targets", [])])
    lines += [
        "", "## Through boto3 (one client, one thread)", "",
        "Cells: throughput (ops/s; items/s for BatchWriteItem; items scanned/s for scans; cycles/s for the worker) "
        "· median/p99 latency in ms (a scan's latency is one whole-table pass).", "",
    ]
    lines += _results_tables(results, "boto3")
    lines += ["## Raw HTTP (8 connections, pre-signed requests)", "", "Cells: requests/s · median/p99 latency in ms.", ""]
    lines += _results_tables(results, "raw")
    lines += ["## Peers: start-up, load rate, memory", ""]
    lines += _peer_table(results)
    startup = results.get("startup") or {}
    if startup:
        lines += ["", "Start-up (spawn → first answered request), median: " + ", ".join(
            f"{p} {s['median_seconds']:.3f} s" for p, s in startup.items() if s.get("median_seconds") is not None)]
    for subject in SUBJECTS:
        table = _ratio_table(results, subject)
        if table:
            lines += ["", f"## Ratios: {subject} throughput ÷ peer throughput (> 1 means {subject} is faster)", "", *table]
    return "\n".join(lines) + "\n"


def write(results: dict[str, Any], out_dir: Path) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    json_path, md_path = out_dir / f"{stamp}.json", out_dir / f"{stamp}.md"
    json_path.write_bytes(orjson.dumps(results, option=orjson.OPT_INDENT_2))
    md_path.write_text(render_markdown(results))
    return json_path, md_path
