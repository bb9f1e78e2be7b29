"""What the Jobs pages show, through the jobs API (`jobtable.jobs.JobStore`, boto3 only).

Filters map onto the GSIs exactly as the jobs API does (StatusIndex, UserIndex, createdAt
ranges; never a Scan). The chart counts the jobs created in each time bucket of the
window, stacked by their current status.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any, Mapping

from jobtable.dashboard import charts
from jobtable.dashboard.backend import Api
from jobtable.dashboard.tableinfo import describe, list_table_names
from jobtable.jobs import STATUSES, JobStore
from jobtable.jobs.schema import DEFAULT_TABLE_NAME, STATUS_INDEX, USER_INDEX
from jobtable.jobs.timestamps import parse_timestamp

DAY = 86400
CHART_MAX_JOBS = 5000  # jobs read for one chart (the window's newest, per status)
PAGE_SIZES = (10, 25, 50, 100)


def job_tables(ddb: Any) -> list[str]:
    """Tables shaped like the seed's job table (both GSIs present)."""
    found = []
    for name in list_table_names(ddb):
        indexes = {i["IndexName"] for i in describe(ddb, name).get("GlobalSecondaryIndexes", [])}
        if {STATUS_INDEX, USER_INDEX} <= indexes:
            found.append(name)
    return found


def default_job_table(candidates: list[str]) -> str | None:
    if DEFAULT_TABLE_NAME in candidates:
        return DEFAULT_TABLE_NAME
    return candidates[0] if candidates else None


def store_for(api: Api, table: str) -> JobStore:
    """A JobStore on the caller's signed client, on the server's clock (retry timestamps
    agree with the server's own time, `--manual-clock` included)."""
    return JobStore(api.dynamodb, table, clock=api.engine.clock)


@dataclass(frozen=True)
class JobFilters:
    status: str = ""
    user: str = ""
    date_from: str = ""  # YYYY-MM-DD, inclusive
    date_to: str = ""  # YYYY-MM-DD, inclusive (the whole day)
    limit: int = 25
    cursor: str = ""

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> "JobFilters":
        status = params.get("status", "")
        try:
            limit = int(params.get("limit") or 25)
        except ValueError:
            limit = 25
        return cls(status if status in STATUSES else "", params.get("user", "").strip(),
                   params.get("from", "").strip(), params.get("to", "").strip(),
                   limit if limit in PAGE_SIZES else 25, params.get("cursor", ""))

    @property
    def since(self) -> float | None:
        return parse_timestamp(self.date_from) if self.date_from else None

    @property
    def until(self) -> float | None:
        """Exclusive end: the day after `date_to`."""
        return parse_timestamp(self.date_to) + DAY if self.date_to else None

    def listing(self) -> dict[str, Any]:
        """Keyword arguments for JobStore.list_jobs."""
        return {"status": self.status or None, "user_id": self.user or None, "since": self.since,
                "until": self.until, "limit": self.limit, "cursor": self.cursor or None}

    def link(self, table: str, **changes: Any) -> dict[str, Any]:
        params = {"table": table, "status": self.status, "user": self.user, "from": self.date_from,
                  "to": self.date_to, "limit": self.limit if self.limit != 25 else "", "cursor": self.cursor}
        params.update(changes)
        return params


def chart_window(filters: JobFilters, now: float) -> tuple[float, float]:
    """[start, end) of the chart: the filter's dates, else the last 24 hours."""
    since, until = filters.since, filters.until
    if since is not None and until is not None:
        return since, max(until, since + 3600)
    if since is not None:
        return since, max(now, since + 3600)
    if until is not None:
        return until - 7 * DAY, until
    return now - DAY, now


def bucket_seconds(span: float) -> int:
    """Whole hours (or days), at most ~48 buckets across the window."""
    unit = 3600 if span <= 14 * DAY else DAY
    return unit * max(1, math.ceil(span / 48 / unit))


def status_chart(store: JobStore, filters: JobFilters, now: float) -> tuple[charts.Chart, bool]:
    """Jobs created per bucket, stacked by current status; True when capped at CHART_MAX_JOBS."""
    start, end = chart_window(filters, now)
    step = bucket_seconds(end - start)
    first = math.floor(start / step) * step
    count = max(1, math.ceil((end - first) / step))
    statuses = [filters.status] if filters.status else list(STATUSES)
    series = {status: [0] * count for status in statuses}
    read, capped = 0, False
    for job in store.iter_jobs(status=filters.status or None, user_id=filters.user or None, since=start,
                               until=end, limit=500):
        read += 1
        if read > CHART_MAX_JOBS:
            capped = True
            break
        if job.status not in series or not job.created_at:
            continue
        slot = int((parse_timestamp(job.created_at) - first) // step)
        if 0 <= slot < count:
            series[job.status][slot] += 1
    fmt = "%H:%M" if step < DAY and end - start <= 2 * DAY else "%m-%d %H:%M" if step < DAY else "%Y-%m-%d"
    labels = [dt.datetime.fromtimestamp(first + i * step, dt.timezone.utc).strftime(fmt) for i in range(count)]
    title = f"Jobs created per {'hour' if step == 3600 else 'day' if step == DAY else f'{step // 3600} hours'}, by status"
    return charts.stacked_bars(title, labels, series, {s: s for s in statuses}), capped
