"""The cost page: `jobtable cost` for one table, in the browser.

The same two steps as the CLI, reused as they are: jobtable.ops.usage.collect_usage
measures the table through DynamoDB and CloudWatch (via the caller's boto3 clients), and
jobtable.ops.cost.estimate_cost prices it in both billing modes with the built-in price
table of the server's region.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Mapping

from jobtable.dashboard.backend import Api
from jobtable.ops.cost import DEFAULT_TARGET_UTILIZATION, CostEstimate, estimate_cost
from jobtable.ops.prices import prices_for
from jobtable.ops.usage import collect_usage

# This server keeps CloudWatch data for 24 hours, so a day is the useful default here; GetMetricStatistics
# returns at most 1,440 hourly datapoints, hence 60 days at most (on AWS too).
DEFAULT_DAYS = 1.0
MAX_DAYS = 60.0
MIN_DAYS = 1 / 24
# Each line of the page: (label, ModeCost attribute).
LINES = (("Reads", "reads"), ("Writes", "writes"), ("Storage (table + indexes)", "storage"),
         ("Point-in-time recovery", "pitr"), ("Backups", "backups"), ("Stream reads", "streams"))


@dataclass(frozen=True)
class CostForm:
    days: float = DEFAULT_DAYS
    target_percent: int = round(DEFAULT_TARGET_UTILIZATION * 100)

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> "CostForm":
        """The page's parameters; out-of-range or unreadable values raise ValueError (shown on the page)."""
        days_text, target_text = params.get("days", "").strip(), params.get("target", "").strip()
        try:
            days = float(days_text) if days_text else DEFAULT_DAYS
            target = int(target_text) if target_text else cls.target_percent
        except ValueError:
            raise ValueError("days must be a number and the target a whole percentage") from None
        if not MIN_DAYS <= days <= MAX_DAYS:
            raise ValueError(f"days must be between 1 hour ({MIN_DAYS:.3f}) and {MAX_DAYS:.0f}")
        if not 20 <= target <= 90:
            raise ValueError("the auto scaling target must be between 20 and 90 %")
        return cls(days, target)


def estimate_for(api: Api, table: str, form: CostForm) -> CostEstimate:
    """Measure `form.days` of the table's usage up to the server's now, and price it."""
    end = dt.datetime.fromtimestamp(api.now(), dt.timezone.utc)
    usage = collect_usage(api.dynamodb, api.cloudwatch, table, form.days, end)
    prices = prices_for(api.dynamodb.meta.region_name)
    return estimate_cost(usage, prices, form.target_percent / 100)


def money(value: float) -> str:
    """Dollars: cents for sums of a dollar or more, four decimals below (small test tables)."""
    if 0 < value < 0.00005:
        return "< $0.0001"
    return f"${value:,.2f}" if value >= 1 or value == 0 else f"${value:,.4f}"
