"""Run a Lambda-style handler on a table's stream, locally or against AWS (boto3 only).

Batches arrive in the AWS Lambda DynamoDB event format (`{"Records": [...]}` with
eventSourceARN, numeric ApproximateCreationDateTime, base64 binary values and a lower-case
userIdentity for TTL deletions), so the seed's Lambda functions run unchanged. Progress is
checkpointed after every handled batch: a restart resumes after the last handled record.
A handler may answer `{"batchItemFailures": [{"itemIdentifier": <SequenceNumber>}]}` (the
ReportBatchItemFailures contract): records before the first failure count as handled.
"""
from __future__ import annotations

import base64
import datetime as dt
import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable

import boto3

from jobtable.streams.reader import Batch, Checkpoint, StreamReader

Handler = Callable[[dict, Any], Any]


class HandlerFailed(RuntimeError):
    """The handler kept failing on a batch; nothing past the last handled record was checkpointed."""


@dataclass
class RunSummary:
    batches: int = 0
    records: int = 0


class LambdaContext:
    """The parts of the Lambda context object handlers commonly read."""

    def __init__(self, function_name: str, timeout_seconds: float = 300.0) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = 128
        self.aws_request_id = str(uuid.uuid4())
        self.invoked_function_arn = f"arn:aws:lambda:local:000000000000:function:{function_name}"
        self._deadline = time.monotonic() + timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def _wire_value(value: Any) -> Any:
    """An attribute value as Lambda delivers it: binary as base64 text, the rest unchanged."""
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode()
    if isinstance(value, dict):
        return {k: _wire_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_wire_value(v) for v in value]
    return value


def lambda_record(record: dict, stream_arn: str) -> dict:
    """One GetRecords record (as boto3 returns it) in the Lambda DynamoDB event format."""
    out = {k: v for k, v in record.items() if k not in ("dynamodb", "userIdentity")}
    body = dict(record["dynamodb"])
    created = body.get("ApproximateCreationDateTime")
    if isinstance(created, dt.datetime):
        body["ApproximateCreationDateTime"] = created.timestamp()
    for part in ("Keys", "NewImage", "OldImage"):
        if part in body:
            body[part] = _wire_value(body[part])
    out["dynamodb"] = body
    out["eventSourceARN"] = stream_arn
    identity = record.get("userIdentity")
    if identity:
        out["userIdentity"] = {"type": identity.get("Type"), "principalId": identity.get("PrincipalId")}
    return out


def _handled_count(result: Any, batch: Batch) -> int:
    """How many leading records the handler reported as handled (all, unless it listed failures)."""
    failures = result.get("batchItemFailures") if isinstance(result, dict) else None
    if not failures:
        return len(batch.records)
    failed = {f.get("itemIdentifier") for f in failures}
    for index, record in enumerate(batch.records):
        if record["dynamodb"]["SequenceNumber"] in failed:
            return index
    return len(batch.records)


def _session(endpoint_url: str | None, region_name: str | None) -> boto3.session.Session:
    """The default AWS session; a local endpoint works without configured credentials or region."""
    session = boto3.session.Session(region_name=region_name)
    if endpoint_url is None:
        return session
    region = session.region_name or "us-east-1"
    if session.get_credentials() is None:
        return boto3.session.Session(aws_access_key_id="jobtable", aws_secret_access_key="jobtable",
                                     region_name=region)
    return boto3.session.Session(region_name=region)


def run_lambda_handler(handler: Handler, table: str, *, endpoint_url: str | None = None,
                       region_name: str | None = None, checkpoint_file: str | None = None,
                       batch_size: int = 100, starting_position: str = "TRIM_HORIZON",
                       poll_interval: float = 1.0, stop_when_idle: bool = False, max_batches: int | None = None,
                       retry_attempts: int = 2, function_name: str = "local-stream-handler",
                       dynamodb_client: Any = None, streams_client: Any = None) -> RunSummary:
    """Call `handler(event, context)` with batches of `table`'s stream until stopped.

    Stops when idle if `stop_when_idle`, after `max_batches`, or on KeyboardInterrupt.
    A failing batch is retried `retry_attempts` times, then HandlerFailed is raised (the
    checkpoint keeps the position, so the next run retries it again).
    """
    session = _session(endpoint_url, region_name)
    dynamodb = dynamodb_client or session.client("dynamodb", endpoint_url=endpoint_url)
    streams = streams_client or session.client("dynamodbstreams", endpoint_url=endpoint_url)
    reader = StreamReader(table, dynamodb, streams, Checkpoint.load(checkpoint_file), starting_position, batch_size)
    summary = RunSummary()
    failures = 0
    try:
        while max_batches is None or summary.batches < max_batches:
            batch = reader.read_batch()
            if batch is None:
                if stop_when_idle:
                    break
                time.sleep(poll_interval)
                continue
            arn = reader.checkpoint.stream_arn or ""
            event = {"Records": [lambda_record(r, arn) for r in batch.records]}
            try:
                handled = _handled_count(handler(event, LambdaContext(function_name)), batch)
                error: BaseException | None = None
            except Exception as exc:  # the handler's own failure: retry, as Lambda does
                handled, error = 0, exc
            if handled:
                reader.commit(batch, handled)
            else:
                reader.rewind(batch)
            summary.records += handled
            if handled == len(batch.records):
                summary.batches += 1
                failures = 0
                continue
            failures += 1
            if failures > retry_attempts:
                raise HandlerFailed(f"handler failed {failures} times on shard {batch.shard_id} at sequence "
                                    f"{batch.records[handled]['dynamodb']['SequenceNumber']}") from error
    except KeyboardInterrupt:
        pass
    return summary
