"""boto3 clients wired straight to the engine: no socket, the same request path as HTTP.

botocore's `before-send` event hands us the fully signed request; we answer it with
`server.dispatch`, so errors, validation and responses are byte-for-byte those the HTTP
endpoint gives.
"""
from __future__ import annotations

import threading
from typing import Any
from urllib.parse import urlsplit

import boto3
from botocore import UNSIGNED
from botocore.awsrequest import AWSResponse
from botocore.config import Config

from jobtable.engine.engine import Engine
from jobtable.server.dispatch import HttpRequest, ServerOptions, dispatch

LOCAL_ENDPOINT = "http://jobtable.inprocess"
_default_engine: Engine | None = None
_default_lock = threading.Lock()


def default_engine() -> Engine:
    """A process-wide in-memory engine for scripts that do not bring their own."""
    global _default_engine
    with _default_lock:
        if _default_engine is None:
            _default_engine = Engine(None)
        return _default_engine


class _RawBody:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any):
        yield self._body

    def read(self, *_: Any) -> bytes:
        body, self._body = self._body, b""
        return body


def _attach(client: Any, engine: Engine, trusted: bool = False) -> Any:
    # The same IAM hook as the server: a no-op unless the engine has a guard (`--auth sigv4`),
    # so a signed in-process client (the dashboard's) is authorized exactly like HTTP callers.
    from jobtable.security.wiring import authorize_dynamodb

    options = ServerOptions(host="jobtable.inprocess", authorize=authorize_dynamodb, trusted=trusted)

    def answer(request: Any, **_: Any) -> AWSResponse:
        parts = urlsplit(request.url)
        body = request.body or b""
        if hasattr(body, "read"):
            body = body.read()
        if isinstance(body, str):
            body = body.encode("utf-8")
        headers = {k.lower(): (v.decode() if isinstance(v, bytes) else v) for k, v in request.headers.items()}
        headers.setdefault("host", parts.netloc)  # as the HTTP client would send it (SigV4 signs it)
        response = dispatch(engine, HttpRequest(request.method, parts.path or "/", parts.query, headers, body,
                                                "127.0.0.1"), options)
        return AWSResponse(request.url, response.status, dict(response.headers), _RawBody(response.body))

    client.meta.events.register("before-send", answer)
    if client.meta.service_model.service_name == "dynamodb":
        # A DynamoDB request that never leaves the process needs no signature unless the
        # engine has a guard (`--auth sigv4`), which must see and verify one — and a trusted
        # client's is never checked. Decided per request, so a guard installed after the
        # client was made is still honoured.
        # Other services stay signed: the query protocol routes on the credential scope.
        from jobtable.security.wiring import guard_for

        def skip_signing(**_: Any) -> Any:
            return UNSIGNED if trusted or guard_for(engine) is None else None

        client.meta.events.register("choose-signer.dynamodb", skip_signing)
    return client


def _session(region: str) -> boto3.session.Session:
    return boto3.session.Session(aws_access_key_id="jobtable", aws_secret_access_key="jobtable",
                                 region_name=region)


def client(service: str = "dynamodb", engine: Engine | None = None, region: str | None = None,
           *, trusted: bool = False, **kwargs: Any) -> Any:
    """A boto3 client for `service` answered in-process by `engine` (default: a shared in-memory one).

    `aws_access_key_id=`/`aws_secret_access_key=` sign as that user, for engines whose server
    runs with `--auth sigv4` (the default credentials are accepted only without a guard).
    `trusted=True` is for the server's own background work only: it skips authentication.
    """
    engine = engine or default_engine()
    kwargs.setdefault("config", Config(retries={"mode": "standard", "max_attempts": 1}))
    made = _session(region or engine.region).client(service, endpoint_url=LOCAL_ENDPOINT, **kwargs)
    return _attach(made, engine, trusted)


def resource(service: str = "dynamodb", engine: Engine | None = None, region: str | None = None,
             **kwargs: Any) -> Any:
    """A boto3 resource (e.g. Table objects) answered in-process by `engine`."""
    engine = engine or default_engine()
    kwargs.setdefault("config", Config(retries={"mode": "standard", "max_attempts": 1}))
    made = _session(region or engine.region).resource(service, endpoint_url=LOCAL_ENDPOINT, **kwargs)
    _attach(made.meta.client, engine)
    return made
