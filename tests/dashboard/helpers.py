"""Helpers for the dashboard tests (import as tests.dashboard.helpers: a bare `conftest`
import would pick another directory's conftest)."""
from __future__ import annotations

import warnings
from typing import Any, Callable

from botocore.exceptions import ClientError

with warnings.catch_warnings():  # Starlette 1.x prefers httpx2; httpx works the same here
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient  # noqa: F401  (re-exported)

LOCAL = "http://127.0.0.1:8000"


def csrf_of(html: str) -> str:
    """The caller's form token, from the page's <meta name="csrf-token">."""
    marker = '<meta name="csrf-token" content="'
    start = html.index(marker) + len(marker)
    return html[start:html.index('"', start)]


def form_post(ui: Any, path: str, data: dict[str, Any], page: str) -> Any:
    """POST a dashboard form with the CSRF token read from the page that holds it."""
    return ui.post(path, data={"csrf": csrf_of(ui.get(page).text), **data}, follow_redirects=False)


def supported(call: Callable[..., Any], **kwargs: Any) -> bool:
    """False when the server answers UnknownOperationException (a feature not landed yet)."""
    try:
        call(**kwargs)
        return True
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "UnknownOperationException":
            return False
        raise
