"""What a table page shows, gathered from the control-plane API (one Outcome per call)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from jobtable.dashboard.backend import Api, Outcome, attempt
from jobtable.dashboard.browse import Target, targets_of

MAX_TABLES = 1000


def list_table_names(ddb: Any) -> list[str]:
    """Every table name (ListTables pages followed, up to MAX_TABLES)."""
    names: list[str] = []
    params: dict[str, Any] = {}
    while len(names) < MAX_TABLES:
        response = ddb.list_tables(**params)
        names.extend(response.get("TableNames", []))
        if "LastEvaluatedTableName" not in response:
            break
        params["ExclusiveStartTableName"] = response["LastEvaluatedTableName"]
    return names


def describe(ddb: Any, name: str) -> dict[str, Any]:
    return ddb.describe_table(TableName=name)["Table"]


@dataclass
class TableInfo:
    name: str
    description: Outcome[dict]
    ttl: Outcome[dict]
    continuous_backups: Outcome[dict]
    tags: Outcome[list]
    insights: Outcome[dict]

    @property
    def table(self) -> dict[str, Any]:
        return self.description.value or {}

    @property
    def targets(self) -> list[Target]:
        return targets_of(self.table) if self.description.ok else []

    @property
    def billing_mode(self) -> str:
        return self.table.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED")

    @property
    def pitr(self) -> dict[str, Any]:
        return (self.continuous_backups.value or {}).get("PointInTimeRecoveryDescription", {})


def table_info(api: Api, name: str) -> TableInfo:
    ddb = api.dynamodb
    description = attempt(describe, ddb, name)
    arn = (description.value or {}).get("TableArn")
    tags = attempt(lambda: ddb.list_tags_of_resource(ResourceArn=arn).get("Tags", [])) if arn else Outcome([])
    return TableInfo(
        name, description,
        attempt(lambda: ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]),
        attempt(lambda: ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]),
        tags,
        attempt(lambda: ddb.describe_contributor_insights(TableName=name)),
    )


def backfill_progress(index: Mapping[str, Any], table_item_count: int) -> str:
    """'≈ 40% (400 of 1000 items)' while a new GSI backfills; '' otherwise. Counts are
    DynamoDB's periodically refreshed ones, hence approximate."""
    if not index.get("Backfilling") and index.get("IndexStatus") != "CREATING":
        return ""
    done = int(index.get("ItemCount") or 0)
    if not table_item_count:
        return "backfilling"
    share = min(done / table_item_count, 1.0)
    return f"≈ {share:.0%} ({done} of {table_item_count} items)"
