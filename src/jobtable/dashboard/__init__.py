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


def create_dashboard(engine: Any) -> Any:
    """The dashboard's ASGI app for one engine (Starlette is imported only when mounted)."""
    from jobtable.dashboard.app import build_app

    return build_app(engine)
