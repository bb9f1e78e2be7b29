"""The CloudWatch API subset on the DynamoDB endpoint: metrics, alarms, Contributor Insights reports.

One implementation per operation (`ACTIONS`: request dict -> output dict) behind every wire
protocol botocore's model lists: smithy-rpc-v2-cbor and JSON 1.0 (boto3, by version; `rpc`)
and the query protocol (form `Action=...&Version=2010-08-01` in, XML out: the Terraform
provider, `query`). Requests are
validated against botocore's CloudWatch model before an action runs.
"""
from __future__ import annotations

from typing import Any

from jobtable.api.cloudwatch import alarms, insights, metrics, rpc
from jobtable.api.cloudwatch.errors import SERVICE, CloudWatchError
from jobtable.api.protocol import RequestContext
from jobtable.api.validation import validate_request
from jobtable.engine.errors import DynamoError

ACTIONS: dict[str, Any] = {**metrics.ACTIONS, **alarms.ACTIONS, **insights.ACTIONS}
API_VERSION = "2010-08-01"


def run(operation: str, request: dict, context: RequestContext) -> dict:
    """Validate and run one CloudWatch operation (any protocol)."""
    action = ACTIONS.get(operation)
    if action is None:  # not in the model's error shapes: the generic query-protocol error
        raise CloudWatchError("InvalidAction", f"Could not find operation {operation} for version {API_VERSION}")
    try:
        validate_request(operation, request, service=SERVICE)
    except DynamoError as exc:
        raise CloudWatchError("ValidationException", exc.message) from None
    return action(request, context) or {}


def matches_rpc(request: Any) -> bool:
    return rpc.request_codec(request) is not None


def serve_rpc(engine: Any, request: Any, context: RequestContext) -> Any:
    """The POST_HANDLERS entry for boto3's CloudWatch client (smithy-rpc-v2-cbor or JSON 1.0)."""
    return rpc.serve(run, request, context)


def handle_query(action: str, params: dict[str, str], context: RequestContext) -> Any:
    """The QUERY_SERVICES["monitoring"] entry: form request in, XML out (what Terraform sends)."""
    from jobtable.api.cloudwatch.query import serve_query

    return serve_query(ACTIONS, action, params, context)
