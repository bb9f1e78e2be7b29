"""Contributor Insights: DynamoDB's rule set, statuses, and the hot key first in the report."""
from __future__ import annotations

import re

from botocore.config import Config

from tests.capacity.conftest import moment
from tests.capacity.helpers import error_of, item_of_units, provisioned_table


def enable(ddb, backend, table, **extra):
    out = ddb.update_contributor_insights(TableName=table, ContributorInsightsAction="ENABLE", **extra)
    assert out["ContributorInsightsStatus"] == "ENABLING"
    backend.settle()
    described = ddb.describe_contributor_insights(TableName=table, **{
        k: v for k, v in extra.items() if k == "IndexName"})
    assert described["ContributorInsightsStatus"] == "ENABLED"
    return described


def rule(described, kind):
    return next(name for name in described["ContributorInsightsRuleList"] if f"-{kind}-" in name)


def report(cloudwatch, rule_name, start, end, **extra):
    return cloudwatch.get_insight_rule_report(RuleName=rule_name, StartTime=moment(start), EndTime=moment(end),
                                              Period=60, **extra)


def test_the_hot_key_comes_first(ddb, backend, cloudwatch, table_name):
    provisioned_table(ddb, table_name, rcu=1000, wcu=1000, sort_key=True)
    described = enable(ddb, backend, table_name)
    names = described["ContributorInsightsRuleList"]
    assert len(names) == 4
    for kind in ("PKC", "PKT", "SKC", "SKT"):
        assert re.fullmatch(rf"DynamoDBContributorInsights-{kind}-{table_name}-\d{{13}}", rule(described, kind))
    start = backend.advance(0)
    for user, reads in (("cold", 2), ("hot", 15), ("warm", 6)):
        ddb.put_item(TableName=table_name, Item={"pk": {"S": user}, "sk": {"S": "profile"}})
        for _ in range(reads):
            ddb.get_item(TableName=table_name, Key={"pk": {"S": user}, "sk": {"S": "profile"}})
    ddb.query(TableName=table_name, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "hot"}})
    end = backend.advance(60)

    out = report(cloudwatch, rule(described, "PKC"), start - 60, end, MaxContributorCount=2,
                 Metrics=["UniqueContributors", "Sum"])
    assert out["KeyLabels"] == ["pk"]
    assert [(c["Keys"], c["ApproximateAggregateValue"]) for c in out["Contributors"]] == [
        (["hot"], 17.0), (["warm"], 7.0)]
    assert out["AggregateValue"] == 27.0 and out["ApproximateUniqueCount"] == 3
    assert sum(p["Sum"] for p in out["MetricDatapoints"]) == 27.0
    sort_keys = report(cloudwatch, rule(described, "SKC"), start - 60, end)
    assert sort_keys["KeyLabels"] == ["pk", "sk"]
    assert sort_keys["Contributors"][0]["Keys"] == ["hot", "profile"]
    assert sort_keys["Contributors"][0]["ApproximateAggregateValue"] == 16.0  # the Query names no sort key
    assert report(cloudwatch, rule(described, "PKT"), start - 60, end)["Contributors"] == []


def test_throttled_keys_are_reported(backend, cloudwatch, table_name):
    ddb = backend.client("dynamodb", config=Config(retries={"mode": "standard", "total_max_attempts": 1}))
    provisioned_table(ddb, table_name, rcu=1, wcu=1)
    described = enable(ddb, backend, table_name, ContributorInsightsMode="THROTTLED_KEYS")
    assert described["ContributorInsightsMode"] == "THROTTLED_KEYS"
    assert [n.split("-")[1] for n in described["ContributorInsightsRuleList"]] == ["PKT"]
    start = backend.advance(0)
    ddb.put_item(TableName=table_name, Item=item_of_units("big", 300))
    for key, tries in (("a", 1), ("b", 4)):
        for _ in range(tries):
            error_of(ddb.put_item, TableName=table_name, Item={"pk": {"S": key}})
    end = backend.advance(60)
    out = report(cloudwatch, described["ContributorInsightsRuleList"][0], start - 60, end)
    assert [(c["Keys"], c["ApproximateAggregateValue"]) for c in out["Contributors"]] == [(["b"], 4.0), (["a"], 1.0)]


def test_gsi_insights_disable_and_listing(ddb, backend, cloudwatch, table_name):
    provisioned_table(ddb, table_name, rcu=100, wcu=100, gsi=("ByG", 100, 100))
    described = enable(ddb, backend, table_name, IndexName="ByG")
    assert described["IndexName"] == "ByG" and len(described["ContributorInsightsRuleList"]) == 2
    start = backend.advance(0)
    for g in ("x", "x", "y"):
        ddb.query(TableName=table_name, IndexName="ByG", KeyConditionExpression="g = :g",
                  ExpressionAttributeValues={":g": {"S": g}})
    end = backend.advance(60)
    old_rule = rule(described, "PKC")
    out = report(cloudwatch, old_rule, start - 60, end)
    assert out["KeyLabels"] == ["g"] and out["Contributors"][0]["Keys"] == ["x"]

    summaries = ddb.list_contributor_insights(TableName=table_name)["ContributorInsightsSummaries"]
    assert {(s.get("IndexName"), s["ContributorInsightsStatus"]) for s in summaries} == {
        (None, "DISABLED"), ("ByG", "ENABLED")}
    out = ddb.update_contributor_insights(TableName=table_name, IndexName="ByG", ContributorInsightsAction="DISABLE")
    assert out["ContributorInsightsStatus"] == "DISABLING"
    backend.settle()
    described = ddb.describe_contributor_insights(TableName=table_name, IndexName="ByG")
    assert described["ContributorInsightsStatus"] == "DISABLED" and "ContributorInsightsRuleList" not in described
    gone = error_of(report, cloudwatch, old_rule, start - 60, end)  # the rules go with the insights
    assert gone["Error"]["Code"] == "ResourceNotFoundException"
    error = error_of(ddb.describe_contributor_insights, TableName=table_name, IndexName="Nope")
    assert error["Error"]["Code"] == "ResourceNotFoundException"
