"""ExecuteStatement, BatchExecuteStatement and ExecuteTransaction on the wire."""
from __future__ import annotations

from typing import Any

from jobtable.api.ops.batches import with_capacity_list
from jobtable.api.ops.common import return_old_on_failure, with_capacity
from jobtable.api.ops.transactions import request_fingerprint
from jobtable.api.protocol import RequestContext
from jobtable.engine.partiql import execute
from jobtable.engine.values import validate_value


def _parameters(request: dict) -> list[dict]:
    return [validate_value(p) for p in request.get("Parameters") or []]


def execute_statement(req: dict, ctx: RequestContext) -> dict:
    result = execute.execute_statement(
        ctx.engine, req["Statement"], _parameters(req), consistent=bool(req.get("ConsistentRead")),
        limit=req.get("Limit"), next_token=req.get("NextToken"), return_old_on_failure=return_old_on_failure(req))
    out: dict[str, Any] = {"Items": result.items}
    if result.next_token is not None:
        out["NextToken"] = result.next_token
        out["LastEvaluatedKey"] = result.last_evaluated_key
    if result.consumed is not None:
        with_capacity(out, req, ctx, result.consumed)
    return out


def batch_execute_statement(req: dict, ctx: RequestContext) -> dict:
    statements = [{**s, "Parameters": _parameters(s)} for s in req["Statements"]]
    responses, consumed = execute.batch_execute(ctx.engine, statements)
    out: dict[str, Any] = {"Responses": responses}
    return with_capacity_list(out, req, ctx, consumed)


def execute_transaction(req: dict, ctx: RequestContext) -> dict:
    statements = [{**s, "Parameters": _parameters(s)} for s in req["TransactStatements"]]
    responses, consumed = execute.execute_transaction(ctx.engine, statements, req.get("ClientRequestToken"),
                                                      request_fingerprint(req))
    out: dict[str, Any] = {"Responses": responses}
    return with_capacity_list(out, req, ctx, consumed)


OPERATIONS = {
    "ExecuteStatement": execute_statement,
    "BatchExecuteStatement": batch_execute_statement,
    "ExecuteTransaction": execute_transaction,
}
