"""Black-box: a `jobtable serve --auth sigv4` subprocess, called through boto3 and raw HTTP."""
from __future__ import annotations

import datetime
import json
import urllib.error
import urllib.request
from unittest import mock

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError
from click.testing import CliRunner
from tests.conftest import ServerProcess

from jobtable.cli.main import cli
from jobtable.security.credentials import CredentialStore

TABLE = "CloudToolsJobs"
ARN = f"arn:aws:dynamodb:us-east-1:000000000000:table/{TABLE}"
SEED_POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": [
    "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
    "dynamodb:Query", "dynamodb:Scan"], "Resource": [ARN, f"{ARN}/index/*"]}]}
OWN_JOBS_POLICY = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": ["dynamodb:Query", "dynamodb:PutItem"], "Resource": [ARN, f"{ARN}/index/UserIndex"],
    "Condition": {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["${aws:username}"]}}}]}
DENY_DELETE = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Deny", "Action": "dynamodb:DeleteItem", "Resource": ARN}]}


class Keys:
    """Access keys of the users the server knows (created before it starts)."""

    def __init__(self, store: CredentialStore) -> None:
        self.admin = store.add_user("admin")
        store.attach_user_policy("admin", "arn:aws:iam::aws:policy/AdministratorAccess")
        self.worker = store.add_user("worker")  # the seed's Lambda role policy
        store.put_user_policy("worker", "jobs", SEED_POLICY)
        self.alice = store.add_user("alice")  # own userId partition only
        store.put_user_policy("alice", "own-jobs", OWN_JOBS_POLICY)
        self.careful = store.add_user("careful")  # full access minus DeleteItem
        store.attach_user_policy("careful", "arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess")
        store.put_user_policy("careful", "no-deletes", DENY_DELETE)


