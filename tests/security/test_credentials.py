"""The credentials store and the `jobtable users` / `jobtable certs` commands."""
from __future__ import annotations

import json
import os
import stat

import pytest
from click.testing import CliRunner

from jobtable.clock import ManualClock
from jobtable.cli.users import certs, users
from jobtable.security.credentials import (
    CredentialStore,
    DeleteConflict,
    EntityAlreadyExists,
    MalformedPolicyDocument,
    NoSuchEntity,
)
from jobtable.security.encryption import DataKeyError
from jobtable.security.policy import Decision, evaluate

SEED_POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": [
    "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
    "dynamodb:Query", "dynamodb:Scan"], "Resource": [
    "arn:aws:dynamodb:us-east-1:000000000000:table/Jobs",
    "arn:aws:dynamodb:us-east-1:000000000000:table/Jobs/index/*"]}]}


@pytest.fixture
def store(tmp_path):
    return CredentialStore.open(tmp_path, clock=ManualClock(1_700_000_000))


def test_added_user_resolves_by_access_key_with_policies(store):
    key = store.add_user("alice")
    assert key.access_key_id.startswith("AKIA") and len(key.access_key_id) == 20
    assert len(key.secret_access_key) == 40
    store.put_user_policy("alice", "jobs", SEED_POLICY)
    principal = store.lookup(key.access_key_id)
    assert principal.user_name == "alice" and principal.secret_access_key == key.secret_access_key
    assert principal.arn == "arn:aws:iam::000000000000:user/alice"
    assert evaluate(principal.policies, "dynamodb:Query",
                    "arn:aws:dynamodb:us-east-1:000000000000:table/Jobs/index/UserIndex") is Decision.ALLOW
    assert store.lookup("AKIANOSUCHKEY0000000") is None


def test_secrets_are_encrypted_at_rest_and_the_file_is_private(store, tmp_path):
    key = store.add_user("alice", session_token="tok-123456")
    raw = (tmp_path / "credentials.json").read_text()
    assert key.access_key_id in raw
    assert key.secret_access_key not in raw and "tok-123456" not in raw
    for name in ("credentials.json", "credentials.key"):
        assert stat.S_IMODE(os.stat(tmp_path / name).st_mode) == 0o600
    assert "secret" not in repr(key) and key.secret_access_key not in repr(store.lookup(key.access_key_id))


def test_a_different_credentials_key_cannot_read_the_secrets(store, tmp_path):
    store.add_user("alice")
    other_key = tmp_path / "other.key"
    other_key.write_text("A" * 43 + "=\n")
    with pytest.raises(DataKeyError, match="the data key does not match"):
        CredentialStore.open(tmp_path, key_file=other_key)


def test_another_process_sees_changes_after_the_reload_interval(tmp_path):
    clock = ManualClock(1000)
    server_view = CredentialStore.open(tmp_path, clock=clock)
    cli_view = CredentialStore.open(tmp_path, clock=clock)
    assert server_view.lookup("AKIABOB0000000000000") is None  # checked the file just now
    cli_view.add_user("bob", access_key_id="AKIABOB0000000000000", secret_access_key="s3cret")
    assert server_view.lookup("AKIABOB0000000000000") is None  # not re-checked within a second
    clock.advance(1.5)
    assert server_view.lookup("AKIABOB0000000000000").secret_access_key == "s3cret"
    cli_view.remove_user("bob")
    clock.advance(1.5)
    assert server_view.lookup("AKIABOB0000000000000") is None


def test_iam_style_errors(store):
    store.add_user("alice")
    with pytest.raises(EntityAlreadyExists, match="User with name alice already exists."):
        store.add_user("alice")
    with pytest.raises(NoSuchEntity, match="The user with name zed cannot be found."):
        store.put_user_policy("zed", "p", SEED_POLICY)
    with pytest.raises(MalformedPolicyDocument):
        store.put_user_policy("alice", "p", {"Statement": [{"Effect": "Allow"}]})
    with pytest.raises(NoSuchEntity):
        store.attach_user_policy("alice", "arn:aws:iam::000000000000:policy/missing")


def test_attached_managed_policies_resolve_at_lookup(tmp_path):
    customer = {"arn:aws:iam::000000000000:policy/jobs": SEED_POLICY}
    store = CredentialStore.open(tmp_path, managed_policies=customer.get)
    store.add_user("alice")
    [key_id] = store.user("alice").access_key_ids
    store.attach_user_policy("alice", "arn:aws:iam::000000000000:policy/jobs")
    assert store.lookup(key_id).policies == (SEED_POLICY,)
    deny_all = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}
    customer["arn:aws:iam::000000000000:policy/jobs"] = deny_all  # a new default version
    assert store.lookup(key_id).policies == (deny_all,)
    del customer["arn:aws:iam::000000000000:policy/jobs"]  # deleted: grants nothing
    assert store.lookup(key_id).policies == ()
    with pytest.raises(NoSuchEntity, match="does not exist or is not attachable"):
        store.attach_user_policy("alice", "arn:aws:iam::000000000000:policy/missing")
    with pytest.raises(NoSuchEntity):
        store.attach_user_policy("alice", "arn:aws:iam::aws:policy/NotAPolicyJobtableKnows")
    store.detach_user_policy("alice", "arn:aws:iam::000000000000:policy/jobs")
    store.attach_user_policy("alice", "arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess")
    assert evaluate(store.lookup(key_id).policies, "dynamodb:DeleteTable", "x") is Decision.IMPLICIT_DENY
    assert evaluate(store.lookup(key_id).policies, "dynamodb:Query", "x") is Decision.ALLOW
    with pytest.raises(DeleteConflict):
        store.remove_user("alice", force=False)


def test_users_cli_round_trip(tmp_path):
    runner = CliRunner()
    data = ["--data-dir", str(tmp_path)]
    added = runner.invoke(users, ["add", "alice", "--output", "json", *data])
    assert added.exit_code == 0, added.output
    created = json.loads(added.stdout)
    assert created["Arn"] == "arn:aws:iam::000000000000:user/alice"
    policy_file = tmp_path / "jobs-policy.json"
    policy_file.write_text(json.dumps(SEED_POLICY))
    attached = runner.invoke(users, ["attach-policy", "alice", str(policy_file), *data])
    assert attached.exit_code == 0 and "jobs-policy" in attached.output
    listed = runner.invoke(users, ["list", "-o", "json", *data])
    [row] = json.loads(listed.stdout)
    assert row["AccessKeyIds"] == [created["AccessKeyId"]] and row["InlinePolicies"] == ["jobs-policy"]
    assert created["SecretAccessKey"] not in listed.output
    detached = runner.invoke(users, ["detach-policy", "alice", "jobs-policy", *data])
    assert detached.exit_code == 0
    missing = runner.invoke(users, ["remove", "nobody", *data])
    assert missing.exit_code == 1 and "Error: The user with name nobody cannot be found." in missing.output
    assert runner.invoke(users, ["remove", "alice", *data]).exit_code == 0


def test_certs_generate_writes_a_usable_pair(tmp_path):
    import ssl

    cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
    result = CliRunner().invoke(certs, ["generate", "--cert", str(cert), "--key", str(key)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)  # raises if the pair does not match
    again = CliRunner().invoke(certs, ["generate", "--cert", str(cert), "--key", str(key)])
    assert again.exit_code == 1 and "already exists" in again.output
