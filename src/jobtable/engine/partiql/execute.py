"""ExecuteStatement, BatchExecuteStatement and ExecuteTransaction over the engine.

Statements run through the same engine paths as the item, query and transaction APIs:
`read_page` for SELECT, `items.put_item/update_item/delete_item` for single writes and
`transactions.transact_write/transact_get` for ExecuteTransaction.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional, Sequence

import orjson

from jobtable.engine import items, transactions
from jobtable.engine.batches import consumed_for
from jobtable.engine.capacity import Consumed, read_units
from jobtable.engine.errors import (ConditionalCheckFailedException, DuplicateItemException, DynamoError,
                                    ValidationException, cancellation_code)
from jobtable.engine.reads import read_page
from jobtable.engine.writes import encoded_key

from . import nodes
from .literals import PARAMETER_COUNT
from .plans import DUPLICATE_ITEM, INCOMPLETE_KEY, key_read, read_request, write_action
from .syntax import parse

if TYPE_CHECKING:
    from jobtable.engine.engine import Engine

MIXED = "Statements must be either all reads or all writes"
TX_KEY = "Select statements within ExecuteTransaction must specify the primary key in the where clause."
TX_INDEX = "Reads on indices are not supported within transactions."



@dataclass
class StatementResult:
    items: list[Any] = field(default_factory=list)
    next_token: Optional[str] = None
    last_evaluated_key: Optional[dict] = None
    consumed: Optional[Consumed] = None


def prepare(text: str, params: Sequence[dict]) -> nodes.Statement:
    statement, needed = parse(text)
    if needed > len(params):
        raise ValidationException(PARAMETER_COUNT)
    return statement


# ---------------------------------------------------------------- ExecuteStatement


def execute_statement(engine: "Engine", text: str, params: Sequence[dict], *, consistent: bool = False,
                      limit: Optional[int] = None, next_token: Optional[str] = None,
                      return_old_on_failure: bool = False) -> StatementResult:
    statement = prepare(text, params)
    if isinstance(statement, nodes.Exists):
        raise ValidationException("EXISTS can only be used in ExecuteTransaction write requests.")
    if isinstance(statement, nodes.Select):
        return _select(engine, statement, text, params, consistent, limit, next_token)
    attributes, consumed = run_write(engine, statement, params, return_old_on_failure)
    return StatementResult(items=attributes if attributes is not None else [], consumed=consumed)


def _select(engine: "Engine", select: nodes.Select, text: str, params: Sequence[dict], consistent: bool,
            limit: Optional[int], next_token: Optional[str]) -> StatementResult:
    request = read_request(engine, select, params)
    if consistent and request.index is not None and request.index.kind == "GSI":
        raise ValidationException("Strongly consistent read is not supported on Global Secondary Indexes")
    request.consistent = consistent
    request.limit = limit
    fingerprint = _fingerprint(text, params)
    if next_token is not None:
        request.exclusive_start_key = _decode_token(next_token, fingerprint)
    page = read_page(engine, request)
    result = StatementResult(items=page.items, consumed=page.consumed)
    if page.last_evaluated_key is not None:
        result.last_evaluated_key = page.last_evaluated_key
        result.next_token = _encode_token(page.last_evaluated_key, fingerprint)
    return result


def _fingerprint(text: str, params: Sequence[dict]) -> str:
    return hashlib.sha256(text.encode() + orjson.dumps(list(params), option=orjson.OPT_SORT_KEYS)).hexdigest()[:32]


def _encode_token(key: dict, fingerprint: str) -> str:
    return base64.urlsafe_b64encode(orjson.dumps({"k": key, "f": fingerprint})).decode()


def _decode_token(token: str, fingerprint: str) -> dict:
    try:
        data = orjson.loads(base64.urlsafe_b64decode(token.encode()))
        key, owner = data["k"], data["f"]
    except (binascii.Error, ValueError, TypeError, KeyError, orjson.JSONDecodeError):
        raise ValidationException("Invalid NextToken") from None
    if owner != fingerprint:
        raise ValidationException("NextToken does not match request")
    return key


def run_write(engine: "Engine", statement: nodes.Statement, params: Sequence[dict],
              return_old_on_failure: bool) -> tuple[Optional[list], Consumed]:
    """One INSERT/UPDATE/DELETE through the item write paths; the RETURNING items, if asked."""
    returning = getattr(statement, "returning", None)
    if isinstance(statement, nodes.Delete) and returning not in (None, "ALL OLD"):
        raise ValidationException(f"Invalid returning clause: RETURNING {returning} *. Only RETURNING ALL OLD * "
                                  "is allowed in DELETE statements.")
    action = write_action(engine, statement, params, return_old_on_failure)
    if action.kind == "Put":
        try:
            outcome = items.put_item(engine, action.meta, action.item, action.condition)  # type: ignore[arg-type]
        except ConditionalCheckFailedException:
            raise DuplicateItemException(DUPLICATE_ITEM) from None
    elif action.kind == "Update":
        outcome = items.update_item(engine, action.meta, action.key, action.update, action.condition,
                                    return_old_on_failure)
    else:
        outcome = items.delete_item(engine, action.meta, action.key, action.condition, return_old_on_failure)
    if returning is None:
        return None, outcome.consumed
    attributes = _returned(returning, action, outcome.old, outcome.new)
    return ([attributes] if attributes else []), outcome.consumed


def _returned(returning: str, action: transactions.WriteAction, old: Optional[dict],
              new: Optional[dict]) -> Optional[dict]:
    scope, age = returning.split()
    item = old if age == "OLD" else new
    if scope == "ALL" or item is None or action.update is None:
        return item
    return action.update.project_updated(item)


# ---------------------------------------------------------------- BatchExecuteStatement


def batch_execute(engine: "Engine", requests: Sequence[dict]) -> tuple[list[dict], dict[str, Consumed]]:
    """Run each statement on its own; a failing one gets an Error entry, the others still run."""
    prepared: list[Any] = []
    for request in requests:
        try:
            prepared.append(prepare(request["Statement"], request.get("Parameters") or []))
        except DynamoError as error:
            prepared.append(error)
    kinds = {nodes.is_read(s) for s in prepared if not isinstance(s, DynamoError)}
    if len(kinds) > 1:
        raise ValidationException(MIXED)
    responses: list[dict] = []
    consumed: dict[str, Consumed] = {}
    for request, statement in zip(requests, prepared):
        if isinstance(statement, DynamoError):
            responses.append({"Error": _error_entry(statement)})
            continue
        table = nodes.table_of(statement)
        try:
            response = _batch_one(engine, statement, request, consumed)
        except DynamoError as error:
            response = {"Error": _error_entry(error)}
        response["TableName"] = table
        responses.append(response)
    return responses, consumed


def _batch_one(engine: "Engine", statement: nodes.Statement, request: dict, consumed: dict[str, Consumed]) -> dict:
    params = request.get("Parameters") or []
    if isinstance(statement, nodes.Exists):
        raise ValidationException("EXISTS can only be used in ExecuteTransaction write requests.")
    if isinstance(statement, nodes.Select):
        read = key_read(engine, statement, params)
        consistent = bool(request.get("ConsistentRead"))
        with engine.storage.read() as c:
            row = c.execute(f"SELECT doc, size FROM {read.meta.items_table} WHERE pk=? AND sk=?",
                            encoded_key(read.meta, read.key)).fetchone()
        consumed.setdefault(read.meta.name, consumed_for(read.meta)).read += read_units(row[1] if row else 0,
                                                                                      consistent)
        item = orjson.loads(row[0]) if row else None
        if item is None or (read.condition is not None and not read.condition.evaluate(item)):
            return {}
        return {"Item": read.projection.apply(item) if read.projection else item}
    old_on_failure = request.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD"
    attributes, used = run_write(engine, statement, params, old_on_failure)
    consumed.setdefault(used.table, Consumed(used.table, gsi_names=used.gsi_names)).merge(used)
    return {"Item": attributes[0]} if attributes else {}


def _error_entry(error: DynamoError) -> dict:
    entry: dict[str, Any] = {"Code": cancellation_code(error),
                             "Message": error.message}
    if "Item" in error.extra:
        entry["Item"] = error.extra["Item"]
    return entry


# ---------------------------------------------------------------- ExecuteTransaction


def execute_transaction(engine: "Engine", requests: Sequence[dict], token: Optional[str] = None,
                        fingerprint: str = "") -> tuple[list[dict], dict[str, Consumed]]:
    """All reads (a snapshot, one response per statement) or all writes (all or nothing)."""
    statements = []
    for index, request in enumerate(requests):
        with _in_statement(index):
            statement = prepare(request["Statement"], request.get("Parameters") or [])
            if getattr(statement, "returning", None) is not None:
                raise ValidationException("RETURNING clause is not supported in ExecuteTransaction.")
        statements.append(statement)
    if len({nodes.is_read(s) for s in statements}) > 1:
        raise ValidationException(MIXED)
    if nodes.is_read(statements[0]):
        return _read_transaction(engine, requests, statements)
    actions = []
    for index, (request, statement) in enumerate(zip(requests, statements)):
        with _in_statement(index):
            old_on_failure = request.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD"
            actions.append(write_action(engine, statement, request.get("Parameters") or [], old_on_failure))
    outcome = transactions.transact_write(engine, actions, token, fingerprint)
    return [], outcome.consumed


def _read_transaction(engine: "Engine", requests: Sequence[dict],
                      statements: list) -> tuple[list[dict], dict[str, Consumed]]:
    reads = []
    for index, (request, select) in enumerate(zip(requests, statements)):
        with _in_statement(index):
            if select.source.index is not None:
                raise ValidationException(TX_INDEX)
            try:
                reads.append(key_read(engine, select, request.get("Parameters") or []))
            except ValidationException as error:
                if error.message == INCOMPLETE_KEY:
                    raise ValidationException(TX_KEY) from None
                raise
    gets = [transactions.GetAction(r.meta, r.key, _WHOLE_ITEM) for r in reads]
    found, consumed = transactions.transact_get(engine, gets)
    responses = []
    for read, document in zip(reads, found):
        if document is None or (read.condition is not None and not read.condition.evaluate(document)):
            responses.append({})
        else:
            responses.append({"Item": read.projection.apply(document) if read.projection else document})
    return responses, consumed


class _WholeItem:
    """A projection that keeps every attribute (the WHERE is checked before projecting)."""

    top_level_names: frozenset = frozenset()

    def apply(self, item: dict) -> dict:
        return item


_WHOLE_ITEM: Any = _WholeItem()


class _in_statement:  # noqa: N801 - used as a context manager, reads as a phrase
    """Prefix validation errors with the statement's position, as DynamoDB does."""

    def __init__(self, index: int) -> None:
        self.index = index

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, error: Any, traceback: Any) -> bool:
        if isinstance(error, ValidationException) and not error.message.startswith("Validation failed in"):
            raise ValidationException(f"Validation failed in TransactStatements[{self.index}]: {error.message}") \
                from None
        return False
