"""The least-privilege IAM policy for code that uses the job table.

Exactly the actions the jobs layer calls, on the table and its indexes; the Terraform module's
`iam_policy_json` output renders the same document.
"""
from __future__ import annotations

from typing import Any

JOB_ACTIONS = (
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:Query",
    "dynamodb:Scan",
)


def iam_policy_document(table_arn: str, actions: tuple[str, ...] = JOB_ACTIONS) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "JobTableAccess",
            "Effect": "Allow",
            "Action": list(actions),
            "Resource": [table_arn, f"{table_arn}/index/*"],
        }],
    }
