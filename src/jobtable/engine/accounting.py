"""The one accounting path: every request's consumed capacity feeds throttling, metrics and insights.

`guard` runs before an operation (engine.request_guards): it works out which tables and
GSIs the request reads or writes and refuses it with DynamoDB's throttling error when a
bucket is empty (batches are admitted item by item by engine.throttle instead).
`observe` runs after every request (engine.request_observers): it charges the exact
`Consumed` records to the buckets, records the AWS/DynamoDB CloudWatch metrics and counts
keys for Contributor Insights. A background task adds the metrics no request carries
(provisioned capacity per minute, TTL deletions read from the change log).
"""
from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterator

import orjson

from jobtable.engine.capacity import Consumed, write_units
from jobtable.engine.catalog import IndexMeta, TableMeta
from jobtable.engine.errors import TransactionCanceledException, cancellation_code
from jobtable.engine.expressions import ExpressionContext, compile_key_condition, key_condition_from_key_conditions
from jobtable.engine.metrics import MINUTE, dimensions
from jobtable.engine.throttle import READ, WRITE, Admission, ThrottleEvent, table_units, throttling_error

if TYPE_CHECKING:
    from jobtable.engine.engine import Engine

log = logging.getLogger("jobtable.accounting")

NAMESPACE = "AWS/DynamoDB"
SINGLE_READS = {"GetItem"}
SINGLE_WRITES = {"PutItem", "UpdateItem", "DeleteItem"}
PAGE_READS = {"Query", "Scan"}
BATCHES = {"BatchGetItem": READ, "BatchWriteItem": WRITE}
TRANSACTIONS = {"TransactGetItems": READ, "TransactWriteItems": WRITE}
THROTTLE_ERRORS = {"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"}
OWN_METRIC_ERRORS = THROTTLE_ERRORS | {"ConditionalCheckFailedException", "TransactionCanceledException",
                                       "TransactionConflictException"}


@dataclass(slots=True)
class Access:
    """One table (or index) a request touches, and how."""

    meta: TableMeta
    direction: str
    index: str | None = None


@dataclass(slots=True)
class RequestTrace:
    operation: str
    request: dict
    accesses: list[Access]
    admission: Admission


# -- planning: what a request touches ------------------------------------------------------

def _table(engine: "Engine", name: Any) -> TableMeta | None:
    if not isinstance(name, str):
        return None
    if name.startswith("arn:") and ":table/" in name:
        name = name.split(":table/", 1)[1].split("/", 1)[0]
    return engine.catalog.get(name)


def _transact_parts(request: dict) -> Iterator[tuple[str, dict]]:
    for item in request.get("TransactItems") or []:
        for kind, part in item.items():
            if isinstance(part, dict):
                yield kind, part


def plan(engine: "Engine", operation: str, request: dict) -> list[Access]:
    accesses: list[Access] = []

    def add(name: Any, direction: str, index: str | None = None) -> None:
        meta = _table(engine, name)
        if meta is not None:
            accesses.append(Access(meta, direction, index))

    if operation in SINGLE_READS:
        add(request.get("TableName"), READ)
    elif operation in SINGLE_WRITES:
        add(request.get("TableName"), WRITE)
    elif operation in PAGE_READS:
        add(request.get("TableName"), READ, request.get("IndexName"))
    elif operation in BATCHES:
        for name in request.get("RequestItems") or {}:
            add(name, BATCHES[operation])
    elif operation in TRANSACTIONS:
        for _, part in _transact_parts(request):
            add(part.get("TableName"), TRANSACTIONS[operation])
    return accesses


# -- the guard -----------------------------------------------------------------------------

def guard(operation: str, request: dict, ctx: Any) -> None:
    """Refuse the request with DynamoDB's throttling error when its capacity is exhausted."""
    engine = ctx.engine
    trace = RequestTrace(operation, request, plan(engine, operation, request), engine.throttle.begin_request())
    ctx.trace = trace
    if not engine.throttle.enabled or operation in BATCHES or not trace.accesses:
        return
    if operation in TRANSACTIONS:
        _guard_transaction(engine, trace)
        return
    for access in trace.accesses:
        engine.throttle.check(access.meta, access.direction, access.index)


