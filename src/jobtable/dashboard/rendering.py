"""Templates (Jinja2 with autoescape always on), page rendering and checked form posts."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlencode

import jinja2
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from jobtable.dashboard import PREFIX
from jobtable.dashboard.auth import same_token
from jobtable.dashboard.backend import Api
from jobtable.dashboard.costview import money
from jobtable.dashboard.gate import caller_of
from jobtable.dashboard.wire import display, item_json


def when(value: Any) -> str:
    """A time for people: '2026-09-21 14:13:20 UTC' (epoch seconds, datetimes, ISO text)."""
    if value is None or value == "":
        return ""
    if isinstance(value, (int, float)):
        value = dt.datetime.fromtimestamp(float(value), dt.timezone.utc)
    if isinstance(value, dt.datetime):
        value = value.astimezone(dt.timezone.utc) if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
        return value.strftime("%Y-%m-%d %H:%M:%S UTC")
    return str(value)


def size(value: Any) -> str:
    number = float(value or 0)
    for unit in ("B", "KB", "MB", "GB"):
        if number < 1024 or unit == "GB":
            return f"{number:.0f} {unit}" if unit == "B" else f"{number:.1f} {unit}"
        number /= 1024
    return f"{number:.1f} GB"


def query(**params: Any) -> str:
    """'?a=1&b=2' from the non-empty parameters ('' when none)."""
    kept = {k: v for k, v in params.items() if v not in (None, "", False)}
    return "?" + urlencode(kept) if kept else ""


def make_templates(directory: Path) -> Jinja2Templates:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(directory)), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(when=when, size=size, cell=display, item_json=item_json, money=money)
    env.globals.update(prefix=PREFIX, query=query)
    return Jinja2Templates(env=env)


def api_of(request: Request) -> Api:
    dashboard = request.app.state.dashboard
    return Api(dashboard.pool, caller_of(request).credentials)


def render(request: Request, template: str, context: Mapping[str, Any] | None = None,
           status_code: int = 200, section: str = "") -> HTMLResponse:
    caller = caller_of(request)
    page = {"request": request, "csrf": caller.csrf, "user": caller.user, "section": section,
            "server_now": when(request.app.state.dashboard.engine.clock.now()), **(context or {})}
    return request.app.state.dashboard.templates.TemplateResponse(request, template, page, status_code=status_code)


async def checked_form(request: Request) -> FormData:
    """The posted form, once its CSRF token matches the caller's (403 otherwise)."""
    form = await request.form()
    expected = caller_of(request).csrf
    if not expected or not same_token(expected, form.get("csrf")):
        raise HTTPException(403, "The form's security token is missing or stale; reload the page and try again.")
    return form
