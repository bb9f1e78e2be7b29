"""STS (query protocol, Version=2011-06-15): GetCallerIdentity, which Terraform's AWS
provider uses to learn the account id (when IAM GetUser is not enough)."""
from __future__ import annotations

from typing import Any

from jobtable.api.aws.iam import account_id, caller_name, unique_id
from jobtable.api.aws.query import Action, QueryResponse, serve

SERVICE = "sts"


def get_caller_identity(request: dict[str, Any], context: Any) -> dict[str, Any]:
    name = caller_name(context)
    return {"UserId": unique_id("AIDA", name), "Account": account_id(context),
            "Arn": f"arn:aws:iam::{account_id(context)}:user/{name}"}


ACTIONS: dict[str, Action] = {"GetCallerIdentity": get_caller_identity}


def handle_query(action: str, params: dict[str, str], context: Any) -> QueryResponse:
    """Serve one STS query request: (status, headers, XML body)."""
    return serve(SERVICE, ACTIONS, action, params, context)
