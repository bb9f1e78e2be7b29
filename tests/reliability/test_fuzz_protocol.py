"""Bad input never yields a 500 or kills the server.

Hypothesis generates malformed and adversarial requests (random JSON, wrong types, random
attribute values, random expressions, bad UTF-8, unknown targets) against one live server;
every answer must be a DynamoDB 4xx error or a success, and the server must keep serving.
"""
from __future__ import annotations

import http.client
import json

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import ServerProcess, job_table_spec

OPERATIONS = ["PutItem", "GetItem", "UpdateItem", "DeleteItem", "Query", "Scan", "CreateTable", "DescribeTable",
              "UpdateTable", "ListTables", "DeleteTable", "BatchWriteItem", "TransactWriteItems", "NoSuchOp"]
TABLE = "FuzzJobs"

json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                         st.text(max_size=20))
json_values = st.recursive(json_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)), max_leaves=20)

attr_names = st.sampled_from(["jobId", "status", "userId", "createdAt", "n", "m", "l", "#s", ":v"])
scalar_values = st.one_of(
    st.builds(lambda s: {"S": s}, st.text(max_size=30)),
    st.builds(lambda n: {"N": n}, st.one_of(st.text(max_size=12), st.from_regex(r"-?\d{1,45}(\.\d{1,5})?(E[+-]?\d{1,3})?", fullmatch=True))),
    st.builds(lambda b: {"B": b}, st.text(max_size=12)),
    st.builds(lambda b: {"BOOL": b}, json_scalars),
    st.just({"NULL": True}), st.just({"NULL": False}),
    st.builds(lambda x: {"SS": x}, st.lists(st.text(max_size=5), max_size=4)),
    st.builds(lambda x: {"NS": x}, st.lists(st.text(max_size=5), max_size=4)),
    st.just({}), st.just({"S": "a", "N": "1"}),
)
attribute_values = st.recursive(scalar_values, lambda inner: st.one_of(
    st.builds(lambda xs: {"L": xs}, st.lists(inner, max_size=3)),
    st.builds(lambda m: {"M": m}, st.dictionaries(st.text(max_size=6), inner, max_size=3))), max_leaves=10)
items = st.dictionaries(attr_names, attribute_values, max_size=6)
expression_tokens = st.sampled_from(["#s", ":v", "=", "<>", "<", "AND", "OR", "NOT", "(", ")", "SET", "REMOVE",
                                     "ADD", "DELETE", "status", "jobId", "a.b[1]", "size(", "attribute_exists(",
                                     "begins_with(", ",", "BETWEEN", "IN", "+", "-", "if_not_exists(", "list_append(",
                                     "[", "]", "0", ".", "\u00e9", "\x00"])
expressions = st.lists(expression_tokens, max_size=12).map(" ".join)

requests = st.fixed_dictionaries({}, optional={
    "TableName": st.one_of(st.just(TABLE), st.text(max_size=10), json_scalars),
    "Item": st.one_of(items, json_values),
    "Key": st.one_of(items, json_values),
    "KeyConditionExpression": expressions,
    "FilterExpression": expressions,
    "ConditionExpression": expressions,
    "UpdateExpression": expressions,
    "ProjectionExpression": expressions,
    "ExpressionAttributeNames": st.dictionaries(st.sampled_from(["#s", "#x", "bad"]), st.text(max_size=8), max_size=3),
    "ExpressionAttributeValues": st.dictionaries(st.sampled_from([":v", ":w", "bad"]), attribute_values, max_size=3),
    "Limit": json_scalars,
    "ExclusiveStartKey": st.one_of(items, json_values),
    "IndexName": st.sampled_from(["StatusIndex", "UserIndex", "Nope"]),
    "Select": st.sampled_from(["COUNT", "ALL_ATTRIBUTES", "SPECIFIC_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES", "x"]),
    "ReturnValues": st.sampled_from(["NONE", "ALL_OLD", "UPDATED_NEW", "x"]),
    "Segment": json_scalars, "TotalSegments": json_scalars,
})


@pytest.fixture(scope="module")
def fuzz_server():
    server = ServerProcess().start()
    server.client().create_table(**job_table_spec(TABLE))
    yield server
    server.stop()


def send(server: ServerProcess, target: str | None, body: bytes, content_type: str = "application/x-amz-json-1.0"):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    headers = {"Content-Type": content_type}
    if target is not None:
        headers["X-Amz-Target"] = target
    conn.request("POST", "/", body=body, headers=headers)
    resp = conn.getresponse()
    payload = resp.read()
    conn.close()
    return resp.status, payload


def assert_dynamodb_answer(status: int, payload: bytes) -> None:
    assert status in (200, 400, 413), (status, payload[:300])
    data = orjson.loads(payload)
    if status != 200:
        assert "#" in data["__type"] and data["__type"].rsplit("#", 1)[1].endswith(("Exception", "Exceeded")), data


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), database=None)


@SETTINGS
@given(operation=st.sampled_from(OPERATIONS), request=requests)
def test_structured_garbage_never_500(fuzz_server, operation, request):
    body = json.dumps(request).encode()
    assert_dynamodb_answer(*send(fuzz_server, f"DynamoDB_20120810.{operation}", body))


@SETTINGS
@given(operation=st.sampled_from(OPERATIONS), body=st.binary(max_size=200))
def test_random_bytes_never_500(fuzz_server, operation, body):
    assert_dynamodb_answer(*send(fuzz_server, f"DynamoDB_20120810.{operation}", body))


@SETTINGS
@given(target=st.one_of(st.none(), st.text(max_size=40)), body=json_values.map(lambda v: json.dumps(v).encode()))
def test_random_targets_never_500(fuzz_server, target, body):
    try:
        target.encode("latin-1") if target else None
    except UnicodeEncodeError:
        target = "DynamoDB_20120810.X"
    if target and any(c in target for c in "\r\n\x00") or (target and not target.isprintable()):
        target = "DynamoDB_20120810.Y"
    assert_dynamodb_answer(*send(fuzz_server, target, body))


def test_server_still_healthy_after_fuzzing(fuzz_server):
    # (the fuzzer may legitimately have deleted or replaced the table)
    status, payload = send(fuzz_server, "DynamoDB_20120810.ListTables", b"{}")
    assert status == 200 and "TableNames" in orjson.loads(payload)


def test_oversized_body_is_refused(fuzz_server):
    body = b'{"TableName": "FuzzJobs", "Item": {"jobId": {"S": "' + b"x" * (17 * 1024 * 1024) + b'"}}}'
    status, payload = send(fuzz_server, "DynamoDB_20120810.PutItem", body)
    assert status in (400, 413)
    assert "__type" in orjson.loads(payload)
