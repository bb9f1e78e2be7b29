"""The dashboard's only way to the data: boto3 clients answered by the server's own dispatch.

`ClientPool` hands out one in-process client per (access key, service) — creating a boto3
client costs tens of milliseconds, calling one well under one. `attempt()` turns the
answers into `Outcome`s, so a page can show "not available on this server" for an
operation this server does not implement (UnknownOperationException) and the API's own
error message for anything else, instead of failing as a whole.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Callable, Generic, TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from jobtable import inprocess

T = TypeVar("T")

UNKNOWN_OPERATION = "UnknownOperationException"
# The credentials in-process clients use when the server runs without a guard (`--auth none`).
ANONYMOUS = ("jobtable", "jobtable")


@dataclass(frozen=True)
class Credentials:
    access_key_id: str
    secret_access_key: str

    def __repr__(self) -> str:  # never print a secret
        return f"Credentials({self.access_key_id!r}, '***')"


class ClientPool:
    """Cached boto3 clients for one engine, per caller and service (thread-safe)."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self._clients: dict[tuple[str, str, str], Any] = {}
        self._lock = threading.Lock()

    def client(self, service: str, credentials: Credentials | None) -> Any:
        key_id, secret = (credentials.access_key_id, credentials.secret_access_key) if credentials else ANONYMOUS
        cache_key = (key_id, secret, service)
        with self._lock:
            made = self._clients.get(cache_key)
            if made is None:
                made = inprocess.client(service, engine=self.engine, aws_access_key_id=key_id,
                                        aws_secret_access_key=secret)
                self._clients[cache_key] = made
            return made

    def forget(self, credentials: Credentials) -> None:
        """Drop a signed-out user's clients (they hold the secret)."""
        with self._lock:
            for key in [k for k in self._clients if k[0] == credentials.access_key_id]:
                del self._clients[key]


class Api:
    """The clients one request uses, signed as its caller."""

    def __init__(self, pool: ClientPool, credentials: Credentials | None) -> None:
        self._pool = pool
        self.credentials = credentials

    @property
    def engine(self) -> Any:
        return self._pool.engine

    @property
    def dynamodb(self) -> Any:
        return self._pool.client("dynamodb", self.credentials)

    @property
    def streams(self) -> Any:
        return self._pool.client("dynamodbstreams", self.credentials)

    @property
    def cloudwatch(self) -> Any:
        return self._pool.client("cloudwatch", self.credentials)

    def now(self) -> float:
        """The server's time (the injectable clock: `--manual-clock` servers show their own now)."""
        return self.engine.clock.now()


@dataclass
class Outcome(Generic[T]):
    """The result of one API call as a page shows it."""

    value: T | None = None
    code: str | None = None  # the error's type (e.g. ResourceNotFoundException)
    message: str | None = None

    @property
    def ok(self) -> bool:
        return self.code is None

    @property
    def unavailable(self) -> bool:
        """This server does not implement the operation (yet)."""
        return self.code == UNKNOWN_OPERATION


def error_of(exc: Exception) -> tuple[str, str]:
    """(code, message) of an API or input error, for display."""
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = error.get("Code") or "Error"
        return code, error.get("Message") or code
    return type(exc).__name__, str(exc)


def attempt(call: Callable[..., T], *args: Any, **kwargs: Any) -> Outcome[T]:
    """Run one call; API errors and bad input become an Outcome instead of an exception."""
    try:
        return Outcome(call(*args, **kwargs))
    except (ClientError, BotoCoreError, ValueError) as exc:
        code, message = error_of(exc)
        return Outcome(None, code, message)