def _guard_transaction(engine: "Engine", trace: RequestTrace) -> None:
    """A throttled item cancels the whole transaction, as in DynamoDB: reason ProvisionedThroughputExceeded
    on a provisioned table or GSI, ThrottlingError past an on-demand maximum."""
    if len(trace.accesses) != sum(1 for _ in _transact_parts(trace.request)):
        return  # an unknown table: the operation reports it (reasons must line up with TransactItems)
    reasons: list[dict] = []
    throttled = False
    for access in trace.accesses:
        event = engine.throttle.exhausted(access.meta, access.direction)
        if event is None:
            reasons.append({"Code": "None"})
            continue
        throttled = True
        engine.throttle.note_event(event)
        error = throttling_error(access.meta, event)
        reasons.append({"Code": cancellation_code(error), "Message": error.message})
    if throttled:
        codes = ", ".join(r["Code"] for r in reasons)
        raise TransactionCanceledException(
            f"Transaction cancelled, please refer cancellation reasons for specific reasons [{codes}]",
            CancellationReasons=reasons)


# -- the observer --------------------------------------------------------------------------

def _error_type(response: Any) -> str | None:
    if response.status == 200:
        return None
    try:
        return str(orjson.loads(response.body).get("__type", "")).rsplit("#", 1)[-1]
    except (orjson.JSONDecodeError, AttributeError):
        return "InternalServerError"


def observe(operation: str | None, response: Any, latency: float, ctx: Any) -> None:
    engine = ctx.engine
    trace: RequestTrace | None = getattr(ctx, "trace", None)
    engine.throttle.end_request()
    if trace is None or operation is None:
        if response.status == 400:  # rejected before reaching an operation (validation, unknown op)
            engine.metrics.record(NAMESPACE, "UserErrors", (), 1.0, engine.clock.now())
        return
    error = _error_type(response)
    consumed = list(ctx.consumed)
    if error == "ConditionalCheckFailedException" and operation in SINGLE_WRITES and trace.accesses:
        # A failed condition still costs a write (at least one unit; the stored item's size is not known here).
        meta = trace.accesses[0].meta
        consumed.append(Consumed(meta.name, write=write_units(0), gsi_names=frozenset(i.name for i in meta.gsis)))
    for record in consumed:
        engine.throttle.charge(record)
    now = engine.clock.now()
    _record_metrics(engine, trace, operation, error, response, latency, consumed, ctx, now)
    if engine.insights.enabled_any():
        _count_keys(engine, trace, error, response)


# Dimension tuples are built once per table/index/operation (the observer runs on every request).
@functools.lru_cache(maxsize=8192)
def _table_dims(table: str) -> tuple:
    return dimensions(TableName=table)


@functools.lru_cache(maxsize=8192)
def _index_dims(table: str, index: str | None) -> tuple:
    return dimensions(TableName=table, GlobalSecondaryIndexName=index)


@functools.lru_cache(maxsize=8192)
def _operation_dims(table: str, operation: str) -> tuple:
    return dimensions(TableName=table, Operation=operation)


def _record_metrics(engine: "Engine", trace: RequestTrace, operation: str, error: str | None, response: Any,
                    latency: float, consumed: list[Consumed], ctx: Any, now: float) -> None:
    metrics = engine.metrics
    for record in consumed:
        meta = engine.catalog.get(record.table)
        if meta is None:
            continue
        table_read, table_write = table_units(meta, record)
        if table_read:
            metrics.record(NAMESPACE, "ConsumedReadCapacityUnits", _table_dims(meta.name), table_read, now)
        if table_write:
            metrics.record(NAMESPACE, "ConsumedWriteCapacityUnits", _table_dims(meta.name), table_write, now)
        gsis = record.gsi_names or frozenset(i.name for i in meta.gsis)
        for per_index, name in ((record.index_read, "ConsumedReadCapacityUnits"),
                                (record.index_write, "ConsumedWriteCapacityUnits")):
            for index, units in per_index.items():
                if units and index in gsis:
                    metrics.record(NAMESPACE, name, _index_dims(meta.name, index), units, now)
    tables = [trace.accesses[0].meta.name] if len(trace.accesses) == 1 else \
        list(dict.fromkeys(access.meta.name for access in trace.accesses))
    events = trace.admission.events
    for table in dict.fromkeys(event.table for event in events):
        metrics.record(NAMESPACE, "ThrottledRequests", _operation_dims(table, operation), 1.0, now)
    for event in events:
        name = "ReadThrottleEvents" if event.direction == READ else "WriteThrottleEvents"
        metrics.record(NAMESPACE, name, _index_dims(event.table, event.index), 1.0, now)
    if error is None:
        for table in tables:
            metrics.record(NAMESPACE, "SuccessfulRequestLatency", _operation_dims(table, operation),
                           latency * 1000.0, now, unit="Milliseconds")
        returned = ctx.returned_items
        if returned is not None and tables:
            metrics.record(NAMESPACE, "ReturnedItemCount", _operation_dims(tables[0], operation), float(returned), now)
        return
    if error == "ConditionalCheckFailedException":
        for table in tables[:1]:
            metrics.record(NAMESPACE, "ConditionalCheckFailedRequests", _table_dims(table), 1.0, now)
    elif error in ("TransactionCanceledException", "TransactionConflictException"):
        for table in _conflicting_tables(trace, error, response):
            metrics.record(NAMESPACE, "TransactionConflict", _table_dims(table), 1.0, now)
    elif response.status >= 500:
        for table in tables:
            metrics.record(NAMESPACE, "SystemErrors", _operation_dims(table, operation), 1.0, now)
    elif error not in OWN_METRIC_ERRORS:
        metrics.record(NAMESPACE, "UserErrors", (), 1.0, now)


