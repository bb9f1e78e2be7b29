"""Raw DynamoDB JSON requests without boto3: really SigV4-signed, for loading and wrk.

boto3 spends ~1 ms per call on its own; the loader and the raw-HTTP load test must not.
Requests are signed with botocore's signer once each, so a server that verifies SigV4
accepts them (within its clock-skew window).
"""
from __future__ import annotations

import http.client
from typing import Any

import orjson
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from bench.peers import CREDENTIALS, REGION

_CREDENTIALS = Credentials(CREDENTIALS["aws_access_key_id"], CREDENTIALS["aws_secret_access_key"])
_SIGNER = SigV4Auth(_CREDENTIALS, "dynamodb", REGION)


class DynamoDBError(RuntimeError):
    def __init__(self, status: int, body: bytes):
        super().__init__(f"HTTP {status}: {body[:300]!r}")
        self.status = status
        self.body = body


def signed_headers(endpoint_url: str, operation: str, body: bytes) -> dict[str, str]:
    """Headers of a SigV4-signed DynamoDB JSON 1.0 request for ``operation``."""
    request = AWSRequest(
        method="POST",
        url=endpoint_url + "/",
        data=body,
        headers={
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": f"DynamoDB_20120810.{operation}",
        },
    )
    _SIGNER.add_auth(request)
    headers = dict(request.headers.items())
    headers["Content-Length"] = str(len(body))
    return headers


class RawClient:
    """One keep-alive HTTP connection speaking DynamoDB JSON (one per thread)."""

    def __init__(self, endpoint_url: str):
        self.endpoint_url = endpoint_url
        host_port = endpoint_url.split("://", 1)[1]
        host, port = host_port.rsplit(":", 1)
        self._connection = http.client.HTTPConnection(host, int(port), timeout=300)

    def call(self, operation: str, payload: dict[str, Any]) -> dict[str, Any]:
        body = orjson.dumps(payload)
        headers = signed_headers(self.endpoint_url, operation, body)
        self._connection.request("POST", "/", body=body, headers=headers)
        response = self._connection.getresponse()
        data = response.read()
        if response.status != 200:
            raise DynamoDBError(response.status, data)
        return orjson.loads(data) if data else {}

    def close(self) -> None:
        self._connection.close()
