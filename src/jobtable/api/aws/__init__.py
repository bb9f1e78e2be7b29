"""AWS APIs besides DynamoDB that the server answers in the query protocol (Terraform's
provider calls them): `QUERY_SERVICES[service](action, params, context)`.

The server picks the service from the SigV4 credential scope, or from `Version=` via
`SERVICE_BY_VERSION` when the request is unsigned.
"""
from __future__ import annotations

from typing import Any, Callable

from jobtable.api.aws import iam, sts
from jobtable.api.aws.query import QueryResponse

QueryHandler = Callable[[str, dict[str, str], Any], QueryResponse]

QUERY_SERVICES: dict[str, QueryHandler] = {"iam": iam.handle_query, "sts": sts.handle_query}
SERVICE_BY_VERSION: dict[str, str] = {"2010-05-08": "iam", "2011-06-15": "sts"}

__all__ = ["QUERY_SERVICES", "SERVICE_BY_VERSION", "QueryHandler"]
