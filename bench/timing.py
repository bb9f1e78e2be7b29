"""Timed loops and their summary: median and p99 latency, throughput, errors.

A workload runs in several short rounds interleaved with the other peers (this machine's
background load drifts over minutes); ``Samples`` pools the rounds of one (peer, workload).
"""
from __future__ import annotations

import math
import statistics
import time
from dataclasses import dataclass, field
from typing import Any, Callable


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


@dataclass
class Samples:
    """Latencies, errors and busy time of one (peer, workload), pooled over rounds."""

    units_per_op: int = 1
    latencies: list[float] = field(default_factory=list)
    elapsed: float = 0.0
    errors: int = 0
    first_error: str | None = None

    def failed(self, exc: BaseException) -> None:
        self.errors += 1
        if self.first_error is None:
            self.first_error = f"{type(exc).__name__}: {exc}"[:400]

    def summary(self) -> dict[str, Any]:
        ordered = sorted(self.latencies)
        ops, elapsed = len(ordered), self.elapsed
        return {
            "ops": ops,
            "seconds": round(elapsed, 4),
            "ops_per_second": round(ops / elapsed, 2) if elapsed else 0.0,
            "units_per_op": self.units_per_op,
            "units_per_second": round(ops * self.units_per_op / elapsed, 2) if elapsed else 0.0,
            "median_ms": round(percentile(ordered, 0.5) * 1000, 4) if ops else None,
            "p99_ms": round(percentile(ordered, 0.99) * 1000, 4) if ops else None,
            "errors": self.errors,
            "first_error": self.first_error,
        }


def run_for(
    operation: Callable[[], Any],
    seconds: float,
    samples: Samples | None = None,
    *,
    max_ops: int | None = None,
    min_ops: int = 1,
    max_errors: int = 20,
    warmup: int = 0,
) -> Samples:
    """Call ``operation`` back to back for ``seconds`` (at least ``min_ops`` times).

    A failing call counts as an error, not as a latency sample; once ``max_errors``
    failures have accumulated the loop stops (a peer that does not support the operation).
    ``warmup`` untimed calls first: connection set-up and boto3's lazy loading are not
    the server's cost.
    """
    samples = samples if samples is not None else Samples()
    for _ in range(warmup):
        try:
            operation()
        except Exception:
            break  # the timed loop records the failure
    clock = time.perf_counter
    started = clock()
    deadline = started + seconds
    done = 0
    while samples.errors < max_errors:
        before = clock()
        try:
            operation()
        except Exception as exc:  # the peer's failure is a result, not a crash
            samples.failed(exc)
        else:
            samples.latencies.append(clock() - before)
        done += 1
        if max_ops is not None and done >= max_ops:
            break
        if done >= min_ops and clock() >= deadline:
            break
    samples.elapsed += clock() - started
    return samples


def pool_rounds(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """Combine per-round summaries of an external load tool (wrk) into one.

    Throughput is total good requests over total time; the median is the median of the
    rounds' medians and p99 the worst round's p99 (wrk gives percentiles, not samples).
    """
    good = [r for r in rounds if r.get("ops")]
    if not good:
        return rounds[-1] if rounds else {"ops": 0, "errors": 1, "first_error": "no rounds ran"}
    seconds = sum(r["seconds"] for r in good)
    errors = sum(r.get("errors", 0) for r in rounds)
    return {
        "client": good[0].get("client"),
        "rounds": len(rounds),
        "ops": sum(r["ops"] for r in good),
        "seconds": round(seconds, 4),
        "ops_per_second": round(sum(r["ops_per_second"] * r["seconds"] for r in good) / seconds, 2),
        "median_ms": round(statistics.median(r["median_ms"] for r in good), 4),
        "p99_ms": max(r["p99_ms"] for r in good),
        "errors": errors,
        "first_error": next((r["first_error"] for r in rounds if r.get("first_error")), None),
    }
