"""JSON 1.1 wire handling for Application Auto Scaling (`X-Amz-Target: AnyScaleFrontendService.*`)."""
from __future__ import annotations

import orjson

from jobtable.api.autoscaling.operations import OPERATIONS, AutoScalingError
from jobtable.api.autoscaling.scaler import ensure_scaler
from jobtable.api.protocol import RequestContext, Response
from jobtable.engine.engine import Engine
from jobtable.server.dispatch import POST_HANDLERS, HttpRequest
from jobtable.server.run import STARTUP_HOOKS

TARGET_PREFIX = "AnyScaleFrontendService."
CONTENT_TYPE = "application/x-amz-json-1.1"


def is_autoscaling_request(request: HttpRequest) -> bool:
    return (request.target or "").startswith(TARGET_PREFIX)


def _answer(status: int, payload: dict, request_id: str) -> Response:
    return Response(status, [("content-type", CONTENT_TYPE), ("x-amzn-requestid", request_id)],
                    orjson.dumps(payload))


def serve_autoscaling_request(engine: Engine, request: HttpRequest, context: RequestContext) -> Response:
    name = (request.target or "")[len(TARGET_PREFIX):]
    operation = OPERATIONS.get(name)
    if operation is None:
        return _answer(400, {"__type": "UnknownOperationException",
                             "message": f"jobtable does not implement Application Auto Scaling {name}"},
                       context.request_id)
    try:
        body = orjson.loads(request.body or b"{}")
    except orjson.JSONDecodeError:
        return _answer(400, {"__type": "SerializationException", "message": "Start of structure or map found where "
                             "not expected."}, context.request_id)
    ensure_scaler(engine)
    try:
        return _answer(200, operation(engine, body), context.request_id)
    except AutoScalingError as exc:
        return _answer(exc.status, {"__type": exc.code, "message": exc.message}, context.request_id)
    except KeyError as exc:
        return _answer(400, {"__type": "ValidationException", "message": f"{exc.args[0]} is required"},
                       context.request_id)


def _resume_scaling(engine: Engine, config: object) -> None:
    """Targets registered before a restart keep being tracked."""
    from jobtable.api.autoscaling import state

    if next(iter(state.scan(engine, "target")), None) is not None:
        ensure_scaler(engine)


POST_HANDLERS.append((is_autoscaling_request, serve_autoscaling_request))
STARTUP_HOOKS.append(_resume_scaling)
