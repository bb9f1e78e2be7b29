"""IAM and STS as Terraform's provider uses them, black-box through boto3's query clients.

boto3's `before-send` hands the signed form request to `QUERY_SERVICES` (the registry the
server routes `Action=`/`Version=` requests to), over an in-memory engine's SQLite store.
"""
from __future__ import annotations

import json
import types
from urllib.parse import parse_qsl

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError

from jobtable.api.aws import QUERY_SERVICES, SERVICE_BY_VERSION
from jobtable.engine.engine import Engine

DOCUMENT = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:Query"],
    "Resource": ["arn:aws:dynamodb:us-east-1:000000000000:table/t", "arn:aws:dynamodb:us-east-1:000000000000:table/t/index/*"]}]})


class _Body:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_):
        yield self.data

    def read(self, *_):
        data, self.data = self.data, b""
        return data


def wired_client(service: str, engine: Engine):
    client = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test",
                                   region_name="us-east-1").client(service, endpoint_url="http://query.local")
    calls = []

    def answer(request, **_):
        body = request.body.encode() if isinstance(request.body, str) else request.body
        params = dict(parse_qsl(body.decode(), keep_blank_values=True))
        assert SERVICE_BY_VERSION[params["Version"]] == service
        calls.append(params["Action"])
        context = types.SimpleNamespace(engine=engine, request_id="req-1", identity=None)
        status, headers, payload = QUERY_SERVICES[service](params["Action"], params, context)
        return AWSResponse(request.url, status, headers, _Body(payload))

    client.meta.events.register("before-send", answer)
    client.calls = calls
    return client


@pytest.fixture
def engine(tmp_path):
    engine = Engine(str(tmp_path / "data"))
    yield engine
    engine.close()


@pytest.fixture
def iam(engine):
    return wired_client("iam", engine)


def error(excinfo):
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"], \
        excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_get_user_and_caller_identity_name_one_account(engine, iam):
    user = iam.get_user()["User"]
    assert user["Arn"] == "arn:aws:iam::000000000000:user/jobtable" and user["UserId"].startswith("AIDA")
    identity = wired_client("sts", engine).get_caller_identity()
    assert (identity["Account"], identity["Arn"], identity["UserId"]) == ("000000000000", user["Arn"], user["UserId"])
    with pytest.raises(ClientError) as excinfo:
        iam.get_user(UserName="somebody-else")
    assert error(excinfo) == ("NoSuchEntity", "The user with name somebody-else cannot be found.", 404)


def test_policy_lifecycle_as_terraform_drives_it(iam):
    created = iam.create_policy(PolicyName="jobs-access", PolicyDocument=DOCUMENT, Description="job table access",
                                Tags=[{"Key": "Project", "Value": "cloud-tools"}])["Policy"]
    arn = created["Arn"]
    assert arn == "arn:aws:iam::000000000000:policy/jobs-access"
    assert created["PolicyId"].startswith("ANPA") and created["DefaultVersionId"] == "v1"
    assert created["Tags"] == [{"Key": "Project", "Value": "cloud-tools"}]
    fetched = iam.get_policy(PolicyArn=arn)["Policy"]
    assert (fetched["Description"], fetched["AttachmentCount"], fetched["IsAttachable"]) == ("job table access", 0, True)
    version = iam.get_policy_version(PolicyArn=arn, VersionId="v1")["PolicyVersion"]
    # IAM sends the document URL-encoded; botocore decodes and parses it.
    assert version["Document"] == json.loads(DOCUMENT) and version["IsDefaultVersion"]

    iam.create_policy_version(PolicyArn=arn, PolicyDocument=DOCUMENT.replace("GetItem", "PutItem"), SetAsDefault=True)
    versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    assert [(v["VersionId"], v["IsDefaultVersion"]) for v in versions] == [("v2", True), ("v1", False)]
    assert iam.list_entities_for_policy(PolicyArn=arn)["PolicyRoles"] == []
    iam.tag_policy(PolicyArn=arn, Tags=[{"Key": "Owner", "Value": "platform-team"}])
    iam.untag_policy(PolicyArn=arn, TagKeys=["Project"])
    assert iam.list_policy_tags(PolicyArn=arn)["Tags"] == [{"Key": "Owner", "Value": "platform-team"}]
    assert [p["PolicyName"] for p in iam.list_policies(Scope="Local")["Policies"]] == ["jobs-access"]

    with pytest.raises(ClientError) as excinfo:
        iam.delete_policy(PolicyArn=arn)
    assert error(excinfo)[0::2] == ("DeleteConflict", 409)
    with pytest.raises(ClientError) as excinfo:
        iam.delete_policy_version(PolicyArn=arn, VersionId="v2")
    assert error(excinfo) == ("DeleteConflict", "Cannot delete the default version of a policy.", 409)
    iam.delete_policy_version(PolicyArn=arn, VersionId="v1")
    iam.delete_policy(PolicyArn=arn)
    with pytest.raises(ClientError) as excinfo:
        iam.get_policy(PolicyArn=arn)
    assert error(excinfo) == ("NoSuchEntity", f"Policy {arn} does not exist or is not attachable.", 404)


