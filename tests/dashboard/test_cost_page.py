"""The cost page shows what jobtable.ops.cost computes from the table's measured usage."""
from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest

from jobtable.dashboard.costview import money
from jobtable.engine.metrics import dimensions
from jobtable.inprocess import client
from jobtable.ops.cost import estimate_cost
from jobtable.ops.prices import prices_for
from jobtable.ops.usage import collect_usage
from tests.ops.test_cost import WORKLOAD

HOUR = 3600
NAMESPACE = "AWS/DynamoDB"


def shown_text(html: str) -> dict[str, str]:
    """{'PAY_PER_REQUEST.reads': '$18.07', ...} from the page's cost table."""
    return {key: unescape(text) for key, text in re.findall(r'data-cost="([A-Z_]+\.[a-z]+)">([^<]+)<', html)}


def shown_costs(html: str) -> dict[str, float]:
    return {key: float(text.lstrip("< $").replace(",", "")) for key, text in shown_text(html).items()}


def create_costed_table(ddb, name: str) -> None:
    """A table shaped like WORKLOAD: the table and one GSI, StatusIndex."""
    ddb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "jobId", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "jobId", "AttributeType": "S"},
                              {"AttributeName": "status", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[{"IndexName": "StatusIndex", "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "ALL"}}])


def to_next_hour(seeded) -> float:
    """Move the clock one second past the next whole hour; returns that hour (the window's end)."""
    now = seeded.engine.clock.now()
    seeded.advance(HOUR - now % HOUR + 1)
    return seeded.engine.clock.now() - 1


def test_known_workload_matches_the_hand_computation(ui, seeded):
    """WORKLOAD (tests/ops/test_cost.py) is 8 million request units a day: its hourly sums are
    written into the server's CloudWatch store directly, standing in for the traffic, and the
    page must price them as the hand computation there does."""
    create_costed_table(seeded.ddb, "Costed")
    end = to_next_hour(seeded)
    start = end - WORKLOAD.hours * HOUR
    for resource in WORKLOAD.resources:
        dims = (dimensions(TableName="Costed") if resource.name == "table"
                else dimensions(TableName="Costed", GlobalSecondaryIndexName=resource.name))
        for hour, (read, write) in enumerate(zip(resource.hourly_read_units, resource.hourly_write_units)):
            for metric, units in (("ConsumedReadCapacityUnits", read), ("ConsumedWriteCapacityUnits", write)):
                if units:
                    seeded.engine.metrics.record(NAMESPACE, metric, dims, units, start + hour * HOUR + 60)

    page = ui.get("/ui/tables/Costed/cost?days=1&target=70")
    assert page.status_code == 200, page.text
    costs = shown_costs(page.text)
    month = 730 / 24
    # The hand computation of tests/ops/test_cost.py, shown in cents.
    assert costs["PAY_PER_REQUEST.reads"] == pytest.approx(4_752_000 * month * 0.125 / 1e6, abs=0.005)     # $18.07
    assert costs["PAY_PER_REQUEST.writes"] == pytest.approx(3_240_000 * month * 0.625 / 1e6, abs=0.005)    # $61.59
    assert costs["PROVISIONED.reads"] == pytest.approx((2024 / 24 + 1) * 730 * 0.00013, abs=0.005)         # $8.10
    assert costs["PROVISIONED.writes"] == pytest.approx((947 + 479) / 24 * 730 * 0.00065, abs=0.005)       # $28.20
    assert costs["PAY_PER_REQUEST.storage"] == costs["PROVISIONED.storage"] == 0.0  # an empty table
    assert "Recommendation: <strong>PROVISIONED</strong>" in page.text
    # The table's read setting: min ceil(10/.7)=15, max 2 x ceil(100/.7)=286, target 70 %.
    assert re.search(r'<td class="mono">table</td><td>read</td><td class="num">15</td><td class="num">286</td>'
                     r'<td class="num">70%</td>', page.text)
    assert "<dt>Region</dt><dd>us-east-1</dd>" in page.text and "2025-01" in page.text


def test_real_traffic_is_measured_and_priced_like_the_cli(ui, seeded):
    """Three hours of 30 one-unit writes each, through boto3: the page shows the numbers
    ops.cost gives for the same window (and the hand computation for the writes)."""
    create_costed_table(seeded.ddb, "Measured")
    seeded.advance(1)
    end = to_next_hour(seeded) + 3 * HOUR
    for hour in range(3):
        for n in range(30):
            seeded.ddb.put_item(TableName="Measured", Item={"jobId": {"S": f"h{hour}-{n}"}, "status": {"S": "PENDING"}})
        seeded.advance(HOUR)
    assert seeded.engine.clock.now() == pytest.approx(end + 1)

    page = ui.get("/ui/tables/Measured/cost?days=0.125")  # 3 hours
    assert page.status_code == 200, page.text
    costs = shown_costs(page.text)
    # 90 writes of 1 WCU on the table + 90 on StatusIndex = 180 units in 3 hours, scaled to 730 hours.
    assert costs["PAY_PER_REQUEST.writes"] == pytest.approx(180 * 730 / 3 * 0.625 / 1e6, abs=0.00005)  # $0.0274
    usage = collect_usage(seeded.ddb, client("cloudwatch", engine=seeded.engine), "Measured", 0.125,
                          dt.datetime.fromtimestamp(end + 1, dt.timezone.utc))
    expected = estimate_cost(usage, prices_for("us-east-1"), 0.70)
    for mode, cost in (("PAY_PER_REQUEST", expected.on_demand), ("PROVISIONED", expected.provisioned)):
        for attr in ("reads", "writes", "storage", "pitr", "backups", "streams", "total"):
            assert shown_text(page.text)[f"{mode}.{attr}"] == money(getattr(cost, attr)), (mode, attr)
    assert f"<strong>{expected.recommended_mode}</strong>" in page.text
    assert "<dt>Window</dt><dd>3 hours" in page.text


def test_the_table_page_links_to_the_estimate(ui, seeded):
    assert '/ui/tables/CloudToolsJobs/cost">Cost estimate</a>' in ui.get("/ui/tables/CloudToolsJobs").text


@pytest.mark.parametrize("params, message", [
    ("days=lots", "days must be a number"), ("days=90", "days must be between"), ("target=95", "between 20 and 90")])
def test_bad_parameters_are_explained(ui, seeded, params, message):
    page = ui.get(f"/ui/tables/CloudToolsJobs/cost?{params}")
    assert page.status_code == 200 and message in page.text and "data-cost" not in page.text


def test_unknown_table(ui, seeded):
    page = ui.get("/ui/tables/Nope/cost")
    assert page.status_code == 404 and "ResourceNotFoundException" in page.text
