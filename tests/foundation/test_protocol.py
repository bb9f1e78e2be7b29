"""The wire: raw HTTP requests get DynamoDB's error envelopes, never a 500; crc32 is right."""
from __future__ import annotations

import urllib.error
import urllib.request
import zlib

import orjson
import pytest


def post(endpoint: str, target: str | None, body: bytes) -> tuple[int, dict, dict]:
    headers = {"Content-Type": "application/x-amz-json-1.0"}
    if target:
        headers["X-Amz-Target"] = target
    req = urllib.request.Request(endpoint, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            raw, status, hdrs = resp.read(), resp.status, dict(resp.headers)
    except urllib.error.HTTPError as err:
        raw, status, hdrs = err.read(), err.code, dict(err.headers)
    hdrs = {k.lower(): v for k, v in hdrs.items()}
    assert int(hdrs["x-amz-crc32"]) == zlib.crc32(raw) & 0xFFFFFFFF
    assert hdrs["x-amzn-requestid"]
    return status, hdrs, orjson.loads(raw)


@pytest.mark.parametrize("target,body,status,error_type", [
    ("DynamoDB_20120810.ListTables", b"{not json", 400, "com.amazon.coral.service#SerializationException"),
    ("DynamoDB_20120810.ListTables", b"[1,2]", 400, "com.amazon.coral.service#SerializationException"),
    ("DynamoDB_20120810.NoSuchThing", b"{}", 400, "com.amazon.coral.service#UnknownOperationException"),
    (None, b"{}", 400, "com.amazon.coral.service#UnknownOperationException"),
    ("DynamoDB_20120810.GetItem", b'{"TableName": 5, "Key": {}}', 400, "com.amazon.coral.service#SerializationException"),
    ("DynamoDB_20120810.GetItem", b'{"TableName": "abc", "Key": {"k": {"S": 1}}}', 400,
     "com.amazon.coral.service#SerializationException"),
    ("DynamoDB_20120810.PutItem", b'{"TableName": "abc", "Item": {"k": {"Q": "x"}}}', 400, None),
    ("DynamoDB_20120810.Scan", b'{"TableName": "abc", "Limit": 0}', 400, "com.amazon.coral.validate#ValidationException"),
    ("DynamoDB_20120810.CreateTable", b'{}', 400, "com.amazon.coral.validate#ValidationException"),
])
def test_bad_requests_get_dynamodb_errors(http_server, target, body, status, error_type):
    got_status, _, payload = post(http_server.endpoint, target, body)
    assert got_status == status
    if error_type:
        assert payload["__type"] == error_type
    else:
        assert payload["__type"].endswith("Exception")


def test_missing_required_members_listed(http_server):
    _, _, payload = post(http_server.endpoint, "DynamoDB_20120810.CreateTable", b'{"TableName": "abc"}')
    assert payload["message"].startswith("2 validation errors detected: ")
    assert "Value null at 'attributeDefinitions' failed to satisfy constraint: Member must not be null" in payload["message"]
    assert "Value null at 'keySchema' failed to satisfy constraint: Member must not be null" in payload["message"]


def test_enum_violation_message(http_server):
    _, _, payload = post(http_server.endpoint, "DynamoDB_20120810.Scan",
                         b'{"TableName": "abc", "Select": "EVERYTHING"}')
    assert payload["message"] == ("1 validation error detected: Value 'EVERYTHING' at 'select' failed to satisfy "
                                  "constraint: Member must satisfy enum value set: [ALL_ATTRIBUTES, "
                                  "ALL_PROJECTED_ATTRIBUTES, SPECIFIC_ATTRIBUTES, COUNT]")


def test_deep_nesting_is_refused_not_crashing(http_server):
    body = b'{"TableName": "abc", "Item": {"k": ' + b'{"M": {"a": ' * 200 + b'{"S": "x"}' + b'}}' * 200 + b'}}'
    status, _, payload = post(http_server.endpoint, "DynamoDB_20120810.PutItem", body)
    assert status == 400
    again, _, _ = post(http_server.endpoint, "DynamoDB_20120810.ListTables", b"{}")
    assert again == 200


def test_health_and_not_found(http_server):
    with urllib.request.urlopen(http_server.endpoint + "/health") as resp:
        assert orjson.loads(resp.read())["status"] == "ok"
    with pytest.raises(urllib.error.HTTPError) as exc:
        urllib.request.urlopen(http_server.endpoint + "/nope")
    assert exc.value.code == 404
