"""GET /metrics: the same accounting, in Prometheus text format."""
from __future__ import annotations

import urllib.request

from prometheus_client.parser import text_string_to_metric_families

from tests.capacity.helpers import item_of_units, provisioned_table


def scrape(backend) -> dict:
    if backend.name == "http":
        with urllib.request.urlopen(backend.endpoint + "/metrics", timeout=10) as response:
            assert response.headers["content-type"].startswith("text/plain")
            text = response.read().decode()
    else:
        from jobtable.server.dispatch import HttpRequest, dispatch_get

        status, content_type, body = dispatch_get(backend.engine, HttpRequest("GET", "/metrics"))
        assert status == 200 and content_type.startswith("text/plain")
        text = body.decode()
    samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def test_metrics_endpoint_exposes_consumed_capacity_and_table_gauges(ddb, backend, table_name):
    provisioned_table(ddb, table_name, rcu=7, wcu=9)
    for i in range(3):
        ddb.put_item(TableName=table_name, Item=item_of_units(f"k{i}", 2))
    ddb.get_item(TableName=table_name, Key={"pk": {"S": "k0"}})
    samples = scrape(backend)
    table = (("index", ""), ("operation", ""), ("table", table_name))
    assert samples[("jobtable_dynamodb_consumed_write_capacity_units_total", table)] == 6.0
    assert samples[("jobtable_dynamodb_consumed_read_capacity_units_total", table)] == 0.5
    assert samples[("jobtable_dynamodb_provisioned_write_capacity_units", table)] == 9.0
    assert samples[("jobtable_dynamodb_item_count", (("table", table_name),))] == 3.0
    latency = (("index", ""), ("operation", "PutItem"), ("table", table_name))
    assert samples[("jobtable_dynamodb_successful_request_latency_milliseconds_count", latency)] == 3.0
