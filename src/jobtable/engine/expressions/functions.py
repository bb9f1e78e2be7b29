"""Which functions exist, where each may appear, and how many operands each takes."""
from __future__ import annotations

from . import ast
from .messages import invalid, requires_path, wrong_operand_count

# Functions that are conditions by themselves (name -> operand count).
CONDITION_FUNCTIONS = {
    "attribute_exists": 1,
    "attribute_not_exists": 1,
    "attribute_type": 2,
    "begins_with": 2,
    "contains": 2,
}
# Functions that yield a value usable as a comparison operand.
OPERAND_FUNCTIONS = {"size": 1}
# Functions of UpdateExpression SET values.
UPDATE_FUNCTIONS = {"if_not_exists": 2, "list_append": 2}

ATTRIBUTE_TYPES = ("S", "SS", "N", "NS", "B", "BS", "BOOL", "NULL", "L", "M")
# The order DynamoDB lists them in its error message.
ATTRIBUTE_TYPES_MESSAGE = "{B,NULL,SS,BOOL,L,BS,N,NS,S,M}"
# What DynamoDB prints as the "operand type" of an operand whose type is not a constant.
ANY_TYPE_MESSAGE = "{NS,SS,L,BS,N,M,B,BOOL,NULL,S}"
# The type a function call yields, where it is known before evaluation.
RESULT_TYPES = {"size": "N"}

_ALL = CONDITION_FUNCTIONS | OPERAND_FUNCTIONS | UPDATE_FUNCTIONS


def check_call(call: ast.Call, kind: str) -> None:
    """A known function name (case-sensitive), the right operand count, paths where needed."""
    expected = _ALL.get(call.name)
    if expected is None:
        raise invalid(kind, f"Invalid function name; function: {call.name}")
    if len(call.args) != expected:
        raise wrong_operand_count(kind, call.name, len(call.args))
    if call.name in ("attribute_exists", "attribute_not_exists", "if_not_exists"):
        if not isinstance(call.args[0], ast.Path):
            raise requires_path(kind, call.name)
