"""Transport-independent routing of one HTTP request to the API that serves it.

The ASGI app and the in-process boto3 client both call `dispatch`, so there is one request
path. DynamoDB JSON (X-Amz-Target DynamoDB_20120810.*) goes to `jobtable.api.handle`;
other AWS protocols (Streams JSON 1.1, query/XML services, CloudWatch CBOR) are served by
handlers registered in `POST_HANDLERS`; `GET_HANDLERS` serve plain pages (/health...).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import parse_qsl

import orjson

from jobtable.api.protocol import RequestContext, Response, error_response, handle, new_request_id
from jobtable.engine.engine import Engine
from jobtable.engine.errors import DynamoError, InternalServerError, UnknownOperationException

log = logging.getLogger("jobtable.server")

MAX_BODY_BYTES = 16 * 1024 * 1024


@dataclass
class HttpRequest:
    method: str
    path: str
    query_string: str = ""
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes = b""
    client_ip: str | None = None
    identity: Any = None
    body_too_large: bool = False  # the transport drained a body over MAX_BODY_BYTES without keeping it

    @property
    def target(self) -> str | None:
        return self.headers.get("x-amz-target")

    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True))

    def signing_service(self) -> str | None:
        """The service named in the SigV4 credential scope (`.../region/SERVICE/aws4_request`)."""
        auth = self.headers.get("authorization", "")
        marker = "Credential="
        start = auth.find(marker)
        if start < 0:
            return None
        scope = auth[start + len(marker):].split(",", 1)[0].split("/")
        return scope[3] if len(scope) >= 5 else None


# (matcher, handler): the first matcher that accepts a POST serves it.
PostHandler = Callable[[Engine, HttpRequest, RequestContext], Response]
POST_HANDLERS: list[tuple[Callable[[HttpRequest], bool], PostHandler]] = []
# path -> handler returning (status, content-type, body) for GET requests.
GET_HANDLERS: dict[str, Callable[[Engine, HttpRequest], tuple[int, str, bytes]]] = {}
# Set by the security layer: authenticate(engine, request) -> identity, raising DynamoError.
AUTHENTICATORS: list[Callable[[Engine, HttpRequest], Any]] = []


def json_page(status: int, payload: Any) -> tuple[int, str, bytes]:
    return status, "application/json", orjson.dumps(payload)


def _health(engine: Engine, request: HttpRequest) -> tuple[int, str, bytes]:
    return json_page(200, {"status": "ok", "tables": len(engine.catalog.names())})


GET_HANDLERS["/health"] = _health


def load_protocols() -> None:
    """Import the modules that register other AWS protocols (kept in one list here)."""
    import importlib

    for name in PROTOCOL_MODULES:
        importlib.import_module(name)


PROTOCOL_MODULES = ["jobtable.server.query_protocol", "jobtable.server.streams_protocol",
                    "jobtable.server.monitoring", "jobtable.server.autoscaling_protocol"]


@dataclass
class ServerOptions:
    """Per-server settings the dispatcher needs (set once at start-up)."""

    authorize: Callable[..., None] | None = None
    host: str | None = None
    # The server's own in-process callers (the backup scheduler): no caller to authenticate.
    trusted: bool = False


_protocols_loaded = False


def _load_protocols_once() -> None:
    global _protocols_loaded
    _protocols_loaded = True
    load_protocols()


def dispatch(engine: Engine, request: HttpRequest, options: ServerOptions | None = None) -> Response:
    """Serve one POST request; never raises."""
    options = options or ServerOptions()
    if not _protocols_loaded:
        _load_protocols_once()
    context = RequestContext(engine, request_id=new_request_id(), source_ip=request.client_ip,
                             host=request.headers.get("host") or options.host,
                             authorize=options.authorize)
    try:
        if request.body_too_large or len(request.body) > MAX_BODY_BYTES:
            from jobtable.engine.errors import RequestLimitExceeded

            raise RequestLimitExceeded("Request size exceeded the maximum allowed size of 16 MB")
        if not options.trusted:
            for authenticate in AUTHENTICATORS:
                context.identity = authenticate(engine, request)
        target = request.target
        if target is not None and target.startswith("DynamoDB_20120810."):
            return handle(target, request.body, context)
        for matches, handler in POST_HANDLERS:
            if matches(request):
                return handler(engine, request, context)
        if target is None and not request.body:
            raise UnknownOperationException("")
        return handle(target, request.body, context)
    except DynamoError as exc:
        return error_response(exc, context.request_id)
    except Exception:
        log.exception("internal error routing %s %s", request.method, request.path)
        return error_response(InternalServerError("Internal server error"), context.request_id)


def dispatch_get(engine: Engine, request: HttpRequest) -> tuple[int, str, bytes] | None:
    """Serve a GET page registered in GET_HANDLERS (exact path, then longest prefix)."""
    if not _protocols_loaded:
        _load_protocols_once()
    handler = GET_HANDLERS.get(request.path)
    if handler is None:
        for prefix in sorted(GET_HANDLERS, key=len, reverse=True):
            if prefix.endswith("/") and request.path.startswith(prefix):
                handler = GET_HANDLERS[prefix]
                break
    if handler is None:
        return None
    return handler(engine, request)
