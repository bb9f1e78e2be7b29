"""The pre-expression parameters, translated into the same compiled expressions.

Older SDKs, ORMs and scripts still send Expected, AttributeUpdates, AttributesToGet,
KeyConditions, QueryFilter, ScanFilter and ConditionalOperator. Each is validated with
DynamoDB's own messages, turned into an expression tree (`ExpressionBuilder`) and compiled
by the expression machinery, so there is no second evaluator:

    Expected {a: {Value: v}}                 ->  #a = :v
    Expected {a: {Exists: false}}            ->  attribute_not_exists(#a)
    {ComparisonOperator: NOT_CONTAINS, ...}  ->  NOT contains(#a, :v)
    AttributeUpdates {a: {Action: ADD, ...}} ->  ADD #a :v
    AttributesToGet [a, b]                   ->  #a, #b

Mixing them with expression parameters is rejected with DynamoDB's message.
"""
from __future__ import annotations

from typing import Any, Callable, Optional

from jobtable.engine.errors import ValidationException
from jobtable.engine.expressions import Condition, KeyCondition, Projection, Update, ast
from jobtable.engine.expressions.builder import ExpressionBuilder, all_of, any_of, negated
from jobtable.engine.expressions.documents import compare_bounds
from jobtable.engine.values import validate_value

LEGACY_FOR = {
    "Expected": "ConditionExpression",
    "AttributeUpdates": "UpdateExpression",
    "AttributesToGet": "ProjectionExpression",
    "KeyConditions": "KeyConditionExpression",
    "QueryFilter": "FilterExpression",
    "ScanFilter": "FilterExpression",
    "ConditionalOperator": None,
}
EXPRESSIONS = ("ProjectionExpression", "FilterExpression", "ConditionExpression", "UpdateExpression",
               "KeyConditionExpression")
INVALID = "One or more parameter values were invalid: "

# How many values each ComparisonOperator takes (None: one or more) and of which types.
SCALARS = ("S", "N", "B")
ARGUMENTS: dict[str, tuple[Optional[int], Optional[tuple[str, ...]]]] = {
    "EQ": (1, None), "NE": (1, None),
    "LE": (1, SCALARS), "LT": (1, SCALARS), "GE": (1, SCALARS), "GT": (1, SCALARS),
    "NOT_NULL": (0, None), "NULL": (0, None),
    "CONTAINS": (1, SCALARS), "NOT_CONTAINS": (1, SCALARS),
    "BEGINS_WITH": (1, ("S", "B")),
    "IN": (None, SCALARS),
    "BETWEEN": (2, SCALARS),
}
COMPARATORS = {"EQ": "=", "NE": "<>", "LE": "<=", "LT": "<", "GE": ">=", "GT": ">"}
KEY_OPERATORS = ("EQ", "LE", "LT", "GE", "GT", "BEGINS_WITH", "BETWEEN")
SET_TYPES = ("SS", "NS", "BS")


def reject_mixed(req: dict) -> None:
    legacy = [k for k in LEGACY_FOR if req.get(k) is not None]
    modern = [k for k in EXPRESSIONS if req.get(k) is not None]
    if legacy and modern:
        raise ValidationException(
            "Can not use both expression and non-expression parameters in the same request: "
            f"Non-expression parameters: {{{', '.join(legacy)}}} Expression parameters: {{{', '.join(modern)}}}")


# ---------------------------------------------------------------- conditions


def expected_condition(req: dict, ectx: Any = None) -> Optional[Condition]:
    """Expected (+ ConditionalOperator) as a ConditionExpression; None when absent."""
    expected = req.get("Expected")
    operator = _conditional_operator(req, expected)
    if not expected:
        return None
    b = ExpressionBuilder()
    terms = [_expected_term(b, name, spec) for name, spec in expected.items()]
    return b.condition(_joined(terms, operator), "ConditionExpression")


