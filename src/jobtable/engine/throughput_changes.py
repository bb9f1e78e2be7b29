"""UpdateTable's provisioned-throughput rules: the per-table maximum and the decrease budget.

DynamoDB lets a table (and each GSI, separately) decrease its throughput four times at any
time of a UTC day, plus once more in every hour that follows an hour without a decrease
(27 a day at most). Increases are unlimited. The counters live on TableMeta/IndexMeta
(last_increase, last_decrease, decreases_today) so they survive restarts.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from jobtable.engine.errors import LimitExceededException

FREE_DECREASES_PER_DAY = 4
DECREASE_INTERVAL_SECONDS = 3600
TABLE_MAX_CAPACITY = 40000


def _utc(epoch: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc)


def _aws_moment(epoch: float) -> str:
    """DynamoDB's wording of a moment: `Wednesday, July 25, 2018 8:48:14 PM UTC`."""
    moment = _utc(epoch)
    hour = moment.hour % 12 or 12
    return (f"{moment.strftime('%A, %B')} {moment.day}, {moment.year} {hour}:{moment.strftime('%M:%S %p')} UTC")


def decreases_today(obj: Any, now: float) -> int:
    """Decreases made in the current UTC day (the stored count belongs to the last decrease's day)."""
    if obj.last_decrease is None or _utc(obj.last_decrease).date() != _utc(now).date():
        return 0
    return int(obj.decreases_today)


def check_maximum(rcu: int, wcu: int, region: str, index_name: str | None = None) -> None:
    """The per-table (per-index) account maximum DescribeLimits reports."""
    for name, units in (("ReadCapacityUnits", rcu), ("WriteCapacityUnits", wcu)):
        if units > TABLE_MAX_CAPACITY:
            what = f"for index {index_name}, {units}, is above the per index maximum" if index_name else \
                f"{units}, is above the per table maximum"
            raise LimitExceededException(
                f"The requested {name}, {what} for the account in {region}. Per table maximum: "
                f"{TABLE_MAX_CAPACITY}. Refer to the Amazon DynamoDB Developer Guide for current limits and how "
                "to request higher limits.")


def is_decrease(obj: Any, rcu: int, wcu: int) -> bool:
    return rcu < obj.read_capacity or wcu < obj.write_capacity


def check_decrease_allowed(obj: Any, now: float) -> None:
    """Raise DynamoDB's LimitExceededException when the day's decrease budget is spent."""
    count = decreases_today(obj, now)
    if count < FREE_DECREASES_PER_DAY:
        return
    last = obj.last_decrease
    if last is None or now - last >= DECREASE_INTERVAL_SECONDS:
        return
    raise LimitExceededException(
        "Subscriber limit exceeded: Provisioned throughput decreases are limited within a given UTC day. After "
        f"the first {FREE_DECREASES_PER_DAY} decreases, each subsequent decrease in the same UTC day can be "
        f"performed at most once every {DECREASE_INTERVAL_SECONDS} seconds. Number of decreases today: {count}. "
        f"Last decrease at {_aws_moment(last)}. Next decrease can be made at "
        f"{_aws_moment(last + DECREASE_INTERVAL_SECONDS)}")


def apply_change(obj: Any, rcu: int, wcu: int, now: float) -> None:
    """Set new throughput on a table or GSI, stamping increases and counting decreases."""
    if rcu > obj.read_capacity or wcu > obj.write_capacity:
        obj.last_increase = now
    if is_decrease(obj, rcu, wcu):
        obj.decreases_today = decreases_today(obj, now) + 1
        obj.last_decrease = now
    obj.read_capacity, obj.write_capacity = rcu, wcu


def check_update_request(meta: Any, req: dict, region: str, now: float) -> None:
    """Validate every throughput change of an UpdateTable before anything is modified."""
    pt = req.get("ProvisionedThroughput")
    if pt is not None:
        rcu, wcu = int(pt["ReadCapacityUnits"]), int(pt["WriteCapacityUnits"])
        check_maximum(rcu, wcu, region)
        if meta.billing_mode == "PROVISIONED" and is_decrease(meta, rcu, wcu):
            check_decrease_allowed(meta, now)
    for update in req.get("GlobalSecondaryIndexUpdates") or []:
        spec = (update.get("Update") or update.get("Create") or {})
        throughput = spec.get("ProvisionedThroughput")
        if not throughput:
            continue
        rcu, wcu = int(throughput["ReadCapacityUnits"]), int(throughput["WriteCapacityUnits"])
        check_maximum(rcu, wcu, region, spec.get("IndexName"))
        index = meta.index(spec.get("IndexName", "")) if update.get("Update") else None
        if index is not None and meta.billing_mode == "PROVISIONED" and is_decrease(index, rcu, wcu):
            check_decrease_allowed(index, now)
