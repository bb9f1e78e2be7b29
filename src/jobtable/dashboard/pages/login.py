"""Sign in and out (only servers running with `--auth sigv4` ask for it)."""
from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from jobtable.dashboard import PREFIX
from jobtable.dashboard.auth import SESSION_COOKIE, check_keys, login_required
from jobtable.dashboard.backend import Credentials
from jobtable.dashboard.gate import caller_of, safe_next
from jobtable.dashboard.rendering import checked_form, render


async def login_page(request: Request) -> Response:
    dashboard = request.app.state.dashboard
    target = safe_next(request.query_params.get("next"))
    if not login_required(dashboard.engine):
        return RedirectResponse(target, status_code=303)
    if request.method == "GET":
        return render(request, "login.html", {"next": target, "error": None, "key_id": ""})
    form = await request.form()
    key_id = str(form.get("access_key_id", "")).strip()
    secret = str(form.get("secret_access_key", ""))
    target = safe_next(str(form.get("next", "")))
    error = "Enter an access key ID and a secret access key." if not key_id or not secret else None
    credentials = Credentials(key_id, secret)
    if error is None:
        error = await run_in_threadpool(check_keys, dashboard.engine, credentials)
    if error is not None:
        return render(request, "login.html", {"next": target, "error": error, "key_id": key_id}, status_code=401)
    session = dashboard.sessions.start(credentials)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(SESSION_COOKIE, session.token, path=PREFIX, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")
    return response


async def logout(request: Request) -> Response:
    await checked_form(request)
    dashboard = request.app.state.dashboard
    session = dashboard.sessions.end(caller_of(request).session_token)
    if session is not None:
        dashboard.pool.forget(session.credentials)
    response = RedirectResponse(PREFIX + "/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path=PREFIX)
    return response


routes = [
    Route("/login", login_page, methods=["GET", "POST"]),
    Route("/logout", logout, methods=["POST"]),
]
