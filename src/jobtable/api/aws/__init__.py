"""AWS APIs besides DynamoDB that the server answers in the query protocol (Terraform's
provider calls them): `QUERY_SERVICES[service](action, params, context)`.

A query request is form-encoded (`Action=...&Version=...`). `query_handler_for` picks the
service from the SigV4 credential scope, or from `Version=` when the request is unsigned.
"""
from __future__ import annotations

from typing import Any, Callable

from jobtable.api.aws import iam, sts
from jobtable.api.aws.query import QueryResponse

QueryHandler = Callable[[str, dict[str, str], Any], QueryResponse]

QUERY_SERVICES: dict[str, QueryHandler] = {"iam": iam.handle_query, "sts": sts.handle_query}
SERVICE_BY_VERSION: dict[str, str] = {"2010-05-08": "iam", "2011-06-15": "sts"}


def query_handler_for(params: dict[str, str], signing_service: str | None) -> QueryHandler | None:
    """The handler serving this form request, or None when no registered service matches."""
    service = signing_service if signing_service in QUERY_SERVICES else SERVICE_BY_VERSION.get(params.get("Version", ""))
    return QUERY_SERVICES.get(service) if service else None


__all__ = ["QUERY_SERVICES", "SERVICE_BY_VERSION", "QueryHandler", "query_handler_for"]