def query_or_scan_filter(req: dict, ectx: Any = None) -> Optional[Condition]:
    """QueryFilter or ScanFilter (+ ConditionalOperator) as a FilterExpression."""
    filters = req.get("QueryFilter") if req.get("QueryFilter") is not None else req.get("ScanFilter")
    operator = _conditional_operator(req, filters)
    if not filters:
        return None
    b = ExpressionBuilder()
    terms = []
    for name, spec in filters.items():
        values = _values(spec.get("AttributeValueList"))
        terms.append(_comparison(b, spec["ComparisonOperator"], b.path(name), values))
    return b.condition(_joined(terms, operator), "FilterExpression")


def _conditional_operator(req: dict, conditions: Optional[dict]) -> str:
    operator = req.get("ConditionalOperator")
    if operator is not None:
        if conditions is None:
            raise ValidationException("ConditionalOperator cannot be used without Filter or Expected")
        if len(conditions) < 2:
            raise ValidationException("ConditionalOperator can only be used when Filter or Expected has two or "
                                      "more elements")
    return operator or "AND"


def _joined(terms: list[ast.Condition], operator: str) -> ast.Condition:
    return any_of(terms) if operator == "OR" else all_of(terms)


def _expected_term(b: ExpressionBuilder, name: str, spec: dict) -> ast.Condition:
    exists = spec.get("Exists")
    value = spec.get("Value")
    value_list = spec.get("AttributeValueList")
    operator = spec.get("ComparisonOperator")
    path = b.path(name)
    if operator is not None:
        if exists is not None:
            raise ValidationException(f"{INVALID}Exists and ComparisonOperator cannot be used together for "
                                      f"Attribute: {name}")
        if value is not None and value_list is not None:
            raise ValidationException(f"{INVALID}Value and AttributeValueList cannot be used together for "
                                      f"Attribute: {name}")
        if value is None and value_list is None and ARGUMENTS[operator][0] != 0:
            raise ValidationException(f"{INVALID}Value or AttributeValueList must be used with "
                                      f"ComparisonOperator: {operator} for Attribute: {name}")
        values = _values(value_list if value_list is not None else ([value] if value is not None else []))
        return _comparison(b, operator, path, values)
    if value_list is not None:
        raise ValidationException(f"{INVALID}AttributeValueList can only be used with a ComparisonOperator for "
                                  f"Attribute: {name}")
    if exists is False:
        if value is not None:
            raise ValidationException(f"{INVALID}Value cannot be used when Exists is false for Attribute: {name}")
        return ast.Call("attribute_not_exists", (path,))
    if value is None:
        state = "null" if exists is None else "true"
        raise ValidationException(f"{INVALID}Value must be provided when Exists is {state} for Attribute: {name}")
    return ast.Compare("=", path, b.value(validate_value(value)))


def _values(raw: Optional[list]) -> list[dict]:
    return [validate_value(v) for v in (raw or [])]


def _check_arguments(operator: str, values: list[dict]) -> None:
    count, types = ARGUMENTS[operator]
    if (count is None and not values) or (count is not None and len(values) != count):
        raise ValidationException(f"{INVALID}Invalid number of argument(s) for the {operator} ComparisonOperator")
    if types is not None:
        for value in values:
            tag = next(iter(value))
            if tag not in types:
                raise ValidationException(f"{INVALID}ComparisonOperator {operator} is not valid for {tag} "
                                          "AttributeValue type")
    if operator in ("BETWEEN", "IN") and len({next(iter(v)) for v in values}) > 1:
        raise ValidationException(f"{INVALID}AttributeValues inside AttributeValueList must be of same type")
    if operator == "BETWEEN" and not compare_bounds(values[0], values[1]):
        raise ValidationException("The BETWEEN condition was provided a range where the lower bound is greater "
                                  "than the upper bound")


