"""The dashboard's Starlette app: routes, the gate in front of them, and page rendering."""
from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from jobtable.dashboard import PREFIX
from jobtable.dashboard.backend import ClientPool
from jobtable.dashboard.drills import DrillRunner
from jobtable.dashboard.auth import Sessions
from jobtable.dashboard.gate import Gate
from jobtable.dashboard.pages import jobs, login, operations, tables
from jobtable.dashboard.rendering import make_templates

HERE = Path(__file__).parent


class Dashboard:
    """Per-engine state shared by every request: clients, sessions, templates."""

    def __init__(self, engine: Any, sessions: Sessions | None = None) -> None:
        self.engine = engine
        self.pool = ClientPool(engine)
        self.sessions = sessions or Sessions()
        self.templates = make_templates(HERE / "templates")
        self.drills = DrillRunner()
        # CSRF token for servers without login: unreadable by other origins, new per process.
        self.anonymous_csrf = secrets.token_urlsafe(32)


def _home(request: Request) -> Response:
    return RedirectResponse(PREFIX + "/jobs", status_code=303)


def build_app(engine: Any, sessions: Sessions | None = None) -> Starlette:
    dashboard = Dashboard(engine, sessions)
    routes = [
        Route("/", _home),
        *jobs.routes, *tables.routes, *operations.routes, *login.routes,
        Mount("/static", app=StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(routes=[Route(PREFIX, _home), Mount(PREFIX, routes=routes)],
                    middleware=[Middleware(Gate, dashboard=dashboard)])
    app.state.dashboard = dashboard
    return app
