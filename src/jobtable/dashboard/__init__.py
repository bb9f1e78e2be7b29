"""The web dashboard served by `jobtable serve` at /ui (see docs/dashboard.md).

Server-rendered Jinja2 pages on Starlette, a few lines of hand-written JavaScript and
inline SVG charts. Every read and write goes through boto3 clients answered by the
server's own `dispatch` (`jobtable.inprocess.client`), so the dashboard sees exactly what
an SDK sees, with the same validation, errors and, under `--auth sigv4`, the same
authentication and IAM authorization (the signed-in user's keys sign every call).
"""
from __future__ import annotations

from typing import Any

PREFIX = "/ui"


class _BuiltOnFirstRequest:
    """The dashboard's ASGI app, imported and built when /ui is first asked for.

    Its imports (Starlette, Jinja2, boto3 through the in-process client, the job layers)
    cost ~0.3 s, which `jobtable serve` would otherwise pay before answering anything.
    """

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.app: Any = None

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if self.app is None:
            from jobtable.dashboard.app import build_app

            self.app = build_app(self.engine)
        await self.app(scope, receive, send)


def create_dashboard(engine: Any) -> Any:
    """The dashboard's ASGI app for one engine (its modules are imported on its first request)."""
    return _BuiltOnFirstRequest(engine)
