"""Monthly cost of a table in both billing modes, from measured usage, and which to choose.

Pure arithmetic over a `Usage` summary (see usage.py for measuring one), so the numbers
can be checked by hand. Conventions, as AWS bills them:
- a month is 730 hours; the measured window is scaled to it;
- on-demand bills every consumed request unit (CloudWatch's Consumed*CapacityUnits count
  the same units in both modes);
- provisioned bills capacity per hour; with auto scaling at target utilisation T, each
  hour needs ceil(average units/s in that hour / T), at least the minimum, and holds the
  larger of its own and the previous hour's need (scale-in waits for 15 minutes of low
  use and DynamoDB rations capacity decreases, so capacity lingers after a busy hour);
- storage is the table's and its indexes' bytes plus 100 bytes of overhead per item,
  in GiB-months; PITR bills the table's size; backups their size; stream reads per
  100,000 GetRecords requests. Free tier allowances are not subtracted.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

from jobtable.ops.prices import PriceTable

HOURS_PER_MONTH = 730
GIB = 1 << 30
ITEM_OVERHEAD_BYTES = 100
DEFAULT_TARGET_UTILIZATION = 0.70
# Auto scaling reacts in minutes, not instantly, so provisioned must win by a margin.
PROVISIONED_MARGIN = 0.15
# The recommended maximum leaves room for bursts inside the busiest measured hour.
PEAK_HEADROOM = 2.0
# Busiest hour above this multiple of the average hour: too spiky for auto scaling, which
# needs minutes to catch up while requests are throttled.
SPIKY_PEAK_TO_AVERAGE = 4.0


@dataclass(frozen=True)
class ResourceUsage:
    """Consumed units per hour (the hour's Sum) of the table or one GSI over the window."""

    name: str
    hourly_read_units: list[float]
    hourly_write_units: list[float]


@dataclass(frozen=True)
class Usage:
    table_name: str
    hours: int                              # length of the measured window
    resources: list[ResourceUsage]          # the table first, then each GSI
    table_bytes: int = 0
    table_items: int = 0
    index_bytes: int = 0
    index_items: int = 0
    backup_bytes: int = 0
    pitr_enabled: bool = False
    stream_read_requests: float = 0.0       # over the window
    billing_mode: str = "PAY_PER_REQUEST"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Usage":
        resources = [ResourceUsage(**r) for r in data.get("resources", [])]
        return cls(**{**data, "resources": resources})

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Capacity:
    """An auto scaling setting for one dimension of one resource."""

    minimum: int
    maximum: int
    target_utilization: float
    monthly_cost: float


@dataclass
class ModeCost:
    mode: str
    reads: float
    writes: float
    storage: float
    pitr: float
    backups: float
    streams: float
    capacity: dict[str, dict[str, Capacity]] = field(default_factory=dict)  # provisioned only

    @property
    def total(self) -> float:
        return self.reads + self.writes + self.storage + self.pitr + self.backups + self.streams


@dataclass
class CostEstimate:
    table_name: str
    prices: PriceTable
    usage: Usage
    on_demand: ModeCost
    provisioned: ModeCost
    recommended_mode: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        def mode(m: ModeCost) -> dict[str, Any]:
            return {**{k: round(v, 4) for k, v in asdict(m).items() if isinstance(v, float)},
                    "total": round(m.total, 4),
                    "capacity": {r: {d: asdict(c) for d, c in dims.items()} for r, dims in m.capacity.items()}}
        return {"table_name": self.table_name, "region": self.prices.region, "prices_as_of": self.prices.as_of,
                "measured_hours": self.usage.hours, "current_billing_mode": self.usage.billing_mode,
                "PAY_PER_REQUEST": mode(self.on_demand), "PROVISIONED": mode(self.provisioned),
                "recommended_mode": self.recommended_mode, "reason": self.reason}


def _hourly_capacity(units_in_hour: float, target: float, minimum: int) -> int:
    return max(minimum, math.ceil(units_in_hour / 3600 / target - 1e-9))


def autoscaled_capacity(hourly_units: list[float], hours: int, target: float, price_per_hour: float) -> Capacity:
    """The capacity auto scaling would hold each hour, its monthly cost and a min/max setting."""
    series = list(hourly_units) + [0.0] * max(0, hours - len(hourly_units))
    rates = [units / 3600 for units in series] or [0.0]
    minimum = max(1, math.ceil(min(rates) / target - 1e-9))
    needed = [_hourly_capacity(units, target, minimum) for units in series] or [minimum]
    held = [max(need, needed[h - 1]) if h else need for h, need in enumerate(needed)]
    maximum = max(minimum, math.ceil(max(rates) / target * PEAK_HEADROOM - 1e-9))
    monthly = sum(held) / len(held) * HOURS_PER_MONTH * price_per_hour
    return Capacity(minimum, maximum, target, monthly)


def peak_to_average(usage: Usage) -> float:
    """The largest busiest-hour / average-hour ratio over every resource and dimension with traffic."""
    ratios = [1.0]
    for resource in usage.resources:
        for series in (resource.hourly_read_units, resource.hourly_write_units):
            total = sum(series)
            if total > 0:
                ratios.append(max(series) / (total / usage.hours))
    return max(ratios)


def estimate_cost(usage: Usage, prices: PriceTable, target_utilization: float = DEFAULT_TARGET_UTILIZATION) -> CostEstimate:
    if not 0.2 <= target_utilization <= 0.9:
        raise ValueError("target utilization must be between 0.2 and 0.9 (auto scaling's 20-90 %)")
    if usage.hours <= 0:
        raise ValueError("the usage window must cover at least one hour")
    scale = HOURS_PER_MONTH / usage.hours
    storage_bytes = (usage.table_bytes + usage.index_bytes
                     + ITEM_OVERHEAD_BYTES * (usage.table_items + usage.index_items))
    storage = storage_bytes / GIB * prices.storage_gb_month
    pitr = ((usage.table_bytes + ITEM_OVERHEAD_BYTES * usage.table_items) / GIB * prices.pitr_gb_month
            if usage.pitr_enabled else 0.0)
    backups = usage.backup_bytes / GIB * prices.backup_gb_month
    streams = usage.stream_read_requests * scale / 100_000 * prices.stream_read_per_100k
    fixed = dict(storage=storage, pitr=pitr, backups=backups, streams=streams)

    total_reads = sum(sum(r.hourly_read_units) for r in usage.resources)
    total_writes = sum(sum(r.hourly_write_units) for r in usage.resources)
    on_demand = ModeCost("PAY_PER_REQUEST", total_reads * scale / 1e6 * prices.read_request_per_million,
                         total_writes * scale / 1e6 * prices.write_request_per_million, **fixed)

    capacity = {r.name: {"read": autoscaled_capacity(r.hourly_read_units, usage.hours, target_utilization, prices.rcu_hour),
                         "write": autoscaled_capacity(r.hourly_write_units, usage.hours, target_utilization, prices.wcu_hour)}
                for r in usage.resources}
    provisioned = ModeCost("PROVISIONED", sum(c["read"].monthly_cost for c in capacity.values()),
                           sum(c["write"].monthly_cost for c in capacity.values()), **fixed, capacity=capacity)

    throughput_od = on_demand.reads + on_demand.writes
    throughput_pv = provisioned.reads + provisioned.writes
    spikiness = peak_to_average(usage)
    if spikiness > SPIKY_PEAK_TO_AVERAGE:
        mode = "PAY_PER_REQUEST"
        reason = (f"the busiest hour carries {spikiness:.0f}x the average hour's traffic: auto scaling would throttle "
                  f"such bursts while it catches up (throughput ${throughput_od:,.2f}/month on demand, "
                  f"${throughput_pv:,.2f} provisioned)")
    elif throughput_pv < throughput_od * (1 - PROVISIONED_MARGIN):
        mode = "PROVISIONED"
        reason = (f"provisioned with auto scaling at {target_utilization:.0%} costs ${throughput_pv:,.2f}/month for "
                  f"throughput vs ${throughput_od:,.2f} on demand: steady enough traffic to keep capacity busy")
    else:
        mode = "PAY_PER_REQUEST"
        reason = (f"on demand costs ${throughput_od:,.2f}/month for throughput vs ${throughput_pv:,.2f} provisioned "
                  f"(which must be at least {PROVISIONED_MARGIN:.0%} cheaper to be worth capacity management)")
    return CostEstimate(usage.table_name, prices, usage, on_demand, provisioned, mode, reason)
