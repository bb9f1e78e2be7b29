"""DynamoDB's JSON 1.0 protocol, independent of transport.

`handle(target, body, context)` is the single request path: the HTTP server and the
in-process boto3 client both call it. It parses, validates against the service model,
dispatches to one operation function and renders results and errors as DynamoDB does.
"""
from __future__ import annotations

import itertools
import logging
import sqlite3
import os
import time
import zlib
from dataclasses import dataclass, field
from typing import Any, Callable

import orjson

from jobtable.engine.engine import Engine
from jobtable.engine.errors import (DynamoError, InternalServerError, SerializationException,
                                    UnknownOperationException)

log = logging.getLogger("jobtable.api")

JSON_CONTENT_TYPE = "application/x-amz-json-1.0"
DYNAMODB_PREFIX = "DynamoDB_20120810."

_request_counter = itertools.count(1)
_request_prefix = os.urandom(6).hex().upper()


def new_request_id() -> str:
    """A cheap unique id: random per process, counter per request (no per-call randomness)."""
    return f"{_request_prefix}{next(_request_counter):020d}"


@dataclass
class RequestContext:
    """What the transport knows about a request (identity once auth is on)."""

    engine: Engine
    request_id: str = field(default_factory=new_request_id)
    identity: Any = None          # set by the server's auth hook (security layer)
    source_ip: str | None = None
    host: str | None = None       # the Host the client used (DescribeEndpoints)
    consumed: list = field(default_factory=list)  # Consumed records, for metrics/insights
    returned_items: int | None = None  # Query/Scan Count, for the ReturnedItemCount metric
    trace: Any = None  # what the request touches (engine/accounting.py), set by its guard
    authorize: Callable[[str, dict, "RequestContext"], None] | None = None  # IAM hook


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


Operation = Callable[[dict, RequestContext], Any]


def _operations() -> dict[str, Operation]:
    from jobtable.api.ops import OPERATIONS

    return OPERATIONS


def _crc_headers(status: int, body: bytes, request_id: str) -> list[tuple[str, str]]:
    return [("content-type", JSON_CONTENT_TYPE), ("x-amzn-requestid", request_id),
            ("x-amz-crc32", str(zlib.crc32(body) & 0xFFFFFFFF)), ("content-length", str(len(body)))]


def error_response(exc: DynamoError, request_id: str) -> Response:
    payload: dict[str, Any] = {"__type": exc.wire_type}
    if exc.message or not isinstance(exc, UnknownOperationException):
        payload[exc.message_member] = exc.message
    payload.update(exc.extra)
    body = orjson.dumps(payload)
    return Response(exc.status, _crc_headers(exc.status, body, request_id), body)


def parse_body(body: bytes) -> dict:
    if not body:
        raise SerializationException("Start of structure or map found where not expected.")
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise SerializationException(f"Invalid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise SerializationException("Start of structure or map found where not expected.")
    return data


def handle(target: str | None, body: bytes, context: RequestContext) -> Response:
    """Serve one DynamoDB API call; never raises."""
    started = time.perf_counter()
    operation = None
    try:
        operation = _resolve(target)
        request = parse_body(body)
        from jobtable.api.validation import validate_request

        validate_request(operation, request)
        if context.authorize is not None:
            context.authorize(operation, request, context)
        for guard in context.engine.request_guards:  # throttling: may refuse before any work
            guard(operation, request, context)
        result = _operations()[operation](request, context)
        out = orjson.dumps(result)
        response = Response(200, _crc_headers(200, out, context.request_id), out)
    except DynamoError as exc:
        response = error_response(exc, context.request_id)
    except sqlite3.OperationalError as exc:
        response = error_response(_storage_error(exc), context.request_id)
    except sqlite3.DatabaseError as exc:
        log.error("storage error in %s: %s", operation, exc)
        response = error_response(InternalServerError(
            f"Internal server error: the data file is damaged ({exc}); restore the table from a backup "
            "or point-in-time recovery"), context.request_id)
    except RecursionError:
        response = error_response(SerializationException("Nesting Levels have exceeded supported limits"),
                                  context.request_id)
    except Exception:  # a bug must still answer like DynamoDB, and be logged for us
        log.exception("internal error in %s", operation)
        response = error_response(InternalServerError("Internal server error"), context.request_id)
    for observer in context.engine.request_observers:
        try:
            observer(operation, response, time.perf_counter() - started, context)
        except Exception:
            log.exception("request observer failed")
    return response


def _storage_error(exc: sqlite3.OperationalError) -> DynamoError:
    text = str(exc)
    if "full" in text:
        log.error("storage full: %s", text)
        return InternalServerError("Internal server error: the data directory is out of space; the write "
                                   "was not applied (free space and retry)")
    if "locked" in text or "busy" in text:
        return InternalServerError("Internal server error: the database is busy; retry the request")
    log.error("storage error: %s", text)
    return InternalServerError(f"Internal server error: storage error ({text})")


def _resolve(target: str | None) -> str:
    if not target or not target.startswith(DYNAMODB_PREFIX):
        raise UnknownOperationException("")
    operation = target[len(DYNAMODB_PREFIX):]
    if operation not in _operations():
        raise UnknownOperationException("")
    return operation