def _comparison(b: ExpressionBuilder, operator: str, path: ast.Path, values: list[dict]) -> ast.Condition:
    """One legacy ComparisonOperator as an expression condition."""
    _check_arguments(operator, values)
    refs = [b.value(v) for v in values]
    if operator in COMPARATORS:
        return ast.Compare(COMPARATORS[operator], path, refs[0])
    builders: dict[str, Callable[[], ast.Condition]] = {
        "NULL": lambda: ast.Call("attribute_not_exists", (path,)),
        "NOT_NULL": lambda: ast.Call("attribute_exists", (path,)),
        "CONTAINS": lambda: ast.Call("contains", (path, refs[0])),
        "NOT_CONTAINS": lambda: negated(ast.Call("contains", (path, refs[0]))),
        "BEGINS_WITH": lambda: ast.Call("begins_with", (path, refs[0])),
        "IN": lambda: ast.In(path, tuple(refs)),
        "BETWEEN": lambda: ast.Between(path, refs[0], refs[1]),
    }
    return builders[operator]()


# ---------------------------------------------------------------- key conditions


def key_conditions(req: dict, ectx: Any, hash_key: str, range_key: Optional[str]) -> Optional[KeyCondition]:
    """KeyConditions as a KeyConditionExpression; None when absent."""
    conditions = req.get("KeyConditions")
    if conditions is None:
        return None
    if not conditions or len(conditions) > 2:
        raise ValidationException("Conditions can be of length 1 or 2 only")
    for spec in conditions.values():
        if spec["ComparisonOperator"] not in KEY_OPERATORS:
            raise ValidationException("Attempted conditional constraint is not an indexable operation")
    if hash_key not in conditions:
        raise ValidationException(f"Query condition missed key schema element: {hash_key}")
    if conditions[hash_key]["ComparisonOperator"] != "EQ":
        raise ValidationException("Query key condition not supported")
    others = [name for name in conditions if name != hash_key]
    if others and others[0] != range_key:
        if range_key is None:
            raise ValidationException("Query key condition not supported")
        raise ValidationException(f"Query condition missed key schema element: {range_key}")
    b = ExpressionBuilder()
    terms = []
    for name, spec in conditions.items():
        values = _values(spec.get("AttributeValueList"))
        terms.append(_comparison(b, spec["ComparisonOperator"], b.path(name), values))
    return b.key_condition(all_of(terms), hash_key, range_key)


# ---------------------------------------------------------------- updates and projections


def attribute_updates(req: dict, ectx: Any = None) -> Optional[Update]:
    """AttributeUpdates as an UpdateExpression (PUT -> SET, ADD -> ADD, DELETE -> REMOVE/DELETE)."""
    updates = req.get("AttributeUpdates")
    if not updates:
        return None
    b = ExpressionBuilder()
    sections: dict[str, list[ast.Action]] = {"SET": [], "REMOVE": [], "ADD": [], "DELETE": []}
    for name, spec in updates.items():
        action = spec.get("Action") or "PUT"
        value = spec.get("Value")
        path = b.path(name)
        if value is None:
            if action != "DELETE":
                raise ValidationException(f"{INVALID}Only DELETE action is allowed when no attribute value is "
                                          "specified")
            sections["REMOVE"].append(ast.RemoveAction(path))
            continue
        value = validate_value(value)
        tag = next(iter(value))
        if action == "PUT":
            sections["SET"].append(ast.SetAction(path, b.value(value)))
        elif action == "ADD":
            if tag not in ("N",) + SET_TYPES:
                raise ValidationException(f"{INVALID}ADD action is not supported for the type {tag}")
            sections["ADD"].append(ast.AddAction(path, b.value(value)))
        else:
            if tag not in SET_TYPES:
                raise ValidationException(f"{INVALID}DELETE action with value is not supported for the type {tag}")
            sections["DELETE"].append(ast.DeleteAction(path, b.value(value)))
    return b.update([ast.Section(keyword, tuple(actions)) for keyword, actions in sections.items() if actions])


def attributes_to_get(req: dict) -> Optional[Projection]:
    """AttributesToGet as a ProjectionExpression of top-level attributes."""
    names = req.get("AttributesToGet")
    if names is None:
        return None
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ValidationException(f"{INVALID}Duplicate value in attribute name: {name}")
        seen.add(name)
    b = ExpressionBuilder()
    return b.projection([b.path(name) for name in names])
