"""Listing and counting jobs through the GSIs — never a Scan.

A listing is a merge of one or more index queries ("streams"), each ordered by createdAt:
by status -> StatusIndex; by user -> UserIndex; by user and status -> UserIndex filtered
on status; neither -> StatusIndex once per status, merged by time. The cursor remembers,
per stream, the key of the last job returned, so pages never repeat or skip a job, even
when jobs share a timestamp.
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass
from typing import Any, Iterator

from jobtable.jobs import schema as s
from jobtable.jobs import states
from jobtable.jobs.codec import string
from jobtable.jobs.cursor import DONE, decode_cursor, encode_cursor, fingerprint
from jobtable.jobs.model import Job
from jobtable.jobs.table import JobTable
from jobtable.jobs.timestamps import MILLISECOND, format_timestamp, parse_timestamp

MAX_LIMIT = 1000
FILTERED_PAGE = 200  # Query Limit when a filter may drop items: fewer round trips


@dataclass(frozen=True)
class JobPage:
    jobs: list[Job]
    cursor: str | None  # pass back to list_jobs for the next page; None when there is none


@dataclass(frozen=True)
class _Stream:
    name: str
    index: str
    partition_value: str
    status_filter: str | None = None

    @property
    def partition_attribute(self) -> str:
        return s.INDEX_PARTITION_KEYS[self.index]

    def key_of(self, item: dict[str, Any]) -> dict[str, Any]:
        """The ExclusiveStartKey that resumes this stream right after `item`."""
        return {attr: item[attr] for attr in s.index_key_attributes(self.index)}


def _created_at_condition(since: Any, until: Any) -> tuple[str | None, dict[str, Any]]:
    """since is inclusive, until exclusive (so `--since 2026-11-01 --until 2026-12-01` is
    November). One sort-key condition only, hence `until - 1 ms` with BETWEEN, exact
    because createdAt always has millisecond precision."""
    low = format_timestamp(parse_timestamp(since)) if since is not None else None
    high = format_timestamp(parse_timestamp(until) - MILLISECOND) if until is not None else None
    if low and high:
        return "#createdAt BETWEEN :since AND :until", {":since": string(low), ":until": string(high)}
    if low:
        return "#createdAt >= :since", {":since": string(low)}
    if high:
        return "#createdAt <= :until", {":until": string(high)}
    return None, {}


class Listing(JobTable):
    def list_jobs(self, status: str | None = None, user_id: str | None = None, since: Any = None,
                  until: Any = None, limit: int = 50, cursor: str | None = None,
                  newest_first: bool = True) -> JobPage:
        """One page of jobs by status and/or user within [since, until), newest first by default."""
        if not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
            raise ValueError(f"limit must be between 1 and {MAX_LIMIT}")
        if status is not None:
            states.check_status(status)
        streams = self._streams(status, user_id)
        range_condition, range_values = _created_at_condition(since, until)
        if range_values.get(":since") and range_values.get(":until") and \
                range_values[":since"]["S"] > range_values[":until"]["S"]:
            return JobPage([], None)  # an empty window (DynamoDB rejects BETWEEN high < low)
        query_id = fingerprint({"streams": [vars(x) for x in streams], "range": range_values,
                                "newest_first": newest_first, "table": self.table_name})
        positions: dict[str, Any] = decode_cursor(cursor, query_id) if cursor else {}
        fetched: dict[str, tuple[list[dict[str, Any]], bool]] = {}
        for stream in streams:
            start = positions.get(stream.name)
            if start == DONE:
                continue
            fetched[stream.name] = self._fetch(stream, start, limit + 1, range_condition, range_values,
                                               newest_first)
        page = self._merge(fetched, limit, newest_first)
        next_positions = dict(positions)
        for stream in streams:
            if stream.name not in fetched:
                continue
            items, exhausted = fetched[stream.name]
            taken = page.count_from(stream.name)
            if taken == len(items) and exhausted:
                next_positions[stream.name] = DONE
            elif taken:
                next_positions[stream.name] = stream.key_of(items[taken - 1])
        more = any(next_positions.get(x.name) != DONE for x in streams)
        return JobPage([Job.from_item(i) for i in page.items], encode_cursor(query_id, next_positions) if more else None)

    def iter_jobs(self, **filters: Any) -> Iterator[Job]:
        """Every job matching list_jobs' filters, following cursors."""
        cursor = None
        while True:
            page = self.list_jobs(cursor=cursor, **filters)
            yield from page.jobs
            if page.cursor is None:
                return
            cursor = page.cursor

    def count_by_status(self, user_id: str | None = None) -> dict[str, int]:
        """Number of jobs in each status (Select=COUNT queries, one per status)."""
        counts = {}
        for status in states.STATUSES:
            stream = self._streams(status, user_id)[0]
            params = self._query_params(stream, None, {}, newest_first=True)
            params["Select"] = "COUNT"
            total = 0
            while True:
                response = self.call("query", **params)
                total += response["Count"]
                if "LastEvaluatedKey" not in response:
                    break
                params["ExclusiveStartKey"] = response["LastEvaluatedKey"]
            counts[status] = total
        return counts

    @staticmethod
    def _streams(status: str | None, user_id: str | None) -> list[_Stream]:
        if user_id is not None:
            return [_Stream("user", s.USER_INDEX, user_id, status_filter=status)]
        if status is not None:
            return [_Stream(status, s.STATUS_INDEX, status)]
        return [_Stream(x, s.STATUS_INDEX, x) for x in states.STATUSES]

    @staticmethod
    def _query_params(stream: _Stream, range_condition: str | None, range_values: dict[str, Any],
                      newest_first: bool) -> dict[str, Any]:
        names = {"#pk": stream.partition_attribute}
        values = {":pk": string(stream.partition_value), **range_values}
        condition = "#pk = :pk"
        if range_condition:
            names["#createdAt"] = s.CREATED_AT
            condition += " AND " + range_condition
        params: dict[str, Any] = {"IndexName": stream.index, "KeyConditionExpression": condition,
                                  "ScanIndexForward": not newest_first}
        if stream.status_filter is not None:
            names["#status"] = s.STATUS
            values[":status"] = string(stream.status_filter)
            params["FilterExpression"] = "#status = :status"
        params["ExpressionAttributeNames"] = names
        params["ExpressionAttributeValues"] = values
        return params

    def _fetch(self, stream: _Stream, start: dict[str, Any] | None, wanted: int, range_condition: str | None,
               range_values: dict[str, Any], newest_first: bool) -> tuple[list[dict[str, Any]], bool]:
        """Up to `wanted` items of a stream (maybe more when filtered) and whether it ran dry."""
        params = self._query_params(stream, range_condition, range_values, newest_first)
        if start:
            params["ExclusiveStartKey"] = start
        items: list[dict[str, Any]] = []
        while len(items) < wanted:
            need = wanted - len(items)
            params["Limit"] = max(need, FILTERED_PAGE) if stream.status_filter else need
            response = self.call("query", **params)
            items.extend(response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return items, True
            params["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        return items, False

    @staticmethod
    def _merge(fetched: dict[str, tuple[list[dict[str, Any]], bool]], limit: int, newest_first: bool) -> "_Merged":
        """The first `limit` items across streams by createdAt, each stream's order kept."""
        tagged = [[(item[s.CREATED_AT]["S"], name, item) for item in items] for name, (items, _) in fetched.items()]
        merged = heapq.merge(*tagged, key=lambda t: t[0], reverse=newest_first)
        chosen = [next(merged) for _ in range(min(limit, sum(len(t) for t in tagged)))]
        return _Merged([item for _, _, item in chosen], [name for _, name, _ in chosen])


@dataclass(frozen=True)
class _Merged:
    items: list[dict[str, Any]]
    sources: list[str]

    def count_from(self, stream_name: str) -> int:
        return self.sources.count(stream_name)
