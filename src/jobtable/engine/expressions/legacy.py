"""The pre-expression parameters, compiled into the same objects as expressions.

Expected, QueryFilter/ScanFilter (with ConditionalOperator), KeyConditions,
AttributeUpdates and AttributesToGet. Conditions are rebuilt as expression trees and
compiled by the condition compiler, so both forms evaluate identically; the validation
and its wording are the legacy API's own ("One or more parameter values were invalid: ...").
"""
from __future__ import annotations

from functools import reduce
from typing import Iterable, Optional

from jobtable.engine.errors import ValidationException
from jobtable.engine.numbers import add_numbers

from . import ast, documents
from .conditions import Condition, ConditionCompiler
from .key_conditions import KeyCondition
from .projection import Projection, project

INVALID = "One or more parameter values were invalid: "
# Operand counts (None: one or more) and the value types each comparison operator accepts.
ARGUMENT_COUNTS = {
    "EQ": 1, "NE": 1, "LE": 1, "LT": 1, "GE": 1, "GT": 1, "CONTAINS": 1, "NOT_CONTAINS": 1,
    "BEGINS_WITH": 1, "NULL": 0, "NOT_NULL": 0, "IN": None, "BETWEEN": 2,
}
_SCALARS = ("S", "N", "B")
ALLOWED_TYPES = {
    "EQ": _SCALARS + ("SS", "NS", "BS"), "NE": _SCALARS + ("SS", "NS", "BS"),
    "LE": _SCALARS, "LT": _SCALARS, "GE": _SCALARS, "GT": _SCALARS,
    "CONTAINS": _SCALARS, "NOT_CONTAINS": _SCALARS, "BEGINS_WITH": ("S", "B"),
    "IN": _SCALARS, "BETWEEN": _SCALARS,
}
_COMPARISONS = {"EQ": "=", "NE": "<>", "LE": "<=", "LT": "<", "GE": ">=", "GT": ">"}
_NOT_INDEXABLE = ("NE", "NULL", "NOT_NULL", "CONTAINS", "NOT_CONTAINS", "IN")
TYPE_MISMATCH = "Type mismatch for attribute to update"


def check_comparison(operator: str, values: list[dict], *, check_types: bool = True) -> None:
    """Operand count, one type for all operands, types the operator accepts, BETWEEN order."""
    if operator not in ARGUMENT_COUNTS:
        raise ValidationException(f"{INVALID}Unsupported ComparisonOperator: {operator}")
    expected = ARGUMENT_COUNTS[operator]
    if (expected is None and not values) or (expected is not None and len(values) != expected):
        raise ValidationException(f"{INVALID}Invalid number of argument(s) for the {operator} ComparisonOperator")
    tags = [documents.type_of(value) for value in values]
    if len(set(tags)) > 1:
        raise ValidationException(f"{INVALID}AttributeValues inside AttributeValueList must be of same type")
    if check_types:
        for tag in tags:
            if tag not in ALLOWED_TYPES[operator]:
                raise ValidationException(
                    f"{INVALID}ComparisonOperator {operator} is not valid for {tag} AttributeValue type"
                )
    if operator == "BETWEEN" and not documents.compare_bounds(values[0], values[1]):
        raise ValidationException(
            "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"
        )


