"""The ASGI front: a bare callable (no framework on the DynamoDB path), thin over `dispatch`.

Other surfaces (the dashboard) mount their own ASGI apps under a path prefix through
`MOUNTS`; the test clock endpoint exists only when the server runs on a manual clock.
"""
from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable

import orjson

from jobtable.clock import ManualClock
from jobtable.engine.engine import Engine
from jobtable.server.dispatch import MAX_BODY_BYTES, HttpRequest, ServerOptions, dispatch, dispatch_get

log = logging.getLogger("jobtable.server")

ASGIApp = Callable[[dict, Callable[[], Awaitable[dict]], Callable[[dict], Awaitable[None]]], Awaitable[None]]
# prefix -> factory(engine) -> ASGI app, e.g. "/ui" for the dashboard.
MOUNTS: dict[str, Callable[[Engine], ASGIApp]] = {}

CLOCK_PATH = "/_jobtable/clock"


class JobtableApp:
    def __init__(self, engine: Engine, options: ServerOptions | None = None,
                 background_interval: float = 1.0) -> None:
        self.engine = engine
        self.options = options or ServerOptions()
        self.background_interval = background_interval
        self.mounts = {prefix: factory(engine) for prefix, factory in MOUNTS.items()}

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._http(scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)

    async def _lifespan(self, receive: Callable, send: Callable) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.engine.start_background(self.background_interval)
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.engine.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope: dict, receive: Callable, send: Callable) -> None:
        path = scope["path"]
        for prefix, app in self.mounts.items():
            if path == prefix or path.startswith(prefix + "/"):
                await app(scope, receive, send)
                return
        method = scope["method"]
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        body, too_large = await _read_body(receive)
        client = scope.get("client")
        request = HttpRequest(method, path, scope.get("query_string", b"").decode("latin-1"), headers, body,
                              client[0] if client else None, body_too_large=too_large)
        if method == "POST" and path != CLOCK_PATH:
            response = dispatch(self.engine, request, self.options)
            await _send(send, response.status, response.headers, response.body)
            return
        if path == CLOCK_PATH and isinstance(self.engine.clock, ManualClock):
            await self._clock(request, send)
            return
        if method in ("GET", "HEAD"):
            page = dispatch_get(self.engine, request)
            if page is not None:
                status, content_type, payload = page
                await _send(send, status, [("content-type", content_type)], payload)
                return
        await _send(send, 404, [("content-type", "application/json")], b'{"message":"Not Found"}')

    async def _clock(self, request: HttpRequest, send: Callable) -> None:
        """Test control: move the manual clock, then let due background work run."""
        clock = self.engine.clock
        assert isinstance(clock, ManualClock)
        if request.method == "POST":
            data = orjson.loads(request.body or b"{}")
            if "set" in data:
                clock.set(float(data["set"]))
            if "advance" in data:
                clock.advance(float(data["advance"]))
            self.engine.run_background_until_idle()
        await _send(send, 200, [("content-type", "application/json")], orjson.dumps({"now": clock.now()}))


async def _read_body(receive: Callable) -> tuple[bytes, bool]:
    """(body, too_large): past MAX_BODY_BYTES the rest is drained, not kept (bounded memory)."""
    message = await receive()
    body = message.get("body", b"")
    if not message.get("more_body"):
        return body, len(body) > MAX_BODY_BYTES
    chunks = [body]
    size = len(body)
    while message.get("more_body"):
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size <= MAX_BODY_BYTES:
            chunks.append(chunk)
        elif chunks:
            chunks = []  # over the limit: dispatch answers with the size error
    if size > MAX_BODY_BYTES:
        return b"", True
    return b"".join(chunks), False


async def _send(send: Callable, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
    raw_headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers]
    if not any(k == "content-length" for k, _ in headers):
        raw_headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})


def create_app(engine: Engine, options: ServerOptions | None = None, background_interval: float = 1.0) -> Any:
    return JobtableApp(engine, options, background_interval)


# Surfaces mounted beside the API (their own ASGI apps; imported lazily when mounted).
from jobtable.dashboard import PREFIX as _DASHBOARD_PREFIX, create_dashboard as _create_dashboard  # noqa: E402

MOUNTS[_DASHBOARD_PREFIX] = _create_dashboard
