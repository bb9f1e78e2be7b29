"""The in-process client signs only when the engine has a guard to verify the signature.

Requests that never leave the process skip SigV4 (a quarter of an in-process GetItem's
time); an engine guarded as `--auth sigv4` still gets signed requests and still rejects
bad keys, including when the guard is installed after the client was made.
"""
from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from jobtable import inprocess
from jobtable.engine.engine import Engine
from jobtable.security.credentials import CredentialStore
from jobtable.security.wiring import build_guard, install_security
from jobtable.server import dispatch as dispatch_module

KEY = {"AttributeName": "pk", "AttributeType": "S"}


def _create(ddb: Any, name: str) -> None:
    ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[KEY], BillingMode="PAY_PER_REQUEST")


def _authorization_headers_seen(monkeypatch: pytest.MonkeyPatch) -> list[str | None]:
    seen: list[str | None] = []
    real = dispatch_module.dispatch

    def spy(engine: Any, request: Any, options: Any = None) -> Any:
        seen.append(request.headers.get("authorization"))
        return real(engine, request, options)

    monkeypatch.setattr("jobtable.inprocess.dispatch", spy)
    return seen


def test_unguarded_engine_gets_unsigned_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _authorization_headers_seen(monkeypatch)
    engine = Engine(None)
    try:
        ddb = inprocess.client(engine=engine)
        _create(ddb, "plain")
        ddb.put_item(TableName="plain", Item={"pk": {"S": "a"}})
        assert ddb.get_item(TableName="plain", Key={"pk": {"S": "a"}})["Item"] == {"pk": {"S": "a"}}
        assert seen and all(header is None for header in seen)
    finally:
        engine.close()


def test_guarded_engine_gets_signed_requests_and_rejects_unknown_keys(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _authorization_headers_seen(monkeypatch)
    store = CredentialStore.open(str(tmp_path))
    admin = store.add_user("admin")
    store.attach_user_policy("admin", "arn:aws:iam::aws:policy/AdministratorAccess")
    engine = Engine(None)
    try:
        made_before_guard = inprocess.client(engine=engine)  # default keys, unknown to the guard
        install_security(engine, build_guard("sigv4", str(tmp_path), engine=engine, clock=engine.clock,
                                             region="us-east-1"))
        admin_ddb = inprocess.client(engine=engine, aws_access_key_id=admin.access_key_id,
                                     aws_secret_access_key=admin.secret_access_key)
        _create(admin_ddb, "guarded")
        assert seen and all(header and header.startswith("AWS4-HMAC-SHA256 ") for header in seen)
        with pytest.raises(ClientError) as caught:
            made_before_guard.list_tables()
        assert caught.value.response["Error"]["Code"] == "UnrecognizedClientException"
    finally:
        engine.close()
