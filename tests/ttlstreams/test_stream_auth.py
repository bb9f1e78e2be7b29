"""Streams behind `--auth sigv4`: least-privilege stream readers are checked against the stream ARN."""
from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config

from jobtable.security.credentials import CredentialStore
from streamhelp import error_of
from tests.conftest import ServerProcess

TABLE_ARN = "arn:aws:dynamodb:us-east-1:000000000000:table/jobs"
STREAM_READER = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": [
    "dynamodb:DescribeStream", "dynamodb:GetShardIterator", "dynamodb:GetRecords"],
    "Resource": f"{TABLE_ARN}/stream/*"}]}


def client_for(server: ServerProcess, key: Any, service: str) -> Any:
    return boto3.client(service, endpoint_url=server.endpoint, region_name="us-east-1",
                        aws_access_key_id=key.access_key_id, aws_secret_access_key=key.secret_access_key,
                        config=Config(retries={"mode": "standard", "max_attempts": 1}))


def test_get_records_is_authorized_on_the_stream_the_iterator_reads(tmp_path: Any) -> None:
    store = CredentialStore.open(tmp_path)
    admin = store.add_user("admin")
    store.attach_user_policy("admin", "arn:aws:iam::aws:policy/AdministratorAccess")
    reader = store.add_user("reader")
    store.put_user_policy("reader", "stream-reader", STREAM_READER)
    server = ServerProcess("--auth", "sigv4", data_dir=str(tmp_path)).start()
    try:
        ddb = client_for(server, admin, "dynamodb")
        ddb.create_table(TableName="jobs", BillingMode="PAY_PER_REQUEST",
                         AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                         StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
        ddb.put_item(TableName="jobs", Item={"id": {"S": "a"}})
        arn = ddb.describe_table(TableName="jobs")["Table"]["LatestStreamArn"]
        streams = client_for(server, reader, "dynamodbstreams")
        shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
        iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        assert [r["eventName"] for r in streams.get_records(ShardIterator=iterator)["Records"]] == ["INSERT"]
        code, message = error_of(streams.list_streams)  # account-wide: not granted
        assert code == "AccessDeniedException" and "dynamodb:ListStreams" in message
        code, _ = error_of(client_for(server, reader, "dynamodb").get_item, TableName="jobs",
                           Key={"id": {"S": "a"}})
        assert code == "AccessDeniedException"
    finally:
        server.stop()
