"""Guard: --auth rules, authorization with IAM's messages; DocSealer as the engine uses it."""
from __future__ import annotations

import pytest

from jobtable.engine.errors import AccessDeniedException
from jobtable.security.authorizer import Guard, check_auth_mode, default_auth_mode, is_loopback
from jobtable.security.encryption import DataKeyError, DocSealer
from jobtable.security.principal import Principal
from jobtable.security.sigv4 import Authenticated

TABLE_ARN = "arn:aws:dynamodb:us-east-1:000000000000:table/Jobs"


@pytest.mark.parametrize("host,loopback", [("127.0.0.1", True), ("127.8.9.1", True), ("::1", True),
                                           ("[::1]", True), ("localhost", True), ("0.0.0.0", False),
                                           ("192.0.2.10", False), ("example.com", False)])
def test_auth_mode_defaults_and_refusals(host, loopback):
    assert is_loopback(host) is loopback
    assert default_auth_mode(host) == ("none" if loopback else "sigv4")
    check_auth_mode("sigv4", host)
    if loopback:
        check_auth_mode("none", host)
    else:
        with pytest.raises(ValueError, match="only allowed on a loopback address"):
            check_auth_mode("none", host)
    with pytest.raises(ValueError, match="--auth must be one of"):
        check_auth_mode("basic", host)


def _caller(*statements):
    policy = {"Version": "2012-10-17", "Statement": list(statements)}
    return Authenticated(Principal("ops", "AKIAOPS", "s", policies=(policy,)), "us-east-1", "dynamodb", "x")


def test_guard_checks_every_part_of_a_request_and_names_the_first_refusal():
    guard = Guard.for_mode("none", None)
    assert guard.authenticate(object()) is None and guard.authorize(None, "dynamodb", "DeleteTable", {}) == []
    who = _caller({"Effect": "Allow", "Action": "dynamodb:PutItem", "Resource": TABLE_ARN})
    transact = {"TransactItems": [{"Put": {"TableName": "Jobs", "Item": {"jobId": {"S": "a"}}}},
                                  {"Delete": {"TableName": "Jobs", "Key": {"jobId": {"S": "b"}}}}]}
    with pytest.raises(AccessDeniedException, match=r"perform: dynamodb:DeleteItem on resource: .*table/Jobs because"):
        guard.authorize(who, "dynamodb", "TransactWriteItems", transact)
    checks = guard.authorize(who, "dynamodb", "TransactWriteItems", {"TransactItems": transact["TransactItems"][:1]})
    assert [c.action for c in checks] == ["dynamodb:PutItem"]


def test_guard_supplies_source_ip_and_transport_to_conditions():
    guard = Guard.for_mode("none", None)
    who = _caller({"Effect": "Allow", "Action": "*", "Resource": "*",
                   "Condition": {"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}, "Bool": {"aws:SecureTransport": "true"}}})
    guard.authorize(who, "dynamodb", "ListTables", {}, source_ip="127.0.0.1", secure=True)
    with pytest.raises(AccessDeniedException):
        guard.authorize(who, "dynamodb", "ListTables", {}, source_ip="127.0.0.1", secure=False)
    with pytest.raises(AccessDeniedException):
        guard.authorize(who, "dynamodb", "ListTables", {}, source_ip="198.51.100.1", secure=True)


def test_doc_sealer_seals_only_sse_tables_and_reads_both(tmp_path):
    sealer = DocSealer(bytes(32), tmp_path)
    doc = b'{"jobId":{"S":"x"},"secret":{"S":"y"}}'
    assert sealer.seal(False, doc) == doc and sealer.open(doc) == doc
    sealed = sealer.seal(True, doc)
    assert b"secret" not in sealed and sealer.open(sealed) == doc
    assert (tmp_path / "data-key.id").exists()
    with pytest.raises(DataKeyError, match="the data key does not match: the data was encrypted with key"):
        DocSealer(bytes([1]) * 32, tmp_path)
    default = DocSealer(None, tmp_path / "other")  # no key given: one is created beside the data
    assert default.open(default.seal(True, doc)) == doc
    assert (tmp_path / "other" / "data.key").stat().st_mode & 0o777 == 0o600