class _TreeBuilder:
    """Builds one expression tree over #k placeholders (literal names: no reserved words)."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.values: dict[str, dict] = {}

    def predicate(self, name: str, operator: str, operands: list[dict]) -> ast.Condition:
        ref = f"#k{len(self.names)}"
        self.names[ref] = name
        path = ast.Path((ast.NameRef(ref),))
        refs = []
        for operand in operands:
            value_ref = f":k{len(self.values)}"
            self.values[value_ref] = operand
            refs.append(ast.ValueRef(value_ref))
        if operator in _COMPARISONS:
            return ast.Compare(_COMPARISONS[operator], path, refs[0])
        if operator == "NULL":
            return ast.Call("attribute_not_exists", (path,))
        if operator == "NOT_NULL":
            return ast.Call("attribute_exists", (path,))
        if operator == "CONTAINS":
            return ast.Call("contains", (path, refs[0]))
        if operator == "NOT_CONTAINS":
            return ast.Not(ast.Call("contains", (path, refs[0])))
        if operator == "BEGINS_WITH":
            return ast.Call("begins_with", (path, refs[0]))
        if operator == "IN":
            return ast.In(path, tuple(refs))
        return ast.Between(path, refs[0], refs[1])

    def compile(self, predicates: list[ast.Condition], conditional_operator: Optional[str]) -> Condition:
        join = ast.Or if conditional_operator == "OR" else ast.And
        tree = reduce(join, predicates)
        return Condition(ConditionCompiler("Expected", self.names).predicate(tree), self.values)


def condition_from_expected(expected: dict, conditional_operator: Optional[str] = None) -> Condition:
    """The Expected parameter of PutItem, UpdateItem and DeleteItem."""
    builder = _TreeBuilder()
    predicates = []
    for name, spec in expected.items():
        has_list, has_value = "AttributeValueList" in spec, spec.get("Value") is not None
        operator = spec.get("ComparisonOperator")
        if has_list and has_value:
            raise ValidationException(
                f"{INVALID}Value and AttributeValueList cannot be used together for Attribute: {name}"
            )
        if operator is not None:
            if spec.get("Exists") is not None:
                raise ValidationException(
                    f"{INVALID}Exists and ComparisonOperator cannot be used together for Attribute: {name}"
                )
            if operator not in ("NULL", "NOT_NULL") and not has_list and not has_value:
                raise ValidationException(
                    f"{INVALID}Value or AttributeValueList must be used with ComparisonOperator: "
                    f"{operator} for Attribute: {name}"
                )
            operands = spec.get("AttributeValueList") or ([spec["Value"]] if has_value else [])
            check_comparison(operator, operands, check_types=False)
        elif has_list:
            raise ValidationException(
                f"{INVALID}AttributeValueList can only be used with a ComparisonOperator for Attribute: {name}"
            )
        else:
            exists = spec.get("Exists")
            if exists is not False and not has_value:
                shown = "null" if exists is None else "true"
                raise ValidationException(
                    f"{INVALID}Value must be provided when Exists is {shown} for Attribute: {name}"
                )
            if exists is False and has_value:
                raise ValidationException(f"{INVALID}Value cannot be used when Exists is false for Attribute: {name}")
            operator, operands = ("EQ", [spec["Value"]]) if has_value else ("NULL", [])
        predicates.append(builder.predicate(name, operator, operands))
    return builder.compile(predicates, conditional_operator)


def condition_from_filter(conditions: dict, conditional_operator: Optional[str] = None) -> Condition:
    """QueryFilter or ScanFilter: {attribute: {ComparisonOperator, AttributeValueList}}."""
    builder = _TreeBuilder()
    predicates = []
    for name, spec in conditions.items():
        operator, operands = spec.get("ComparisonOperator"), spec.get("AttributeValueList") or []
        check_comparison(operator, operands)
        predicates.append(builder.predicate(name, operator, operands))
    return builder.compile(predicates, conditional_operator)


def key_condition_from_key_conditions(conditions: dict, hash_key: str, range_key: Optional[str]) -> KeyCondition:
    """The KeyConditions parameter of Query: EQ on the partition key, one sort key condition."""
    for spec in conditions.values():
        check_comparison(spec.get("ComparisonOperator"), spec.get("AttributeValueList") or [])
    if len(conditions) not in (1, 2):
        raise ValidationException("Conditions can be of length 1 or 2 only")
    if hash_key not in conditions:
        raise ValidationException(f"Query condition missed key schema element: {hash_key}")
    if len(conditions) == 2 and range_key not in conditions:
        if range_key is None:
            raise ValidationException("Query key condition not supported")
        raise ValidationException(f"Query condition missed key schema element: {range_key}")
    if any(spec["ComparisonOperator"] in _NOT_INDEXABLE for spec in conditions.values()):
        raise ValidationException("Attempted conditional constraint is not an indexable operation")
    hash_spec = conditions[hash_key]
    if hash_spec["ComparisonOperator"] != "EQ":
        raise ValidationException("Query key condition not supported")
    range_spec = conditions.get(range_key) if range_key is not None else None
    if range_spec is None:
        return KeyCondition(hash_spec["AttributeValueList"][0], None, ())
    return KeyCondition(
        hash_spec["AttributeValueList"][0], range_spec["ComparisonOperator"], tuple(range_spec["AttributeValueList"])
    )


def projection_from_attributes_to_get(names: Iterable[str]) -> Projection:
    """AttributesToGet: top-level attribute names, each at most once."""
    seen: dict[str, None] = {}
    for name in names:
        if name in seen:
            raise ValidationException(f"{INVALID}Duplicate value in attribute name: {name}")
        seen[name] = None
    return Projection(tuple((name,) for name in seen))


class LegacyUpdate:
    """AttributeUpdates with the interface of `Update` (apply, paths, project_updated)."""

    __slots__ = ("_actions", "paths", "top_level_names")

    def __init__(self, actions: list[tuple[str, str, Optional[dict]]]) -> None:
        self._actions = actions
        self.paths = [(name,) for name, _, _ in actions]
        self.top_level_names: frozenset[str] = frozenset(name for name, _, _ in actions)

    def apply(self, item: dict, *, item_exists: bool = True) -> dict:
        new = dict(item)
        for name, action, value in self._actions:
            if action == "PUT":
                new[name] = value
            elif action == "DELETE":
                _delete(new, name, value)
            else:
                _add(new, name, value)
        return new

    def project_updated(self, item: Optional[dict]) -> dict:
        return project(item, self.paths)


def update_from_attribute_updates(updates: dict) -> LegacyUpdate:
    """AttributeUpdates: {attribute: {Action: PUT|ADD|DELETE, Value}} (PUT by default)."""
    actions = []
    for name, spec in updates.items():
        action, value = spec.get("Action") or "PUT", spec.get("Value")
        if value is None and action != "DELETE":
            raise ValidationException(f"{INVALID}Only DELETE action is allowed when no attribute value is specified")
        tag = documents.type_of(value) if value is not None else None
        if action == "DELETE" and tag is not None and tag not in ("SS", "NS", "BS"):
            raise ValidationException(f"{INVALID}DELETE action with value is not supported for the type {tag}")
        if action == "ADD" and tag not in ("N", "L", "SS", "NS", "BS"):
            raise ValidationException(f"{INVALID}ADD action is not supported for the type {tag}")
        actions.append((name, action, value))
    return LegacyUpdate(actions)


def _add(item: dict, name: str, value: dict) -> None:
    """Legacy ADD: numbers add, sets unite, lists append; a missing attribute starts empty."""
    existing = item.get(name)
    tag = documents.type_of(value)
    if existing is None:
        item[name] = value
    elif tag not in existing:
        raise ValidationException(TYPE_MISMATCH)
    elif tag == "N":
        item[name] = {"N": add_numbers(existing["N"], value["N"])}
    elif tag == "L":
        item[name] = {"L": existing["L"] + value["L"]}
    else:
        item[name] = {tag: documents.set_union(tag, existing[tag], value[tag])}


def _delete(item: dict, name: str, value: Optional[dict]) -> None:
    """Legacy DELETE: without a value removes the attribute, with a set removes its elements."""
    existing = item.get(name)
    if value is None:
        item.pop(name, None)
        return
    if existing is None:
        return
    tag = documents.type_of(value)
    if tag not in existing:
        raise ValidationException(TYPE_MISMATCH)
    remaining = documents.set_difference(tag, existing[tag], value[tag])
    if remaining:
        item[name] = {tag: remaining}
    else:
        del item[name]