def _conflicting_tables(trace: RequestTrace, error: str, response: Any) -> list[str]:
    if error == "TransactionConflictException":
        return [access.meta.name for access in trace.accesses[:1]]
    reasons = orjson.loads(response.body).get("CancellationReasons") or []
    return [access.meta.name for access, reason in zip(trace.accesses, reasons)
            if (reason or {}).get("Code") == "TransactionConflict"]


# -- Contributor Insights keys --------------------------------------------------------------

def _render(value: Any) -> str:
    """A key attribute value as Contributor Insights shows it (S/N as text, B as base64)."""
    if not isinstance(value, dict) or len(value) != 1:
        return str(value)
    return str(next(iter(value.values())))  # binary is already base64 text on the wire


def _key_of(meta: TableMeta, item: Any) -> tuple[str, str | None] | None:
    if not isinstance(item, dict) or meta.hash.name not in item:
        return None
    sk = _render(item[meta.range.name]) if meta.range and meta.range.name in item else None
    return _render(item[meta.hash.name]), sk


def _query_partition_key(meta: TableMeta, index: IndexMeta | None, request: dict) -> str | None:
    key_attr = (index or meta).hash.name
    range_attr = (index or meta).range
    try:
        ectx = ExpressionContext(request.get("ExpressionAttributeNames"), request.get("ExpressionAttributeValues"))
        if request.get("KeyConditionExpression") is not None:
            condition = compile_key_condition(request["KeyConditionExpression"], ectx, key_attr,
                                              range_attr.name if range_attr else None)
        else:
            condition = key_condition_from_key_conditions(request.get("KeyConditions") or {}, key_attr,
                                                          range_attr.name if range_attr else None)
        return _render(condition.hash_value)
    except Exception:  # the operation itself reported the problem; nothing to count
        return None


def _keys_of_request(engine: "Engine", trace: RequestTrace) -> Iterator[tuple[TableMeta, IndexMeta | None, Any]]:
    """(table, index, wire key or item) for every key the request names."""
    request, operation = trace.request, trace.operation
    if operation in SINGLE_READS or operation in SINGLE_WRITES:
        for access in trace.accesses[:1]:
            yield access.meta, None, request.get("Key") or request.get("Item")
    elif operation == "BatchGetItem":
        for name, spec in (request.get("RequestItems") or {}).items():
            meta = _table(engine, name)
            for key in (spec or {}).get("Keys") or [] if meta else []:
                yield meta, None, key
    elif operation == "BatchWriteItem":
        for name, writes in (request.get("RequestItems") or {}).items():
            meta = _table(engine, name)
            for write in writes or [] if meta else []:
                yield meta, None, ((write.get("PutRequest") or {}).get("Item")
                                   or (write.get("DeleteRequest") or {}).get("Key"))
    elif operation in TRANSACTIONS:
        for _, part in _transact_parts(request):
            meta = _table(engine, part.get("TableName"))
            if meta is not None:
                yield meta, None, part.get("Key") or part.get("Item")


def _unprocessed(trace: RequestTrace, response: Any) -> set[bytes]:
    """Keys a batch handed back as unprocessed (throttled), canonically encoded."""
    if not trace.admission.events or trace.operation not in BATCHES or response.status != 200:
        return set()
    body = orjson.loads(response.body)
    out: set[bytes] = set()
    for spec in (body.get("UnprocessedKeys") or {}).values():
        out.update(orjson.dumps(k, option=orjson.OPT_SORT_KEYS) for k in spec.get("Keys") or [])
    for writes in (body.get("UnprocessedItems") or {}).values():
        for write in writes:
            item = (write.get("PutRequest") or {}).get("Item") or (write.get("DeleteRequest") or {}).get("Key")
            out.add(orjson.dumps(item, option=orjson.OPT_SORT_KEYS))
    return out


