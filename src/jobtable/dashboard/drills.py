"""Restore drills on the Operations page: recent results read back from CloudWatch, and a
runner that starts a drill (jobtable.ops.drills) in the background.

A drill's result persists where `jobtable backups verify --publish-metric` puts it: the
CloudWatch namespace jobtable/RestoreDrills, dimension TableName, one datapoint per metric
at the drill's start time. So the page shows drills run from the CLI, cron or this page
alike, and reads them with GetMetricData, as it would on AWS. The backup a drill used is
named by matching its BackupAgeSeconds against ListBackups.
"""
from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

from botocore.exceptions import BotoCoreError, ClientError

from jobtable.dashboard.metrics import metric_points
from jobtable.ops.drills import DRILL_NAMESPACE, DrillReport, publish_drill_metrics, run_restore_drill

MINUTE = 60
# How far back the page looks: AWS keeps one-minute datapoints for 15 days (this server: 24 hours).
LOOKBACK_SECONDS = 14 * 86400
SHOWN = 10
# (metric, statistic): a minute with two drills shows its worst outcome.
DRILL_METRICS = (("RestoreDrillSuccess", "Minimum"), ("RestoreSeconds", "Maximum"), ("ExpectedItems", "Maximum"),
                 ("RestoredItems", "Minimum"), ("ChecksumMatch", "Minimum"), ("BackupAgeSeconds", "Maximum"),
                 ("RestoreDrillSuccess", "SampleCount"))
# Bounds: one drill per table at a time, and at most this many at once on the server.
MAX_RUNNING = 2
DRILL_TIMEOUT_SECONDS = 3600


@dataclass
class DrillResult:
    """One minute of drill metrics, as a row of the page."""

    at: float
    ok: bool
    drills: int
    restore_seconds: float | None
    expected_items: int | None
    restored_items: int | None
    checksum_match: bool | None  # None: no point-in-time cross-check
    backup_created_at: float | None
    backup_name: str | None = None
    backup_arn: str | None = None


def _query_id(metric: str, stat: str) -> str:
    return f"{metric[0].lower()}{metric[1:]}_{stat.lower()}"


def drill_results(cloudwatch: Any, table: str, now: float, lookback: int = LOOKBACK_SECONDS) -> list[DrillResult]:
    """The table's drills in the lookback window, newest first (one GetMetricData, pages followed)."""
    end = (int(now) // MINUTE + 1) * MINUTE
    queries = [{"Id": _query_id(metric, stat), "ReturnData": True, "MetricStat": {
        "Metric": {"Namespace": DRILL_NAMESPACE, "MetricName": metric,
                   "Dimensions": [{"Name": "TableName", "Value": table}]},
        "Period": MINUTE, "Stat": stat}} for metric, stat in DRILL_METRICS]
    found = metric_points(cloudwatch, {"MetricDataQueries": queries, "ScanBy": "TimestampDescending",
                                       "StartTime": dt.datetime.fromtimestamp(end - lookback, dt.timezone.utc),
                                       "EndTime": dt.datetime.fromtimestamp(end, dt.timezone.utc)})

    def value(metric: str, stat: str, at: float) -> float | None:
        return found.get(_query_id(metric, stat), {}).get(at)

    rows = []
    for at in sorted(found.get(_query_id("RestoreDrillSuccess", "Minimum"), {}), reverse=True)[:SHOWN]:
        seconds, expected, restored, match, age = (value(m, s, at) for m, s in DRILL_METRICS[1:6])
        rows.append(DrillResult(
            at=at, ok=value("RestoreDrillSuccess", "Minimum", at) == 1.0,
            drills=int(value("RestoreDrillSuccess", "SampleCount", at) or 1), restore_seconds=seconds,
            expected_items=None if expected is None else int(expected),
            restored_items=None if restored is None else int(restored),
            checksum_match=None if match is None else match == 1.0,
            backup_created_at=None if age is None else at - age))
    return rows


def name_backups(results: list[DrillResult], backups: list[dict[str, Any]]) -> None:
    """Name each result's backup: the one created BackupAgeSeconds before the drill started
    (the drill's datapoint is its start time floored to the minute, hence the one-minute window)."""
    for result in results:
        if result.backup_created_at is None:
            continue
        candidates = [b for b in backups if "BackupCreationDateTime" in b and
                      result.backup_created_at <= b["BackupCreationDateTime"].timestamp()
                      < result.backup_created_at + MINUTE]
        if len(candidates) == 1:
            result.backup_name, result.backup_arn = candidates[0].get("BackupName"), candidates[0]["BackupArn"]
            result.backup_created_at = candidates[0]["BackupCreationDateTime"].timestamp()


class DrillAlreadyRunning(ValueError):  # a refused request, shown like bad input
    pass


@dataclass
class DrillRun:
    """A drill this dashboard started: running while `report` is None."""

    table: str
    started_at: float
    thread: threading.Thread
    report: DrillReport | None = None
    error: str | None = None


class DrillRunner:
    """Runs drills on daemon threads so a drill of a large table never holds a page.

    `sleep` is what the drill does between DescribeTable polls (tests pump the engine's
    background work there instead of waiting)."""

    def __init__(self, sleep: Callable[[float], None] = time.sleep) -> None:
        self.sleep = sleep
        self._runs: dict[str, DrillRun] = {}
        self._lock = threading.Lock()

    def start(self, dynamodb: Any, cloudwatch: Any, table: str, now: Callable[[], float]) -> DrillRun:
        with self._lock:
            running = [r for r in self._runs.values() if r.report is None and r.error is None]
            if any(r.table == table for r in running):
                raise DrillAlreadyRunning(f"A restore drill of {table} is already running.")
            if len(running) >= MAX_RUNNING:
                raise DrillAlreadyRunning(f"{MAX_RUNNING} restore drills are already running; "
                                          "wait for one to finish.")
            thread = threading.Thread(target=self._run, name=f"restore-drill-{table}", daemon=True,
                                      args=(dynamodb, cloudwatch, table, now))
            run = self._runs[table] = DrillRun(table, now(), thread)
        thread.start()
        return run

    def _run(self, dynamodb: Any, cloudwatch: Any, table: str, now: Callable[[], float]) -> None:
        run = self._runs[table]
        try:
            report = run_restore_drill(dynamodb, table, timeout=DRILL_TIMEOUT_SECONDS, sleep=self.sleep, now=now)
            try:
                publish_drill_metrics(cloudwatch, report)
            except (ClientError, BotoCoreError) as exc:  # the drill still happened; say why it is not listed
                report.notes.append(f"result not published to CloudWatch: {exc}")
            run.report = report
        except Exception as exc:  # an unexpected failure must still end the run, visibly
            run.error = f"{type(exc).__name__}: {exc}"

    def latest(self, table: str) -> DrillRun | None:
        """The last drill of `table` this dashboard started (running or finished)."""
        with self._lock:
            return self._runs.get(table)

    def wait(self, table: str, timeout: float) -> DrillRun | None:
        run = self.latest(table)
        if run is not None:
            run.thread.join(timeout)
        return run
