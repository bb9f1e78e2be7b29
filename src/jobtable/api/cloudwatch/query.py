"""CloudWatch in the AWS query protocol, on the project's model-driven query codec (api/aws/query.py).

The codec parses and validates the form against botocore's CloudWatch model and renders the
XML; this module only maps CloudWatch's errors onto the codec's `<ErrorResponse>`.
"""
from __future__ import annotations

import logging
from typing import Any, Callable

from jobtable.api.aws.query import QueryError, QueryResponse, serve
from jobtable.api.cloudwatch.errors import SERVICE, CloudWatchError

log = logging.getLogger("jobtable.api.cloudwatch")


def _query_action(action: Callable[[dict, Any], dict]) -> Callable[[dict, Any], dict]:
    def run(request: dict, context: Any) -> dict:
        try:
            return action(request, context)
        except CloudWatchError as exc:
            raise QueryError(exc.code, exc.message, exc.status, exc.sender) from None
        except Exception:
            log.exception("internal error in a CloudWatch query action")
            raise QueryError("InternalServiceError", "Internal service error", 500, False) from None
    return run


def serve_query(actions: dict[str, Callable[[dict, Any], dict]], action: str, params: dict[str, str],
                context: Any) -> QueryResponse:
    return serve(SERVICE, {name: _query_action(fn) for name, fn in actions.items()}, action, params, context)
