"""SigV4 verification: requests signed by botocore pass; everything else fails with AWS's errors."""
from __future__ import annotations

import calendar
import json
from unittest import mock
from urllib.parse import urlsplit

import pytest
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from jobtable.clock import ManualClock
from jobtable.engine.errors import (
    InvalidSignatureException,
    MissingAuthenticationTokenException,
    UnrecognizedClientException,
)
from jobtable.security.principal import Principal
from jobtable.security.sigv4 import IncomingRequest, IncompleteSignatureException, SigV4Verifier

SIGNED_AT = calendar.timegm((2026, 11, 25, 10, 25, 0))
ALICE = Principal("alice", "AKIAALICE0000000000A", "alice/secret+KEY")
TEMP = Principal("temp", "ASIATEMP000000000000", "temp-secret", session_token="the-session-token")
BODY = json.dumps({"TableName": "Jobs", "Key": {"jobId": {"S": "j1"}}}).encode()
MISMATCH = ("The request signature we calculated does not match the signature you provided. Check your AWS "
            "Secret Access Key and signing method. Consult the service documentation for details.")


def lookup(key_id):
    return {p.access_key_id: p for p in (ALICE, TEMP)}.get(key_id)


def verifier(now=SIGNED_AT, **kwargs):
    return SigV4Verifier(lookup, ManualClock(now), **kwargs)


def signed(principal=ALICE, body=BODY, *, service="dynamodb", region="us-east-1", url="http://127.0.0.1:8000/",
           secret=None, token=None, at=SIGNED_AT, headers=None):
    """A request as boto3 would send it, signed by botocore at time `at`."""
    request = AWSRequest("POST", url, data=body, headers={
        "X-Amz-Target": "DynamoDB_20120810.GetItem", "Content-Type": "application/x-amz-json-1.0",
        **(headers or {})})
    credentials = Credentials(principal.access_key_id, secret or principal.secret_access_key,
                              token or principal.session_token)
    with mock.patch("botocore.auth.get_current_datetime",
                    return_value=__import__("datetime").datetime.utcfromtimestamp(at)):
        SigV4Auth(credentials, service, region).add_auth(request)
    parts = urlsplit(url)
    wire_headers = [(k, v) for k, v in request.headers.items()] + [("Host", parts.netloc)]
    return IncomingRequest("POST", parts.path or "/", parts.query, wire_headers, body)


def with_headers(request, **changes):
    names = {n.replace("_", "-").lower() for n in changes}
    headers = [(k, v) for k, v in request.headers if k.lower() not in names]
    headers += [(k.replace("_", "-"), v) for k, v in changes.items() if v is not None]
    return IncomingRequest(request.method, request.path, request.query_string, headers, request.body)


def test_a_botocore_signed_request_verifies_and_names_the_caller():
    who = verifier().verify(signed())
    assert who.principal.user_name == "alice"
    assert who.principal.arn == "arn:aws:iam::000000000000:user/alice"
    assert (who.region, who.service, who.signed_at) == ("us-east-1", "dynamodb", "20261125T102500Z")
    assert "secret" not in repr(who)


def test_unsigned_request_is_missing_authentication_token():
    request = IncomingRequest("POST", "/", "", [("Host", "127.0.0.1:8000")], BODY)
    with pytest.raises(MissingAuthenticationTokenException, match="^Request is missing Authentication Token$"):
        verifier().verify(request)
    with pytest.raises(MissingAuthenticationTokenException):
        verifier().verify(with_headers(request, Authorization="Bearer abc"))


def test_unknown_access_key_is_unrecognized_client():
    stranger = Principal("mallory", "AKIAUNKNOWN000000000", "x")
    with pytest.raises(UnrecognizedClientException, match=r"^The security token included in the request is invalid\.$"):
        verifier().verify(signed(stranger))


def test_wrong_secret_and_altered_requests_are_invalid_signatures():
    with pytest.raises(InvalidSignatureException) as wrong_secret:
        verifier().verify(signed(secret="not-the-secret"))
    assert wrong_secret.value.message == MISMATCH
    good = signed()
    altered_body = IncomingRequest(good.method, good.path, good.query_string, good.headers,
                                   BODY.replace(b"j1", b"j2"))
    with pytest.raises(InvalidSignatureException, match="does not match"):
        verifier().verify(altered_body)
    with pytest.raises(InvalidSignatureException, match="does not match"):
        verifier().verify(with_headers(good, X_Amz_Target="DynamoDB_20120810.DeleteTable"))
    with pytest.raises(InvalidSignatureException, match="does not match"):
        verifier().verify(IncomingRequest("POST", "/other", "", good.headers, BODY))


