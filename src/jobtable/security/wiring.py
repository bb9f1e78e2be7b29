"""Plug authentication and authorization into the server's request path.

`install_security(engine, mode, ...)` attaches a `Guard` to one engine. The server's
dispatcher then, for every POST to that engine:

1. calls `authenticate` (registered in `dispatch.AUTHENTICATORS`): verifies SigV4 and
   returns the caller (`context.identity`); for the non-DynamoDB protocols (Streams,
   Application Auto Scaling, IAM, STS, CloudWatch) it also authorizes right there, since
   their operation and parameters are known from the wire;
2. `api.handle` calls `authorize_dynamodb` (`ServerOptions.authorize`) once the DynamoDB
   request is parsed and validated, before the operation runs.

Engines without a guard (in-process clients, `--auth none`) are untouched.
"""
from __future__ import annotations

import weakref
from typing import Any, Mapping
from urllib.parse import parse_qsl, quote

import orjson

from jobtable.security.authorizer import Guard
from jobtable.security.credentials import CredentialStore
from jobtable.security.sigv4 import Authenticated, IncomingRequest

_GUARDS: "weakref.WeakKeyDictionary[Any, tuple[Guard, bool]]" = weakref.WeakKeyDictionary()
_registered = False

# X-Amz-Target prefixes of the JSON protocols other than DynamoDB's own.
_JSON_TARGETS = {"DynamoDBStreams_20120810.": "dynamodb", "AnyScaleFrontendService.": "application-autoscaling"}


def install_security(engine: Any, guard: Guard, *, secure_transport: bool = False) -> None:
    """Guard every request `dispatch` serves for `engine` (no-op for a disabled guard)."""
    from jobtable.server import dispatch

    global _registered
    if not guard.enabled:
        _GUARDS.pop(engine, None)
        return
    _GUARDS[engine] = (guard, secure_transport)
    if not _registered:
        dispatch.AUTHENTICATORS.append(authenticate)
        _registered = True


def install_configured_security(engine: Any, config: Any) -> Guard:
    """Install what a ServerConfig asks for (`auth`, `credentials_key_file`, `tls_*`)."""
    from jobtable.security.authorizer import check_auth_mode, default_auth_mode

    mode = config.auth or default_auth_mode(config.host)
    check_auth_mode(mode, config.host)
    guard = build_guard(mode, config.data_dir, engine=engine, clock=engine.clock, region=config.region,
                        credentials_key_file=config.credentials_key_file)
    install_security(engine, guard, secure_transport=bool(config.tls_cert))
    return guard


def guard_for(engine: Any) -> Guard | None:
    entry = _GUARDS.get(engine)
    return entry[0] if entry else None


def build_guard(mode: str, data_dir: str | None, *, engine: Any, clock: Any, region: str,
                credentials_key_file: str | None = None) -> Guard:
    """The Guard for `--auth MODE`, reading table key schemas from the engine's catalog."""
    store = CredentialStore.open(data_dir or "./data", credentials_key_file, clock=clock) \
        if mode == "sigv4" else None

    def key_schema_of(table: str, index: str | None) -> tuple[str, str | None] | None:
        meta = engine.catalog.get(table)
        if meta is None:
            return None
        target = meta if index is None else meta.index(index)
        if target is None:
            return None
        return target.hash.name, target.range.name if target.range else None

    from jobtable.engine.streams.records import stream_arn_of_iterator

    return Guard.for_mode(mode, store, clock=clock, region=region, key_schema_of=key_schema_of,
                          stream_of_iterator=stream_arn_of_iterator)


def authenticate(engine: Any, request: Any) -> Authenticated | None:
    """dispatch.AUTHENTICATORS hook: who is calling (raises DynamoDB's auth errors)."""
    entry = _GUARDS.get(engine)
    if entry is None:
        return None
    guard, secure = entry
    incoming = IncomingRequest(request.method, quote(request.path or "/", safe="/-_.~"),
                               request.query_string, list(request.headers.items()), request.body)
    who = guard.authenticate(incoming)
    target = request.headers.get("x-amz-target") or ""
    if who is not None and not target.startswith("DynamoDB_20120810."):
        service, operation, params = _operation_of(request, who)
        if operation:
            guard.authorize(who, service, operation, params, source_ip=request.client_ip, secure=secure)
    return who


def authorize_dynamodb(operation: str, request: Mapping[str, Any], context: Any) -> None:
    """ServerOptions.authorize hook: api.handle calls it with the validated DynamoDB request."""
    entry = _GUARDS.get(context.engine)
    if entry is None or context.identity is None:
        return
    guard, secure = entry
    guard.authorize(context.identity, "dynamodb", operation, request, source_ip=context.source_ip, secure=secure)


def _operation_of(request: Any, who: Authenticated) -> tuple[str, str, Mapping[str, Any]]:
    """(service, operation, parameters) of a non-DynamoDB request, from its wire protocol."""
    target = request.headers.get("x-amz-target") or ""
    for prefix, service in _JSON_TARGETS.items():
        if target.startswith(prefix):
            return service, target[len(prefix):], _json(request.body)
    path = request.path or "/"
    if "/operation/" in path:  # smithy rpc-v2-cbor (botocore's CloudWatch)
        return who.service, path.rsplit("/operation/", 1)[1], _cbor(request.body)
    form = dict(parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True)) \
        if request.body else dict(parse_qsl(request.query_string, keep_blank_values=True))
    action = form.pop("Action", "")
    form.pop("Version", None)
    return who.service, action, form


def _json(body: bytes) -> Mapping[str, Any]:
    try:
        data = orjson.loads(body or b"{}")
    except orjson.JSONDecodeError:
        return {}
    return data if isinstance(data, dict) else {}


def _cbor(body: bytes) -> Mapping[str, Any]:
    try:
        import cbor2

        data = cbor2.loads(body) if body else {}
    except Exception:  # an undecodable body fails in its own handler; authorize on what we know
        return {}
    return data if isinstance(data, dict) else {}
