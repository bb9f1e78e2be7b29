"""Route form-encoded AWS query-protocol requests (IAM, STS, CloudWatch for Terraform).

The service is the SigV4 credential scope's (`iam`, `sts`, `monitoring`) or, unsigned, the
one the `Version=` parameter names; `jobtable.api.aws.QUERY_SERVICES` holds the handlers.
"""
from __future__ import annotations

from jobtable.api.protocol import RequestContext, Response
from jobtable.engine.engine import Engine
from jobtable.engine.errors import UnknownOperationException
from jobtable.server.dispatch import POST_HANDLERS, HttpRequest


def is_query_request(request: HttpRequest) -> bool:
    if request.target is not None:
        return False
    content_type = request.headers.get("content-type", "")
    return content_type.startswith("application/x-www-form-urlencoded") or request.body.startswith(b"Action=")


def serve_query_request(engine: Engine, request: HttpRequest, context: RequestContext) -> Response:
    from jobtable.api.aws import query_handler_for

    params = request.form()
    handler = query_handler_for(params, request.signing_service())
    if handler is None or "Action" not in params:
        raise UnknownOperationException("")
    status, headers, body = handler(params["Action"], params, context)
    header_list = list(headers.items()) if isinstance(headers, dict) else list(headers)
    return Response(status, header_list, body)


POST_HANDLERS.append((is_query_request, serve_query_request))
