"""Throughput enforcement: one token bucket per table (and per GSI) and direction.

PROVISIONED tables and GSIs refill at their RCU/WCU per second and bank up to 300 seconds
of unused capacity as burst, as DynamoDB does. A new bucket starts full (a new table, or
the first request after a restart, has the whole burst bank): DynamoDB does not document
an empty start, and a full bank is what "unused capacity" means for a table nobody used.

A request is admitted while its bucket holds more than zero units; what it really
consumed (known only afterwards, from the one `Consumed` record) is then charged and may
drive the bucket below zero, which throttles until the refill pays the debt back. So a
5 WCU table accepts exactly its banked 1500 units and then recovers at 5 units a second.

PAY_PER_REQUEST tables have no bank: their per-second limit is the table's
OnDemandThroughput maximum (ThrottlingException) or else DescribeLimits' per-table quota
(RequestLimitExceeded). That quota is not applied under a ManualClock: with time frozen it
would become a lifetime cap on a test server's bulk loads, which no real second ever is.
Buckets live in memory (one process owns the data dir).
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from jobtable.clock import ManualClock
from jobtable.engine.capacity import Consumed
from jobtable.engine.catalog import IndexMeta, TableMeta
from jobtable.engine.errors import (DynamoError, ProvisionedThroughputExceededException, RequestLimitExceeded,
                                    ThrottlingException)

if TYPE_CHECKING:
    from jobtable.engine.engine import Engine

BURST_SECONDS = 300.0
TABLE_MAX_UNITS = 40000  # DescribeLimits' TableMaxRead/WriteCapacityUnits: the on-demand backstop

TABLE_EXCEEDED = ("The level of configured provisioned throughput for the table was exceeded. "
                  "Consider increasing your provisioning level with the UpdateTable API")
INDEX_EXCEEDED = ("The level of configured provisioned throughput for one or more global secondary indexes "
                  "of the table was exceeded. Consider increasing your provisioning level for the "
                  "under-provisioned global secondary indexes with the UpdateTable API")
ON_DEMAND_MAX_EXCEEDED = "Throughput exceeds the maximum OnDemandThroughput configured on table or index"
ACCOUNT_LIMIT_EXCEEDED = ("Throughput exceeds the current throughput limit for your account. Please contact "
                          "AWS Support at https://aws.amazon.com/support request a limit increase")

READ, WRITE = "read", "write"
ACCOUNT_LIMIT = "AccountLimitExceeded"


@dataclass(slots=True)
class Bucket:
    """Units available now; refills continuously at `rate` up to `capacity`."""

    rate: float
    capacity: float
    tokens: float
    updated: float

    def refill(self, now: float) -> None:
        if now > self.updated:
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now

    def resize(self, rate: float, capacity: float) -> None:
        """New throughput (UpdateTable): keep what is banked, within the new bank size."""
        self.rate, self.capacity = rate, capacity
        self.tokens = min(self.tokens, capacity)


class Limit(NamedTuple):
    """What a bucket enforces for one table or GSI in one direction."""

    rate: float
    capacity: float
    kind: str  # "ProvisionedThroughputExceeded" | "MaxOnDemandThroughputExceeded" | "AccountLimitExceeded"


@dataclass
class ThrottleEvent:
    """One throttled access: which table/GSI ran out, in which direction."""

    table: str
    index: str | None
    direction: str
    limit: str


@dataclass(slots=True)
class Admission:
    """Units admitted but not yet charged within the current request (batches)."""

    pending: dict[tuple, float] = field(default_factory=dict)
    events: list[ThrottleEvent] = field(default_factory=list)


def _on_demand_max(value: Any) -> int | None:
    try:
        units = int(value)
    except (TypeError, ValueError):
        return None
    return units if units > 0 else None


def limit_for(meta: TableMeta, index: IndexMeta | None, direction: str) -> Limit:
    if meta.billing_mode == "PROVISIONED":
        owner: Any = index if index is not None else meta
        rate = float(owner.read_capacity if direction == READ else owner.write_capacity)
        return Limit(rate, rate * BURST_SECONDS, "ProvisionedThroughputExceeded")
    if index is not None:
        spec = index.extras.get("on_demand_throughput") or {}
        maximum = _on_demand_max(spec.get("MaxReadRequestUnits" if direction == READ else "MaxWriteRequestUnits"))
    else:
        maximum = _on_demand_max(meta.on_demand_max_read if direction == READ else meta.on_demand_max_write)
    if maximum is not None:
        return Limit(float(maximum), float(maximum), "MaxOnDemandThroughputExceeded")
    return Limit(float(TABLE_MAX_UNITS), float(TABLE_MAX_UNITS), ACCOUNT_LIMIT)


def table_units(meta: TableMeta, consumed: Consumed) -> tuple[float, float]:
    """(read, write) units paid by the table itself: its own plus its LSIs', as in DynamoDB."""
    read, write = consumed.read, consumed.write
    if consumed.index_read or consumed.index_write:
        gsis = consumed.gsi_names or frozenset(i.name for i in meta.gsis)
        read += sum(v for k, v in consumed.index_read.items() if k not in gsis)
        write += sum(v for k, v in consumed.index_write.items() if k not in gsis)
    return read, write


