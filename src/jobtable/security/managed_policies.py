"""The AWS managed policies jobtable knows by ARN, so `attach-policy` can name them.

Only their effect is reproduced (the statements that matter here), not AWS's full text.
"""
from __future__ import annotations

from typing import Any

_DYNAMODB_READ_ACTIONS = [
    "dynamodb:BatchGetItem", "dynamodb:ConditionCheckItem", "dynamodb:Describe*", "dynamodb:GetItem",
    "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:List*", "dynamodb:PartiQLSelect",
    "dynamodb:Query", "dynamodb:Scan", "cloudwatch:DescribeAlarms", "cloudwatch:GetMetricData",
    "cloudwatch:GetMetricStatistics", "cloudwatch:ListMetrics",
]

AWS_MANAGED: dict[str, dict[str, Any]] = {
    "arn:aws:iam::aws:policy/AdministratorAccess": {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    },
    "arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess": {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow",
                       "Action": ["dynamodb:*", "cloudwatch:*", "application-autoscaling:*",
                                  "iam:GetRole", "iam:ListRoles"],
                       "Resource": "*"}],
    },
    "arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess": {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": _DYNAMODB_READ_ACTIONS, "Resource": "*"}],
    },
}


def is_aws_managed(arn: str) -> bool:
    return arn.startswith("arn:aws:iam::aws:policy/")