def _count_keys(engine: "Engine", trace: RequestTrace, error: str | None, response: Any) -> None:
    throttled_request = error in THROTTLE_ERRORS or (
        error == "TransactionCanceledException" and bool(trace.admission.events))
    if trace.operation == "Query" and trace.accesses:
        access = trace.accesses[0]
        index = access.meta.index(access.index) if access.index else None
        index = index if index is not None and index.kind == "GSI" else None
        pk = _query_partition_key(access.meta, index, trace.request)
        if pk is not None:
            engine.insights.record(access.meta, index, pk, None, throttled_request)
        return
    unprocessed = _unprocessed(trace, response)
    for meta, index, item in _keys_of_request(engine, trace):
        key = _key_of(meta, item)
        if key is None:
            continue
        throttled = throttled_request or (
            bool(unprocessed) and orjson.dumps(item, option=orjson.OPT_SORT_KEYS) in unprocessed)
        engine.insights.record(meta, index, key[0], key[1], throttled)


# -- metrics no request carries ---------------------------------------------------------------

class PeriodicMetrics:
    """Background: ProvisionedRead/WriteCapacityUnits each minute, TTL deletions from the change log."""

    def __init__(self, engine: "Engine") -> None:
        self.engine = engine
        self._ttl_cursor: dict[int, int] = {}
        self._last_minute: int | None = None

    def __call__(self, engine: "Engine") -> bool:
        now = engine.clock.now()
        minute = int(now // MINUTE) * MINUTE
        if minute != self._last_minute:
            self._last_minute = minute
            self._record_provisioned(now)
            engine.metrics.prune(now)
            engine.insights.forget_missing_tables()
            engine.throttle.forget_missing_tables()
        return self._record_ttl_deletions()

    def _record_provisioned(self, now: float) -> None:
        for meta in self.engine.catalog.all():
            if meta.billing_mode != "PROVISIONED":
                continue
            for owner in [meta, *meta.gsis]:
                dims = dimensions(TableName=meta.name,
                                  GlobalSecondaryIndexName=owner.name if owner is not meta else None)
                for name, units in (("ProvisionedReadCapacityUnits", owner.read_capacity),
                                    ("ProvisionedWriteCapacityUnits", owner.write_capacity)):
                    if not self.engine.metrics.has_point(NAMESPACE, name, dims, now):
                        self.engine.metrics.record(NAMESPACE, name, dims, float(units), now)

    def _record_ttl_deletions(self) -> bool:
        """Count `origin='ttl'` change-log rows past each table's cursor, in the minute they happened."""
        with self.engine.storage.read() as c:
            for meta in self.engine.catalog.all():
                cursor = self._ttl_cursor.get(meta.tid)
                if cursor is None:  # first sight (or restart): count only what happens from now on
                    row = c.execute(f"SELECT coalesce(max(seq), 0) FROM {meta.log_table}").fetchone()
                    self._ttl_cursor[meta.tid] = row[0]
                    continue
                rows = c.execute(f"SELECT seq, at FROM {meta.log_table} WHERE seq > ? AND origin = 'ttl'"
                                 " ORDER BY seq", (cursor,)).fetchall()
                last = c.execute(f"SELECT coalesce(max(seq), ?) FROM {meta.log_table}", (cursor,)).fetchone()[0]
                self._ttl_cursor[meta.tid] = last
                for _, at in rows:
                    self.engine.metrics.record(NAMESPACE, "TimeToLiveDeletedItemCount",
                                               dimensions(TableName=meta.name), 1.0, at)
        return False


def register(engine: "Engine") -> None:
    """Create the throttle, metric store, insights and alarms of an engine; hook them into every request."""
    from jobtable.engine import alarms
    from jobtable.engine.insights import Insights
    from jobtable.engine.metrics import MetricStore
    from jobtable.engine.throttle import Throttle

    engine.throttle = Throttle(engine)
    engine.metrics = MetricStore()
    engine.insights = Insights(engine)
    engine.request_guards.append(guard)
    engine.request_observers.append(observe)
    engine.extensions.setdefault("batch_admission", []).append(engine.throttle.admit_batch_item)
    engine.add_background_task("contributor-insights", lambda e: e.insights.settle())
    engine.add_background_task("dynamodb-metrics", PeriodicMetrics(engine))
    alarms.register(engine)  # after the metrics task, so an evaluation sees this pass's datapoints
