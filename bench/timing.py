"""Timed loops and their summary: median and p99 latency, throughput, errors."""
from __future__ import annotations

import math
import time
from typing import Any, Callable


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def summarize(latencies: list[float], elapsed: float, errors: int, first_error: str | None, units_per_op: int) -> dict[str, Any]:
    ordered = sorted(latencies)
    ops = len(latencies)
    return {
        "ops": ops,
        "seconds": round(elapsed, 4),
        "ops_per_second": round(ops / elapsed, 2) if elapsed else 0.0,
        "units_per_op": units_per_op,
        "units_per_second": round(ops * units_per_op / elapsed, 2) if elapsed else 0.0,
        "median_ms": round(percentile(ordered, 0.5) * 1000, 4) if ops else None,
        "p99_ms": round(percentile(ordered, 0.99) * 1000, 4) if ops else None,
        "errors": errors,
        "first_error": first_error,
    }


def run_for(
    operation: Callable[[], Any],
    seconds: float,
    *,
    max_ops: int | None = None,
    min_ops: int = 1,
    units_per_op: int = 1,
    max_errors: int = 20,
    warmup: int = 0,
) -> dict[str, Any]:
    """Call ``operation`` back to back for ``seconds`` (at least ``min_ops`` times).

    A failing call counts as an error, not as a latency sample; after ``max_errors``
    failures the loop stops (a peer that does not support the operation). ``warmup``
    untimed calls first: connection set-up and boto3's lazy loading are not the server's cost.
    """
    for _ in range(warmup):
        try:
            operation()
        except Exception:
            break  # the timed loop records the failure
    latencies: list[float] = []
    errors = 0
    first_error: str | None = None
    clock = time.perf_counter
    started = clock()
    deadline = started + seconds
    while True:
        before = clock()
        try:
            operation()
        except Exception as exc:  # the peer's failure is a result, not a crash
            errors += 1
            if first_error is None:
                first_error = f"{type(exc).__name__}: {exc}"[:400]
            if errors >= max_errors:
                break
        else:
            latencies.append(clock() - before)
        done = len(latencies) + errors
        if max_ops is not None and done >= max_ops:
            break
        if done >= min_ops and clock() >= deadline:
            break
    return summarize(latencies, clock() - started, errors, first_error, units_per_op)
