"""A bounded, in-memory CloudWatch metric store at 1-minute resolution.

Each series (namespace, metric name, dimensions) keeps one aggregate per minute —
SampleCount, Sum, Minimum, Maximum — which is all CloudWatch's standard statistics need.
Bounds: points older than `retention_seconds` (default 24 hours) are pruned once a minute
and at most `max_series` series exist (new series beyond that are dropped and counted in
`dropped_series`), so memory stays below max_series x retention minutes x one small list.
Metrics are not persisted: a restart starts with empty history (DynamoDB's own metrics
live in CloudWatch, not in the table).

The store also keeps running totals per series since start, for Prometheus counters.
"""
from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from typing import Iterable, Iterator

Dimensions = tuple[tuple[str, str], ...]
SeriesKey = tuple[str, str, Dimensions]

MINUTE = 60
DEFAULT_RETENTION_SECONDS = 24 * 3600
DEFAULT_MAX_SERIES = 20000
STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")


def dimensions(**pairs: str | None) -> Dimensions:
    """Dimensions as a canonical (sorted) tuple, skipping unset ones."""
    return tuple(sorted((k, v) for k, v in pairs.items() if v is not None))


def canonical(dims: Iterable[tuple[str, str]]) -> Dimensions:
    return tuple(sorted(dims))


@dataclass(slots=True)
class Aggregate:
    """One minute (or one period) of samples."""

    count: float = 0.0
    total: float = 0.0
    minimum: float = math.inf
    maximum: float = -math.inf

    def add(self, value: float) -> None:
        self.count += 1
        self.total += value
        self.minimum = min(self.minimum, value)
        self.maximum = max(self.maximum, value)

    def add_repeated(self, value: float, times: float) -> None:
        """`times` samples of the same value (PutMetricData's Values/Counts)."""
        self.count += times
        self.total += value * times
        self.minimum = min(self.minimum, value)
        self.maximum = max(self.maximum, value)

    def merge(self, other: "Aggregate") -> None:
        self.count += other.count
        self.total += other.total
        self.minimum = min(self.minimum, other.minimum)
        self.maximum = max(self.maximum, other.maximum)

    def statistic(self, name: str) -> float:
        if name == "SampleCount":
            return self.count
        if name == "Sum":
            return self.total
        if name == "Average":
            return self.total / self.count if self.count else 0.0
        if name == "Minimum":
            return self.minimum
        if name == "Maximum":
            return self.maximum
        raise KeyError(name)


@dataclass(slots=True)
class Series:
    unit: str
    points: dict[int, Aggregate] = field(default_factory=dict)  # minute start (epoch s) -> aggregate
    lifetime: Aggregate = field(default_factory=Aggregate)


@dataclass
class Datapoint:
    timestamp: int  # period start, epoch seconds
    aggregate: Aggregate
    unit: str


class MetricStore:
    def __init__(self, retention_seconds: int = DEFAULT_RETENTION_SECONDS,
                 max_series: int = DEFAULT_MAX_SERIES) -> None:
        self.retention_seconds = retention_seconds
        self.max_series = max_series
        self.dropped_series = 0
        self._series: dict[SeriesKey, Series] = {}
        self._lock = threading.Lock()

    def _point(self, key: SeriesKey, unit: str, at: float) -> tuple[Series, Aggregate] | None:
        """The series and minute aggregate to add to (created on first use); None past max_series."""
        series = self._series.get(key)
        if series is None:
            if len(self._series) >= self.max_series:
                self.dropped_series += 1
                return None
            series = self._series[key] = Series(unit)
        minute = int(at // MINUTE) * MINUTE
        point = series.points.get(minute)
        if point is None:
            point = series.points[minute] = Aggregate()
        return series, point

    def record(self, namespace: str, name: str, dims: Dimensions, value: float, at: float,
               unit: str = "Count") -> None:
        """Add one sample to the minute containing `at` (on every request's path: kept lean)."""
        with self._lock:
            found = self._point((namespace, name, dims), unit, at)
            if found is not None:
                found[1].add(value)
                found[0].lifetime.add(value)

    def record_aggregate(self, namespace: str, name: str, dims: Dimensions, samples: Aggregate, at: float,
                         unit: str = "Count") -> None:
        """Add already aggregated samples (PutMetricData's StatisticValues) to the minute containing `at`."""
        with self._lock:
            found = self._point((namespace, name, dims), unit, at)
            if found is not None:
                found[1].merge(samples)
                found[0].lifetime.merge(samples)

    def has_point(self, namespace: str, name: str, dims: Dimensions, at: float) -> bool:
        series = self._series.get((namespace, name, dims))
        return series is not None and int(at // MINUTE) * MINUTE in series.points

    def prune(self, now: float) -> None:
        cutoff = now - self.retention_seconds
        with self._lock:
            for series in self._series.values():
                for minute in [m for m in series.points if m + MINUTE <= cutoff]:
                    del series.points[minute]

    def datapoints(self, namespace: str, name: str, dims: Dimensions, start: float, end: float,
                   period: int) -> list[Datapoint]:
        """Aggregates per `period` seconds in [start, end), aligned on `start`; empty periods left out."""
        with self._lock:
            series = self._series.get((namespace, name, dims))
            if series is None:
                return []
            buckets: dict[int, Aggregate] = {}
            for minute, point in series.points.items():
                if start <= minute < end:
                    slot = int(start + ((minute - start) // period) * period)
                    buckets.setdefault(slot, Aggregate()).merge(point)
            unit = series.unit
        return [Datapoint(t, buckets[t], unit) for t in sorted(buckets)]

    def series(self, namespace: str | None = None, name: str | None = None,
               wanted: Iterable[tuple[str, str | None]] = (), since: float | None = None) -> Iterator[SeriesKey]:
        """Series matching a ListMetrics-style filter (a None value matches any value of that name)."""
        filters = list(wanted)
        with self._lock:
            items = list(self._series.items())
        for key, series in items:
            if namespace is not None and key[0] != namespace:
                continue
            if name is not None and key[1] != name:
                continue
            present = dict(key[2])
            if any(k not in present or (v is not None and present[k] != v) for k, v in filters):
                continue
            if since is not None and not any(m >= since for m in series.points):
                continue
            yield key

    def lifetime(self) -> list[tuple[SeriesKey, str, Aggregate]]:
        """Running totals since start, for the Prometheus exposition."""
        with self._lock:
            return [(key, s.unit, Aggregate(s.lifetime.count, s.lifetime.total, s.lifetime.minimum,
                                            s.lifetime.maximum)) for key, s in self._series.items()]
