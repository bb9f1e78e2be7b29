"""Consume DynamoDB Streams locally or on AWS (boto3 only): a reader and a Lambda-style runner.

    from jobtable.streams import run_lambda_handler

    def handler(event, context):
        for record in event["Records"]:
            print(record["eventName"], record["dynamodb"]["Keys"])

    run_lambda_handler(handler, "CloudToolsJobs", endpoint_url="http://127.0.0.1:8000",
                       checkpoint_file=".stream-checkpoint.json")
"""
from __future__ import annotations

from jobtable.streams.lambda_runner import HandlerFailed, LambdaContext, RunSummary, lambda_record, run_lambda_handler
from jobtable.streams.reader import Batch, Checkpoint, StreamReader

__all__ = ["Batch", "Checkpoint", "HandlerFailed", "LambdaContext", "RunSummary", "StreamReader", "lambda_record",
           "run_lambda_handler"]
