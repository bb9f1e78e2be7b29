"""UpdateContributorInsights, DescribeContributorInsights, ListContributorInsights.

The counting itself is engine/insights.py, fed by the accounting observer; the reports are
served by CloudWatch's GetInsightRuleReport (api/cloudwatch/insights.py).
"""
from __future__ import annotations

from typing import Any

from jobtable.api.ops.common import page_of, table_for
from jobtable.api.ops.tables import ResourceNotFoundException_index
from jobtable.api.protocol import RequestContext
from jobtable.engine import insights
from jobtable.engine.catalog import IndexMeta, TableMeta
from jobtable.engine.errors import ValidationException

MAX_RESULTS = 100


def _target(ctx: RequestContext, req: dict) -> tuple[TableMeta, IndexMeta | None]:
    meta = table_for(ctx, req["TableName"])
    name = req.get("IndexName")
    if name is None:
        return meta, None
    index = meta.index(name)
    if index is None or index.kind != "GSI":
        raise ResourceNotFoundException_index(meta.name, name)
    return meta, index


def update_contributor_insights(req: dict, ctx: RequestContext) -> dict:
    meta, index = _target(ctx, req)
    engine = ctx.engine
    state = engine.insights.set_enabled(meta, index, req["ContributorInsightsAction"] == "ENABLE",
                                        req.get("ContributorInsightsMode"))
    engine.catalog.save(meta)
    engine.insights.refresh()
    engine.wake()  # the background pass finishes ENABLING/DISABLING
    out: dict[str, Any] = {"TableName": meta.name, "ContributorInsightsStatus": state["status"]}
    if index is not None:
        out["IndexName"] = index.name
    if state["status"] != "DISABLING":
        out["ContributorInsightsMode"] = state["mode"]
    return out


def describe_contributor_insights(req: dict, ctx: RequestContext) -> dict:
    meta, index = _target(ctx, req)
    return insights.describe_state(meta, index)


def list_contributor_insights(req: dict, ctx: RequestContext) -> dict:
    limit = req.get("MaxResults") or MAX_RESULTS
    if limit > MAX_RESULTS:
        raise ValidationException(f"1 validation error detected: Value '{limit}' at 'maxResults' failed to satisfy "
                                  f"constraint: Member must have value less than or equal to {MAX_RESULTS}")
    metas = [table_for(ctx, req["TableName"])] if req.get("TableName") else ctx.engine.catalog.all()
    page, next_token = page_of(insights.summaries(metas), req.get("NextToken"), limit)
    out: dict[str, Any] = {"ContributorInsightsSummaries": page}
    if next_token:
        out["NextToken"] = next_token
    return out


OPERATIONS = {
    "UpdateContributorInsights": update_contributor_insights,
    "DescribeContributorInsights": describe_contributor_insights,
    "ListContributorInsights": list_contributor_insights,
}
