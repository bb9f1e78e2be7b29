"""`jobtable streams tail TABLE`: print a table's stream records as they arrive (boto3 only)."""
from __future__ import annotations

import json
import time
from typing import Any

import click

from jobtable.cli.common import Target, friendly_errors, output_option, target_options
from jobtable.streams.lambda_runner import lambda_record
from jobtable.streams.reader import Checkpoint, StreamReader


def _describe_keys(keys: dict) -> str:
    parts = []
    for name, value in keys.items():
        (kind, raw), = value.items()
        parts.append(f"{name}={raw if kind in ('S', 'N') else json.dumps(raw, default=str)}")
    return " ".join(parts)


def format_record(record: dict) -> str:
    """One line per record: time, event, keys, sequence number, and who (TTL) made it."""
    body = record["dynamodb"]
    when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(body["ApproximateCreationDateTime"]))
    line = f"{when}  {record['eventName']:<6}  {_describe_keys(body.get('Keys', {}))}  seq={body['SequenceNumber']}"
    if record.get("userIdentity", {}).get("principalId") == "dynamodb.amazonaws.com":
        line += "  (expired: deleted by TTL)"
    return line


@click.group()
def streams() -> None:
    """Read DynamoDB Streams (from a local jobtable endpoint or AWS)."""


@streams.command()
@click.argument("table")
@click.option("--from", "start", type=click.Choice(["latest", "trim-horizon"]), default="latest",
              show_default=True, help="Start with new records only, or with the oldest retained (24 h).")
@click.option("--follow/--no-follow", default=True, show_default=True,
              help="Keep waiting for new records, or exit once caught up.")
@click.option("--interval", default=1.0, show_default=True, type=float, help="Seconds between polls when idle.")
@click.option("--checkpoint", "checkpoint_file", type=click.Path(dir_okay=False), default=None,
              help="Remember the position in this file and resume from it next time.")
@output_option
@target_options
@friendly_errors
def tail(table: str, start: str, follow: bool, interval: float, checkpoint_file: str | None, output: str,
         target: Target) -> None:
    """Print TABLE's stream records as they arrive.

    \b
    Examples:
      jobtable streams tail CloudToolsJobs
      jobtable streams tail CloudToolsJobs --from trim-horizon --no-follow -o json
    """
    reader = StreamReader(table, target.client("dynamodb"), target.client("dynamodbstreams"),
                          Checkpoint.load(checkpoint_file), start.upper().replace("-", "_"))
    try:
        while True:
            batch = reader.read_batch()
            if batch is None:
                if not follow:
                    return
                time.sleep(interval)
                continue
            for record in batch.records:
                _echo(lambda_record(record, reader.checkpoint.stream_arn or ""), output)
            reader.commit(batch)
    except KeyboardInterrupt:
        pass


def _echo(record: dict[str, Any], output: str) -> None:
    if output == "json":
        click.echo(json.dumps(record, default=str, ensure_ascii=False))
    else:
        click.echo(format_record(record))


def register(cli: click.Group) -> None:
    cli.add_command(streams)
