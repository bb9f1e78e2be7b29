"""CloudWatch's RPC protocols: smithy-rpc-v2-cbor and JSON 1.0 (awsQueryCompatible).

botocore picks the first protocol of the model's list it supports, so boto3 versions differ:
some send CBOR to `POST /service/GraniteServiceVersion20100801/operation/<Operation>`
(timestamps as CBOR tag 1), newer ones JSON 1.0 with `X-Amz-Target:
GraniteServiceVersion20100801.<Operation>` (timestamps as epoch numbers). Both answer in
the request's encoding. CloudWatch is "awsQueryCompatible": an error carries the shape
name in `__type` and the query protocol's code in the `x-amzn-query-error` header, which
botocore maps back to the same exception classes the query protocol gives.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any, Callable

import cbor2
import orjson

from jobtable.api.cloudwatch.errors import CloudWatchError
from jobtable.api.protocol import RequestContext, Response

log = logging.getLogger("jobtable.api.cloudwatch")

SERVICE_ID = "GraniteServiceVersion20100801"
CBOR_PATH_PREFIX = f"/service/{SERVICE_ID}/operation/"
JSON_TARGET_PREFIX = f"{SERVICE_ID}."
ERROR_NAMESPACE = "com.amazonaws.cloudwatch"

Runner = Callable[[str, dict, RequestContext], dict]


def _epoch_seconds(value: Any) -> Any:
    """Datetimes as epoch seconds (JSON has no timestamp type; actions accept numbers anyway)."""
    if isinstance(value, dt.datetime):
        return value.timestamp()
    if isinstance(value, dict):
        return {k: _epoch_seconds(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_epoch_seconds(v) for v in value]
    return value


@dataclass(frozen=True)
class Codec:
    content_type: str
    decode: Callable[[bytes], Any]
    encode: Callable[[dict], bytes]
    extra_headers: tuple[tuple[str, str], ...] = ()


CBOR = Codec("application/cbor", cbor2.loads,
             lambda payload: cbor2.dumps(payload, datetime_as_timestamp=True, timezone=dt.timezone.utc),
             (("smithy-protocol", "rpc-v2-cbor"),))
JSON = Codec("application/x-amz-json-1.0", orjson.loads, lambda payload: orjson.dumps(_epoch_seconds(payload)))


def request_codec(request: Any) -> tuple[Codec, str] | None:
    """(codec, operation) when the request is a CloudWatch RPC call, else None."""
    if request.path.startswith(CBOR_PATH_PREFIX):
        return CBOR, request.path[len(CBOR_PATH_PREFIX):].strip("/")
    target = request.headers.get("x-amz-target") or ""
    if target.startswith(JSON_TARGET_PREFIX):
        return JSON, target[len(JSON_TARGET_PREFIX):]
    return None


def _response(codec: Codec, status: int, payload: dict, request_id: str,
              extra: tuple[tuple[str, str], ...] = ()) -> Response:
    body = codec.encode(payload)
    headers = [("content-type", codec.content_type), *codec.extra_headers, ("x-amzn-requestid", request_id),
               ("content-length", str(len(body))), *extra]
    return Response(status, headers, body)


def error_response(codec: Codec, error: CloudWatchError, request_id: str) -> Response:
    fault = "Sender" if error.sender else "Receiver"
    return _response(codec, error.status, {"__type": f"{ERROR_NAMESPACE}#{error.shape}", "message": error.message},
                     request_id, (("x-amzn-query-error", f"{error.code};{fault}"),))


def serve(run: Runner, request: Any, context: RequestContext) -> Response:
    """Decode, run one action through `run` and encode the answer; never raises."""
    codec, operation = request_codec(request) or (JSON, "")
    try:
        try:
            body = _epoch_seconds(codec.decode(request.body)) if request.body else {}
        except (cbor2.CBORDecodeError, orjson.JSONDecodeError, ValueError) as exc:
            raise CloudWatchError("InvalidParameterValueException", f"The request body cannot be decoded: {exc}")
        if not isinstance(body, dict):
            raise CloudWatchError("InvalidParameterValueException", "The request body must be a map.")
        return _response(codec, 200, run(operation, body, context), context.request_id)
    except CloudWatchError as exc:
        return error_response(codec, exc, context.request_id)
    except Exception:
        log.exception("internal error in CloudWatch %s", operation)
        return error_response(codec, CloudWatchError("InternalServiceFault", "Internal service error"),
                              context.request_id)