@pytest.fixture(scope="module")
def secured(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("secured")
    keys = Keys(CredentialStore.open(data_dir))
    server = ServerProcess("--auth", "sigv4", data_dir=str(data_dir)).start()
    admin = client_for(server, keys.admin)
    from jobtable.server.provision import job_table_definition

    definition = job_table_definition(TABLE)
    definition.pop("SSESpecification")
    admin.create_table(**definition)
    admin.create_table(TableName="Other", BillingMode="PAY_PER_REQUEST",
                       AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                       KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    yield server, keys
    server.stop()


def client_for(server, key=None, *, access_key=None, secret=None):
    return boto3.client("dynamodb", endpoint_url=server.endpoint, region_name="us-east-1",
                        aws_access_key_id=access_key or key.access_key_id,
                        aws_secret_access_key=secret or key.secret_access_key,
                        config=Config(retries={"mode": "standard", "max_attempts": 1}))


def error_of(call, *args, **kwargs):
    with pytest.raises(ClientError) as caught:
        call(*args, **kwargs)
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


def post(server, body: bytes, headers: dict):
    request = urllib.request.Request(server.endpoint + "/", data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_unsigned_request_is_refused(secured):
    server, _ = secured
    status, body = post(server, b'{}', {"X-Amz-Target": "DynamoDB_20120810.ListTables",
                                        "Content-Type": "application/x-amz-json-1.0"})
    assert status == 400
    assert body["__type"].endswith("#MissingAuthenticationTokenException")
    assert body["message"] == "Request is missing Authentication Token"


def test_unknown_key_and_wrong_secret_are_refused(secured):
    server, keys = secured
    assert error_of(client_for(server, access_key="AKIANOBODY0000000000", secret="x").list_tables) == (
        "UnrecognizedClientException", "The security token included in the request is invalid.")
    code, message = error_of(client_for(server, keys.admin, secret="wrong-secret").list_tables)
    assert code == "InvalidSignatureException"
    assert message.startswith("The request signature we calculated does not match the signature you provided.")


def test_expired_signature_is_refused(secured):
    server, keys = secured
    past = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) - datetime.timedelta(minutes=20)
    with mock.patch("botocore.auth.get_current_datetime", return_value=past):
        code, message = error_of(client_for(server, keys.admin).list_tables)
    assert code == "InvalidSignatureException"
    assert message.startswith(f"Signature expired: {past.strftime('%Y%m%dT%H%M%SZ')} is now earlier than ")
    assert message.endswith(" - 15 min.)")


def test_replayed_request_with_altered_body_is_refused(secured):
    server, keys = secured
    body = json.dumps({"TableName": TABLE, "Key": {"jobId": {"S": "job-1"}}}).encode()
    request = AWSRequest("POST", server.endpoint + "/", data=body, headers={
        "X-Amz-Target": "DynamoDB_20120810.GetItem", "Content-Type": "application/x-amz-json-1.0"})
    SigV4Auth(Credentials(keys.admin.access_key_id, keys.admin.secret_access_key), "dynamodb",
              "us-east-1").add_auth(request)
    headers = dict(request.headers.items())
    assert post(server, body, headers)[0] == 200  # the original goes through
    status, answer = post(server, body.replace(b"job-1", b"job-2"), headers)
    assert status == 400 and answer["__type"].endswith("#InvalidSignatureException")


def test_seed_policy_allows_exactly_the_job_operations(secured):
    server, keys = secured
    ddb = client_for(server, keys.worker)
    item = {"jobId": {"S": "job-7"}, "status": {"S": "pending"}, "userId": {"S": "u1"},
            "createdAt": {"S": "2026-11-25T10:00:00Z"}}
    ddb.put_item(TableName=TABLE, Item=item)
    assert ddb.get_item(TableName=TABLE, Key={"jobId": {"S": "job-7"}})["Item"]["status"] == {"S": "pending"}
    ddb.update_item(TableName=TABLE, Key={"jobId": {"S": "job-7"}}, UpdateExpression="SET #s = :s",
                    ExpressionAttributeNames={"#s": "status"}, ExpressionAttributeValues={":s": {"S": "processing"}})
    found = ddb.query(TableName=TABLE, IndexName="StatusIndex", KeyConditionExpression="#s = :s",
                      ExpressionAttributeNames={"#s": "status"}, ExpressionAttributeValues={":s": {"S": "processing"}})
    assert [i["jobId"]["S"] for i in found["Items"]] == ["job-7"]
    assert ddb.scan(TableName=TABLE)["Count"] >= 1
    ddb.delete_item(TableName=TABLE, Key={"jobId": {"S": "job-7"}})

    assert error_of(ddb.delete_table, TableName=TABLE) == ("AccessDeniedException", (
        "User: arn:aws:iam::000000000000:user/worker is not authorized to perform: dynamodb:DeleteTable "
        f"on resource: {ARN} because no identity-based policy allows the dynamodb:DeleteTable action"))
    code, message = error_of(ddb.put_item, TableName="Other", Item={"pk": {"S": "x"}})
    assert code == "AccessDeniedException" and "dynamodb:PutItem on resource: " \
        "arn:aws:dynamodb:us-east-1:000000000000:table/Other because" in message
    for call, kwargs in ((ddb.describe_table, {"TableName": TABLE}), (ddb.list_tables, {})):
        assert error_of(call, **kwargs)[0] == "AccessDeniedException"
    admin = client_for(server, keys.admin)
    assert TABLE in admin.list_tables()["TableNames"]  # the table survived


def test_explicit_deny_overrides_allow(secured):
    server, keys = secured
    ddb = client_for(server, keys.careful)
    ddb.put_item(TableName=TABLE, Item={"jobId": {"S": "keep-me"}})
    code, message = error_of(ddb.delete_item, TableName=TABLE, Key={"jobId": {"S": "keep-me"}})
    assert code == "AccessDeniedException"
    assert message.endswith(f"dynamodb:DeleteItem on resource: {ARN} with an explicit deny in an "
                            "identity-based policy")
    assert "Item" in ddb.get_item(TableName=TABLE, Key={"jobId": {"S": "keep-me"}})


def test_leading_keys_restrict_a_user_to_their_own_partition(secured):
    server, keys = secured
    admin = client_for(server, keys.admin)
    for job, user in (("a1", "alice"), ("b1", "bob")):
        admin.put_item(TableName=TABLE, Item={"jobId": {"S": job}, "userId": {"S": user}, "status": {"S": "done"},
                                              "createdAt": {"S": "2026-11-25T09:00:00Z"}})
    ddb = client_for(server, keys.alice)

    def query(user):
        return ddb.query(TableName=TABLE, IndexName="UserIndex", KeyConditionExpression="userId = :u",
                         ExpressionAttributeValues={":u": {"S": user}})

    assert [i["jobId"]["S"] for i in query("alice")["Items"]] == ["a1"]
    code, message = error_of(query, "bob")
    assert code == "AccessDeniedException"
    assert f"dynamodb:Query on resource: {ARN}/index/UserIndex because" in message
    # On the base table the leading key is jobId: alice may write only the item keyed "alice".
    ddb.put_item(TableName=TABLE, Item={"jobId": {"S": "alice"}})
    assert error_of(ddb.put_item, TableName=TABLE, Item={"jobId": {"S": "b1"}})[0] == "AccessDeniedException"


def test_auth_none_is_refused_off_loopback():
    result = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--auth", "none", "--in-memory"])
    assert result.exit_code == 2
    assert "--auth none is only allowed on a loopback address" in result.output
