"""`GET /metrics`: the AWS/DynamoDB metrics in Prometheus text format (prometheus-client).

Counters are running totals since the server started (the CloudWatch store keeps the
per-minute history); gauges read the catalog: provisioned capacity, item count, table size.
Every family carries the labels table, index and operation ("" when a metric lacks one).
"""
from __future__ import annotations

import re
from typing import Any, Iterator

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric, SummaryMetricFamily

from jobtable.engine.accounting import NAMESPACE
from jobtable.engine.engine import Engine

PREFIX = "jobtable_dynamodb_"
LABELS = ["table", "index", "operation"]
GAUGE_METRICS = {"ProvisionedReadCapacityUnits", "ProvisionedWriteCapacityUnits"}


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _labels(dims: tuple[tuple[str, str], ...]) -> list[str]:
    found = dict(dims)
    return [found.get("TableName", ""), found.get("GlobalSecondaryIndexName", ""), found.get("Operation", "")]


class DynamoDBCollector:
    """Builds the exposition from one engine's metric store and catalog at scrape time."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[Metric]:
        families: dict[str, Any] = {}
        for (namespace, name, dims), unit, total in self.engine.metrics.lifetime():
            if namespace != NAMESPACE or name in GAUGE_METRICS:
                continue
            if unit == "Milliseconds":
                family = families.setdefault(name, SummaryMetricFamily(
                    f"{PREFIX}{snake(name)}_milliseconds", f"{name} (AWS/DynamoDB), milliseconds", labels=LABELS))
                family.add_metric(_labels(dims), count_value=total.count, sum_value=total.total)
            else:
                family = families.setdefault(name, CounterMetricFamily(
                    f"{PREFIX}{snake(name)}", f"{name} (AWS/DynamoDB), sum since start", labels=LABELS))
                family.add_metric(_labels(dims), total.total)
        yield from families.values()
        yield from self._catalog_gauges()

    def _catalog_gauges(self) -> Iterator[Metric]:
        read = GaugeMetricFamily(f"{PREFIX}provisioned_read_capacity_units", "Provisioned RCU", labels=LABELS)
        write = GaugeMetricFamily(f"{PREFIX}provisioned_write_capacity_units", "Provisioned WCU", labels=LABELS)
        items = GaugeMetricFamily(f"{PREFIX}item_count", "Items in the table", labels=["table"])
        size = GaugeMetricFamily(f"{PREFIX}table_size_bytes", "Table size in bytes", labels=["table"])
        for meta in self.engine.catalog.all():
            with self.engine.storage.read() as c:
                count, total = self.engine.stats.get(c, meta)
            items.add_metric([meta.name], count)
            size.add_metric([meta.name], total)
            if meta.billing_mode != "PROVISIONED":
                continue
            for owner in [meta, *meta.gsis]:
                labels = [meta.name, owner.name if owner is not meta else "", ""]
                read.add_metric(labels, owner.read_capacity)
                write.add_metric(labels, owner.write_capacity)
        yield from (read, write, items, size)


def metrics_page(engine: Engine, request: Any) -> tuple[int, str, bytes]:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DynamoDBCollector(engine))  # type: ignore[arg-type]
    return 200, CONTENT_TYPE_LATEST, generate_latest(registry)
