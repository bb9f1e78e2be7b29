"""CloudWatch on the endpoint: its RPC protocols (boto3), its query protocol (Terraform) and
`GET /metrics` (Prometheus). Loaded through dispatch.PROTOCOL_MODULES."""
from __future__ import annotations

from jobtable.api import cloudwatch
from jobtable.api.aws import QUERY_SERVICES, SERVICE_BY_VERSION
from jobtable.server.dispatch import GET_HANDLERS, POST_HANDLERS
from jobtable.server.prometheus import metrics_page

POST_HANDLERS.append((cloudwatch.matches_rpc, cloudwatch.serve_rpc))
QUERY_SERVICES["monitoring"] = cloudwatch.handle_query
SERVICE_BY_VERSION[cloudwatch.API_VERSION] = "monitoring"
GET_HANDLERS["/metrics"] = metrics_page
