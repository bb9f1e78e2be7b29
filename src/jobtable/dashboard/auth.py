"""Who may use the dashboard, and proof that a form was posted by the dashboard itself.

- Server without a guard (`--auth none`, loopback only): no login. Requests must name a
  loopback host (a DNS-rebinding page cannot borrow the browser to reach us) and every
  POST carries this process's CSRF token.
- Server with `--auth sigv4`: sign in with an access key id and secret access key. They
  are checked by making one signed call through the normal request path; the session
  keeps them in server memory only (the browser holds a random session id) and signs
  every dashboard call with them, so IAM policies apply to the dashboard as to any SDK.
"""
from __future__ import annotations

import hmac
import secrets
import threading
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from jobtable import inprocess
from jobtable.clock import Clock
from jobtable.dashboard.backend import Credentials

SESSION_COOKIE = "jobtable_ui"
IDLE_SECONDS = 8 * 3600
# Answers that mean the keys are wrong (anything else means the caller was recognised).
_BAD_KEYS = {"UnrecognizedClientException", "InvalidSignatureException", "MissingAuthenticationTokenException",
             "IncompleteSignatureException"}
BAD_KEYS_MESSAGE = "The access key ID or secret access key is not valid."  # nosec B105: a message
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}


def login_required(engine: Any) -> bool:
    """True when the server authenticates API callers (then the dashboard does too)."""
    from jobtable.security.wiring import guard_for

    guard = guard_for(engine)
    return guard is not None and guard.enabled


def host_name(host_header: str) -> str:
    """'127.0.0.1:8000' -> '127.0.0.1'; '[::1]:8000' -> '[::1]'."""
    if host_header.startswith("["):
        return host_header.split("]", 1)[0] + "]"
    return host_header.rsplit(":", 1)[0] if host_header.count(":") == 1 else host_header


def is_loopback_host(host_header: str) -> bool:
    name = host_name(host_header.lower())
    return name in LOOPBACK_HOSTS or name.startswith("127.")


def check_keys(engine: Any, credentials: Credentials) -> str | None:
    """None when the keys are valid, else why not. One signed ListTables through dispatch:
    AccessDenied still proves the keys (what the user may do is decided per call)."""
    client = inprocess.client("dynamodb", engine=engine, aws_access_key_id=credentials.access_key_id,
                              aws_secret_access_key=credentials.secret_access_key)
    try:
        client.list_tables(Limit=1)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code")
        if code in _BAD_KEYS:
            return BAD_KEYS_MESSAGE
        if code != "AccessDeniedException":
            return exc.response.get("Error", {}).get("Message") or str(code)
    return None


@dataclass
class Session:
    token: str
    credentials: Credentials
    csrf: str
    last_seen: float = field(default=0.0)


class Sessions:
    """Signed-in users, in memory (a restart signs everyone out; secrets never hit disk)."""

    def __init__(self, clock: Clock | None = None, idle_seconds: float = IDLE_SECONDS) -> None:
        self._clock = clock or Clock()
        self._idle = idle_seconds
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def start(self, credentials: Credentials) -> Session:
        session = Session(secrets.token_urlsafe(32), credentials, secrets.token_urlsafe(32), self._clock.now())
        with self._lock:
            self._sessions[session.token] = session
        return session

    def find(self, token: str | None) -> Session | None:
        if not token:
            return None
        now = self._clock.now()
        with self._lock:
            for stale in [t for t, s in self._sessions.items() if now - s.last_seen > self._idle]:
                del self._sessions[stale]
            session = self._sessions.get(token)
            if session is not None:
                session.last_seen = now
            return session

    def end(self, token: str | None) -> Session | None:
        with self._lock:
            return self._sessions.pop(token or "", None)


def same_token(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode(), str(given).encode())
