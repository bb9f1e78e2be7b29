"""The ASGI middleware every dashboard request passes: who is asking, and may they.

It decides the caller (`scope["state"]["caller"]`: credentials or None, CSRF token, user
label), sends anonymous visitors of a `--auth sigv4` server to the login page, refuses
non-loopback Host headers on servers without login, refuses cross-origin POSTs, and adds
the security headers (a strict Content-Security-Policy: no inline script at all).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import quote, urlsplit

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse

from jobtable.dashboard import PREFIX
from jobtable.dashboard.auth import SESSION_COOKIE, is_loopback_host, login_required
from jobtable.dashboard.backend import Credentials

SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                 b"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-store"),
]
OPEN_PATHS = ("/login", "/static/")


@dataclass(frozen=True)
class Caller:
    credentials: Credentials | None
    csrf: str
    user: str | None  # access key id when signed in
    session_token: str | None = None


def caller_of(request: Request) -> Caller:
    return request.scope["state"]["caller"]


def safe_next(target: str | None) -> str:
    """Only redirect to our own pages after login (no open redirect)."""
    if target and target.startswith(PREFIX + "/") and not target.startswith("//") and "\\" not in target:
        return target
    return PREFIX + "/jobs"


class Gate:
    def __init__(self, app: Callable, dashboard: Any) -> None:
        self.app = app
        self.dashboard = dashboard

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + SECURITY_HEADERS
            await send(message)

        request = Request(scope)
        refusal = self._admit(request, scope)
        if refusal is not None:
            await refusal(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)

    def _admit(self, request: Request, scope: dict) -> Any:
        """None to let the request through (with its caller set), else the response to send."""
        path = scope["path"][len(PREFIX):] or "/"
        state = scope.setdefault("state", {})
        if request.method == "POST" and not _same_origin(request):
            return PlainTextResponse("Cross-origin form posts are refused.", status_code=403)
        if not login_required(self.dashboard.engine):
            if not is_loopback_host(request.headers.get("host", "")):
                return PlainTextResponse("This server runs without authentication: the dashboard answers "
                                         "loopback host names only.", status_code=403)
            state["caller"] = Caller(None, self.dashboard.anonymous_csrf, None)
            return None
        session = self.dashboard.sessions.find(request.cookies.get(SESSION_COOKIE))
        if session is not None:
            state["caller"] = Caller(session.credentials, session.csrf, session.credentials.access_key_id,
                                     session.token)
            return None
        state["caller"] = Caller(None, "", None)
        if path.startswith(OPEN_PATHS):
            return None
        here = scope["path"] + ("?" + request.url.query if request.url.query else "")
        target = here if request.method == "GET" else PREFIX + "/jobs"
        return RedirectResponse(f"{PREFIX}/login?next={quote(target, safe='')}", status_code=303)


def _same_origin(request: Request) -> bool:
    """Browsers send Origin on POST; when present it must be this very host."""
    origin = request.headers.get("origin")
    if origin is None:
        return request.headers.get("sec-fetch-site", "same-origin") in ("same-origin", "none")
    return urlsplit(origin).netloc.lower() == request.headers.get("host", "").lower()