def throttling_error(meta: TableMeta, event: ThrottleEvent) -> DynamoError:
    """The error DynamoDB answers for this throttle, with its ThrottlingReasons."""
    resource = "Index" if event.index else "Table"
    arn = f"{meta.arn}/index/{event.index}" if event.index else meta.arn
    reason = {"reason": f"{resource}{event.direction.title()}{event.limit}", "resource": arn}
    if event.limit == "ProvisionedThroughputExceeded":
        message = INDEX_EXCEEDED if event.index else TABLE_EXCEEDED
        return ProvisionedThroughputExceededException(message, ThrottlingReasons=[reason])
    if event.limit == "MaxOnDemandThroughputExceeded":
        return ThrottlingException(ON_DEMAND_MAX_EXCEEDED, throttlingReasons=[reason])
    return RequestLimitExceeded(ACCOUNT_LIMIT_EXCEEDED, ThrottlingReasons=[reason])


class Throttle:
    """The engine's buckets. `enabled=False` (serve --no-throttling) admits everything."""

    def __init__(self, engine: "Engine") -> None:
        self.engine = engine
        self._buckets: dict[tuple, Bucket] = {}
        self._lock = threading.Lock()
        self._local = threading.local()
        self.account_quota = not isinstance(engine.clock, ManualClock)

    @property
    def enabled(self) -> bool:
        return bool(self.engine.throttling)

    # -- buckets -------------------------------------------------------------------------
    def _bucket(self, meta: TableMeta, index: IndexMeta | None, direction: str, now: float) -> tuple[Bucket, Limit]:
        limit = limit_for(meta, index, direction)
        key = (meta.tid, index.name if index else "", direction)
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = Bucket(limit.rate, limit.capacity, limit.capacity, now)
        elif bucket.rate != limit.rate or bucket.capacity != limit.capacity:
            bucket.refill(now)
            bucket.resize(limit.rate, limit.capacity)
        bucket.refill(now)
        return bucket, limit

    def _targets(self, meta: TableMeta, index_name: str | None, direction: str) -> tuple[IndexMeta | None, ...]:
        """Buckets a request draws on: a write needs the table and every GSI; a GSI read its GSI."""
        if direction == WRITE:
            return (None, *meta.gsis) if meta.gsis else (None,)
        index = meta.index(index_name) if index_name else None
        return (index if index is not None and index.kind == "GSI" else None,)

    def exhausted(self, meta: TableMeta, direction: str, index_name: str | None = None,
                  pending: float = 0.0) -> ThrottleEvent | None:
        """The first empty bucket this access would draw on, or None when it may proceed."""
        if not self.enabled:
            return None
        now = self.engine.clock.now()
        with self._lock:
            for index in self._targets(meta, index_name, direction):
                if index is not None and index.status != "ACTIVE" and index.backfilling:
                    continue  # a GSI being created does not throttle base writes in this model
                bucket, limit = self._bucket(meta, index, direction, now)
                if limit.kind == ACCOUNT_LIMIT and not self.account_quota:
                    continue
                if bucket.tokens - pending <= 0:
                    return ThrottleEvent(meta.name, index.name if index else None, direction, limit.kind)
        return None

    def check(self, meta: TableMeta, direction: str, index_name: str | None = None) -> None:
        """Raise DynamoDB's throttling error when the access cannot be admitted now."""
        event = self.exhausted(meta, direction, index_name)
        if event is not None:
            self.note_event(event)
            raise throttling_error(meta, event)

    def charge(self, consumed: Consumed) -> None:
        """Take what a request really used from its buckets (the one accounting path)."""
        meta = self.engine.catalog.get(consumed.table)
        if meta is None:
            return
        now = self.engine.clock.now()
        table_read, table_write = table_units(meta, consumed)
        with self._lock:
            if table_read:
                self._bucket(meta, None, READ, now)[0].tokens -= table_read
            if table_write:
                self._bucket(meta, None, WRITE, now)[0].tokens -= table_write
            for per_index, direction in ((consumed.index_read, READ), (consumed.index_write, WRITE)):
                for name, units in per_index.items():
                    index = meta.index(name)
                    if units and index is not None and index.kind == "GSI":
                        self._bucket(meta, index, direction, now)[0].tokens -= units

    # -- per-request admission (batches admit item by item) --------------------------------
    def begin_request(self) -> Admission:
        admission = Admission()
        self._local.admission = admission
        return admission

    def end_request(self) -> Admission | None:
        admission = getattr(self._local, "admission", None)
        self._local.admission = None
        return admission

    def note_event(self, event: ThrottleEvent) -> None:
        admission = getattr(self._local, "admission", None)
        if admission is not None:
            admission.events.append(event)

    def try_consume(self, meta: TableMeta, direction: str, units: float, index_name: str | None = None) -> bool:
        """Admit one item of a batch: True when its buckets have room for `units` more.

        Admitted units are held as pending until the request's real consumption is charged,
        so one batch cannot overdraw an almost empty bucket 25 times. A refusal is recorded
        as a throttle event of the current request (metrics, Contributor Insights).
        """
        admission = getattr(self._local, "admission", None)
        key = (meta.tid, direction, index_name or "")
        pending = admission.pending.get(key, 0.0) if admission is not None else 0.0
        event = self.exhausted(meta, direction, index_name, pending)
        if event is not None:
            self.note_event(event)
            return False
        if admission is not None:
            admission.pending[key] = pending + units
        return True

    def admit_batch_item(self, engine: "Engine", meta: TableMeta, direction: str, units: float) -> bool:
        """The batch admission hook (engine.extensions["batch_admission"]): check(engine, meta, kind, units)."""
        return self.try_consume(meta, direction, units)

    def forget_missing_tables(self) -> None:
        """Drop the buckets of deleted tables (a re-created table starts with a new tid and a full bank)."""
        live = {meta.tid for meta in self.engine.catalog.all()}
        with self._lock:
            for key in [k for k in self._buckets if k[0] not in live]:
                del self._buckets[key]