def test_policies_survive_a_restart(tmp_path):
    first = Engine(str(tmp_path / "d"))
    arn = wired_client("iam", first).create_policy(PolicyName="p", PolicyDocument=DOCUMENT)["Policy"]["Arn"]
    first.close()
    second = Engine(str(tmp_path / "d"))
    try:
        assert wired_client("iam", second).get_policy(PolicyArn=arn)["Policy"]["PolicyName"] == "p"
    finally:
        second.close()


@pytest.mark.parametrize("kwargs, expected", [
    ({"PolicyName": "bad name", "PolicyDocument": DOCUMENT},
     ("ValidationError", "1 validation error detected: Value 'bad name' at 'policyName' failed to satisfy "
                         "constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+", 400)),
    ({"PolicyName": "p", "PolicyDocument": "{not json"}, ("MalformedPolicyDocument", "Syntax errors in policy.", 400)),
    ({"PolicyName": "p", "PolicyDocument": json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Maybe", "Action": "s3:*", "Resource": "*"}]})},
     ("MalformedPolicyDocument", "Invalid effect: Maybe", 400)),
    ({"PolicyName": "p", "PolicyDocument": DOCUMENT, "Path": "no-slashes"},
     ("ValidationError", "1 validation error detected: Value 'no-slashes' at 'path' failed to satisfy constraint: "
                         "Member must satisfy regular expression pattern: ((/[A-Za-z0-9\\.,\\+@=_-]+)*)/", 400)),
])
def test_invalid_policies_are_rejected_like_iam(iam, kwargs, expected):
    with pytest.raises(ClientError) as excinfo:
        iam.create_policy(**kwargs)
    assert error(excinfo) == expected


def test_duplicates_and_version_limits(iam):
    arn = iam.create_policy(PolicyName="dup", PolicyDocument=DOCUMENT)["Policy"]["Arn"]
    with pytest.raises(ClientError) as excinfo:
        iam.create_policy(PolicyName="DUP", PolicyDocument=DOCUMENT)
    assert error(excinfo) == ("EntityAlreadyExists", "A policy called DUP already exists. Duplicate names are "
                                                     "not allowed.", 409)
    for _ in range(4):
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=DOCUMENT)
    with pytest.raises(ClientError) as excinfo:
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=DOCUMENT)
    assert error(excinfo)[0::2] == ("LimitExceeded", 409)
    with pytest.raises(ClientError) as excinfo:
        iam.get_policy_version(PolicyArn=arn, VersionId="v9")
    assert error(excinfo)[0] == "NoSuchEntity"


def test_unknown_action_is_an_xml_error(engine):
    context = types.SimpleNamespace(engine=engine, request_id="r")
    status, headers, body = QUERY_SERVICES["iam"]("CreateUser", {"Action": "CreateUser", "UserName": "x"}, context)
    assert status == 400 and headers["content-type"] == "text/xml"
    assert b"<Code>InvalidAction</Code>" in body and b"Could not find operation CreateUser for version 2010-05-08" in body


def test_requests_are_routed_by_signing_service_then_version():
    from jobtable.api.aws import query_handler_for

    assert query_handler_for({"Action": "GetUser"}, "iam") is QUERY_SERVICES["iam"]
    assert query_handler_for({"Action": "GetCallerIdentity", "Version": "2011-06-15"}, None) is QUERY_SERVICES["sts"]
    from jobtable.server import monitoring  # noqa: F401  (registers CloudWatch as "monitoring")

    assert query_handler_for({"Action": "PutMetricAlarm", "Version": "2010-08-01"}, "monitoring") is \
        QUERY_SERVICES["monitoring"]