def test_claimed_payload_hash_must_match_the_body():
    request = signed(headers={"X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"})
    with pytest.raises(InvalidSignatureException, match="does not match"):
        verifier().verify(request)


def test_clock_skew_of_fifteen_minutes_each_way():
    request = signed()
    verifier(SIGNED_AT + 15 * 60).verify(request)
    verifier(SIGNED_AT - 15 * 60).verify(request)
    with pytest.raises(InvalidSignatureException) as expired:
        verifier(SIGNED_AT + 25 * 60).verify(request)
    assert expired.value.message == (
        "Signature expired: 20261125T102500Z is now earlier than 20261125T103500Z (20261125T105000Z - 15 min.)")
    with pytest.raises(InvalidSignatureException) as early:
        verifier(SIGNED_AT - 20 * 60).verify(request)
    assert early.value.message == (
        "Signature not yet current: 20261125T102500Z is still later than 20261125T102000Z "
        "(20261125T100500Z + 15 min.)")


def test_a_replayed_request_with_another_date_header_fails():
    request = with_headers(signed(), X_Amz_Date="20261125T102600Z")
    with pytest.raises(InvalidSignatureException, match="does not match"):
        verifier().verify(request)


def test_credential_scope_checks():
    with pytest.raises(InvalidSignatureException, match="Credential should be scoped to correct service: 'dynamodb'"):
        verifier().verify(signed(service="s3"))
    with pytest.raises(InvalidSignatureException, match="scoped to a valid region, not 'eu-west-1'"):
        verifier(regions=["us-east-1"]).verify(signed(region="eu-west-1"))
    verifier().verify(signed(region="eu-west-1"))  # any region unless restricted
    verifier().verify(signed(service="monitoring"))
    request = signed()
    auth = request.header("authorization").replace("/20261125/", "/20261124/")
    with pytest.raises(InvalidSignatureException, match="Date in Credential scope does not match YYYYMMDD"):
        verifier().verify(with_headers(request, Authorization=auth))


def test_malformed_authorization_headers_are_incomplete_signatures():
    request = signed()
    with pytest.raises(IncompleteSignatureException, match="requires 'Signature' parameter"):
        verifier().verify(with_headers(request, Authorization="AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host"))
    with pytest.raises(IncompleteSignatureException, match="not a valid key=value pair"):
        verifier().verify(with_headers(request, Authorization="AWS4-HMAC-SHA256 Credential"))
    with pytest.raises(IncompleteSignatureException, match="X-Amz-Date"):
        verifier().verify(with_headers(request, X_Amz_Date=None))
    unsigned_host = request.header("authorization").replace("host;", "")
    with pytest.raises(InvalidSignatureException, match="'Host' or ':authority' must be a 'SignedHeader'"):
        verifier().verify(with_headers(request, Authorization=unsigned_host))


def test_session_tokens_must_match_the_key():
    verifier().verify(signed(TEMP))
    with pytest.raises(UnrecognizedClientException):
        verifier().verify(signed(TEMP, token="another-token"))
    with pytest.raises(UnrecognizedClientException):
        verifier().verify(with_headers(signed(TEMP), X_Amz_Security_Token=None))
    with pytest.raises(UnrecognizedClientException):
        verifier().verify(signed(ALICE, token="unexpected"))


def test_presigned_query_string_requests():
    request = AWSRequest("GET", "http://127.0.0.1:8000/some%20path?b=2&a=x y")
    with mock.patch("botocore.auth.get_current_datetime",
                    return_value=__import__("datetime").datetime.utcfromtimestamp(SIGNED_AT)):
        SigV4QueryAuth(Credentials(ALICE.access_key_id, ALICE.secret_access_key), "dynamodb", "us-east-1",
                       expires=300).add_auth(request)
    url = urlsplit(request.url)
    incoming = IncomingRequest("GET", url.path, url.query, [("Host", "127.0.0.1:8000")], b"")
    assert verifier().verify(incoming).principal.user_name == "alice"
    with pytest.raises(InvalidSignatureException, match=r"Signature expired: 20261125T102500Z"):
        verifier(SIGNED_AT + 301).verify(incoming)
    tampered = IncomingRequest("GET", url.path, url.query.replace("b=2", "b=3"), incoming.headers, b"")
    with pytest.raises(InvalidSignatureException, match="does not match"):
        verifier().verify(tampered)


def test_repeated_headers_are_joined_like_sigv4_canonicalisation():
    request = signed(headers={"X-Custom": "one,two"})
    split = [(k, v) for k, v in request.headers if k != "X-Custom"] + [("x-custom", "one"), ("x-custom", "two")]
    assert verifier().verify(IncomingRequest("POST", "/", "", split, BODY)).principal is ALICE
