"""The DynamoDB Streams API (JSON, `X-Amz-Target: DynamoDBStreams_20120810.*`) on the same endpoint.

`matches`/`serve` plug into server/dispatch.py's POST_HANDLERS, so the HTTP server and the
in-process boto3 `dynamodbstreams` client share one path. Requests are validated against
botocore's dynamodbstreams model; errors use DynamoDB's envelopes. The table hooks below
keep the stream registry in step with StreamSpecification changes, inside the same
transaction as the table change.
"""
from __future__ import annotations

import logging
from typing import Any

import orjson

from jobtable.api.ops import tables
from jobtable.api.protocol import RequestContext, Response, _crc_headers, error_response, parse_body
from jobtable.api.streams.operations import OPERATIONS
from jobtable.api.validation import validate_request
from jobtable.engine.errors import DynamoError, InternalServerError, UnknownOperationException
from jobtable.engine.streams import registry

log = logging.getLogger("jobtable.api.streams")

TARGET_PREFIX = "DynamoDBStreams_20120810."
SERVICE = "dynamodbstreams"


def matches(request: Any) -> bool:
    target = request.headers.get("x-amz-target") or ""
    return target.startswith(TARGET_PREFIX)


def serve(engine: Any, request: Any, context: RequestContext) -> Response:
    """Serve one Streams call; never raises."""
    operation = request.headers["x-amz-target"][len(TARGET_PREFIX):]
    try:
        if operation not in OPERATIONS:
            raise UnknownOperationException("")
        body = parse_body(request.body)
        validate_request(operation, body, service=SERVICE)  # (IAM checks ran in dispatch's authenticator)
        out = orjson.dumps(OPERATIONS[operation](body, context))
        response = Response(200, _crc_headers(200, out, context.request_id), out)
    except DynamoError as exc:
        response = error_response(exc, context.request_id)
    except Exception:
        log.exception("internal error in Streams %s", operation)
        response = error_response(InternalServerError("Internal server error"), context.request_id)
    return response


def _on_table_changed(engine: Any, meta: Any, request: dict | None = None) -> None:
    registry.sync_table(engine, meta)


def _on_table_deleted(engine: Any, meta: Any) -> None:
    registry.sync_table(engine, meta, dropping=True)


tables.TABLE_CREATED_HOOKS.append(_on_table_changed)
tables.TABLE_UPDATED_HOOKS.append(_on_table_changed)
tables.TABLE_DELETED_HOOKS.append(_on_table_deleted)
