"""Black-box: encryption at rest (grep the data dir) and HTTPS, against `jobtable serve` subprocesses."""
from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from tests.conftest import ServerProcess

from jobtable.security.certs import generate_self_signed
from jobtable.security.encryption import write_key_file
from jobtable.server.provision import job_table_definition

SECRET = "top-secret-input-file-7731.pdf"
OPEN = "plain-visible-value-5512"
ANOTHER_SECRET = "metadata-secret-value-0042"


def _client(endpoint: str, **kwargs):
    return boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="x",
                        aws_secret_access_key="x", config=Config(retries={"max_attempts": 1}), **kwargs)


def _files_containing(directory: Path, needle: str) -> list[str]:
    return [p.name for p in directory.rglob("*") if p.is_file() and needle.encode() in p.read_bytes()]


def test_sse_tables_are_unreadable_on_disk_and_need_the_right_key(tmp_path):
    data_dir = tmp_path / "data"
    right_key, wrong_key = write_key_file(tmp_path / "right.key"), write_key_file(tmp_path / "wrong.key")
    server = ServerProcess("--kms-key-file", str(right_key), data_dir=str(data_dir)).start()
    try:
        ddb = _client(server.endpoint)
        ddb.create_table(**job_table_definition("Jobs"))
        ddb.create_table(TableName="Plain", BillingMode="PAY_PER_REQUEST",
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
        assert ddb.describe_table(TableName="Jobs")["Table"]["SSEDescription"]["Status"] == "ENABLED"
        ddb.put_item(TableName="Jobs", Item={
            "jobId": {"S": "job-1"}, "status": {"S": "pending"}, "userId": {"S": "u1"},
            "createdAt": {"S": "2026-11-25T10:00:00Z"}, "inputFile": {"S": SECRET},
            "metadata": {"M": {"note": {"S": ANOTHER_SECRET}}}})
        # An update leaves both images in the change log (the old one still holds SECRET).
        ddb.update_item(TableName="Jobs", Key={"jobId": {"S": "job-1"}}, UpdateExpression="SET #s = :s",
                        ExpressionAttributeNames={"#s": "status"}, ExpressionAttributeValues={":s": {"S": "done"}})
        ddb.put_item(TableName="Plain", Item={"pk": {"S": "p"}, "v": {"S": OPEN}})
        by_user = ddb.query(TableName="Jobs", IndexName="UserIndex", KeyConditionExpression="userId = :u",
                            ExpressionAttributeValues={":u": {"S": "u1"}})["Items"]
        assert by_user[0]["inputFile"] == {"S": SECRET}  # index rows decrypt transparently
    finally:
        server.stop()

    assert _files_containing(data_dir, OPEN)  # the grep does find plaintext...
    assert _files_containing(data_dir, SECRET) == []  # ...but no SSE table content
    assert _files_containing(data_dir, ANOTHER_SECRET) == []

    with pytest.raises(RuntimeError, match="the data key does not match"):
        ServerProcess("--kms-key-file", str(wrong_key), data_dir=str(data_dir)).start()

    again = ServerProcess("--kms-key-file", str(right_key), data_dir=str(data_dir)).start()
    try:
        item = _client(again.endpoint).get_item(TableName="Jobs", Key={"jobId": {"S": "job-1"}})["Item"]
        assert item["inputFile"] == {"S": SECRET} and item["status"] == {"S": "done"}
    finally:
        again.stop()


class _TlsServer(ServerProcess):
    def __init__(self, cert: Path, key: Path) -> None:
        super().__init__("--tls-cert", str(cert), "--tls-key", str(key))
        self.endpoint = f"https://127.0.0.1:{self.port}"


def test_https_with_a_generated_self_signed_certificate(tmp_path, monkeypatch):
    cert, key = generate_self_signed(tmp_path / "cert.pem", tmp_path / "key.pem")
    with monkeypatch.context() as trusting:  # the start-up health check trusts the new certificate
        trusting.setenv("SSL_CERT_FILE", str(cert))
        server = _TlsServer(cert, key).start()
    try:
        trusted = _client(server.endpoint, verify=str(cert))
        assert trusted.list_tables()["TableNames"] == []
        from botocore.exceptions import SSLError

        with pytest.raises(SSLError):  # an untrusted certificate is refused by default
            _client(server.endpoint).list_tables()
        from botocore.exceptions import ConnectionClosedError

        with pytest.raises(ConnectionClosedError):  # no plaintext fallback on the TLS port
            _client(server.endpoint.replace("https://", "http://")).list_tables()
    finally:
        server.stop()
