"""UpdateExpression: validation, compilation and application to an item.

SET values are all computed from the item as it was before the update, then SET, ADD and
DELETE actions are applied in expression order and REMOVE last (highest list index first,
so indexes written in the expression refer to the original list).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Callable, Optional

from jobtable.engine.errors import ValidationException
from jobtable.engine.numbers import add_numbers, subtract_numbers

from . import ast, documents

from .context import ExpressionContext, Placeholders, resolve_path
from .documents import ResolvedPath
from .functions import CONDITION_FUNCTIONS, OPERAND_FUNCTIONS, check_call
from .grammar import parse
from .messages import (
    INCORRECT_DATA_TYPE,
    LONG_TYPE_NAMES,
    MISSING_OPERAND,
    check_paths_disjoint,
    function_not_allowed_this_way,
    invalid,
    wrong_operand_type,
)
from .projection import project

KIND = "UpdateExpression"
SET_TYPES = ("SS", "NS", "BS")

ValueFn = Callable[[dict, dict], dict]
ValueCheck = Callable[[dict], None]


class Update:
    """An UpdateExpression bound to one request's values."""

    __slots__ = ("_plan", "_values", "paths", "top_level_names")

    def __init__(self, plan: "UpdatePlan", values: dict) -> None:
        self._plan = plan
        self._values = values
        self.paths: list[ResolvedPath] = plan.paths
        self.top_level_names: frozenset[str] = plan.top_level_names

    def apply(self, item: dict, *, item_exists: bool = True) -> dict:
        """A new item with the update applied; `item` itself is left unchanged.

        `item_exists=False` (the update creates the item) makes REMOVE of a nested path
        a no-op instead of an invalid-path error, as in DynamoDB.
        """
        return self._plan.apply(item, self._values, item_exists)

    def project_updated(self, item: Optional[dict]) -> dict:
        """Only the updated paths of `item` (for ReturnValues UPDATED_OLD / UPDATED_NEW)."""
        return project(item, self.paths)


class UpdatePlan:
    """The name-resolved, request-independent part of an update (cached)."""

    def __init__(self) -> None:
        self.sets: list[tuple[ResolvedPath, ValueFn]] = []
        self.adds: list[tuple[ResolvedPath, str]] = []
        self.deletes: list[tuple[ResolvedPath, str]] = []
        self.removes: list[ResolvedPath] = []
        self.ordered: list[tuple[str, ResolvedPath, object]] = []  # SET/ADD/DELETE in text order
        self.paths: list[ResolvedPath] = []
        self.top_level_names: frozenset[str] = frozenset()
        self.checks: list[ValueCheck] = []

    def apply(self, item: dict, values: dict, item_exists: bool = True) -> dict:
        new = dict(item)
        computed = [
            (action, path, arg(item, values) if action == "SET" else values[arg])
            for action, path, arg in self.ordered
        ]
        for action, path, value in computed:
            if action == "SET":
                documents.set_path(new, path, value)
            elif action == "ADD":
                _add(new, path, documents.get_path(item, path), value)
            else:
                _delete(new, path, documents.get_path(item, path), value)
        for path in self.removes:
            if item_exists or len(path) == 1:
                documents.remove_path(new, path)
        return new


@lru_cache(maxsize=4096)
def _parse_update(text: str) -> tuple[ast.UpdateTree, Placeholders]:
    tree = parse(text, "update", KIND)
    seen: set[str] = set()
    for section in tree.sections:
        if section.keyword in seen:
            raise invalid(KIND, f'The "{section.keyword}" section can only be used once in an update expression;')
        seen.add(section.keyword)
        for action in section.actions:
            if isinstance(action, ast.SetAction):
                _check_set_value(action.value)
    return tree, Placeholders(tree, KIND)


def _check_set_value(node: ast.Operand, nested: bool = False) -> None:
    if isinstance(node, ast.Arithmetic):
        _check_set_value(node.left)
        _check_set_value(node.right)
    elif isinstance(node, ast.Call):
        check_call(node, KIND)
        if node.name in CONDITION_FUNCTIONS or node.name in OPERAND_FUNCTIONS:
            raise invalid(KIND, f"The function is not allowed in an update expression; function: {node.name}")
        if nested and node.name == "list_append":
            # DynamoDB accepts list_append(if_not_exists(...), ...) but not list_append inside a call.
            raise function_not_allowed_this_way(KIND, node.name)
        for arg in node.args:
            _check_set_value(arg, nested=True)


def compile_update(text: str, ctx: ExpressionContext) -> Update:
    tree, placeholders = _parse_update(text)
    names = placeholders.bind(ctx, KIND)
    plan = _plan(text, names)
    for check in plan.checks:
        check(ctx.values)
    return Update(plan, ctx.values)


@lru_cache(maxsize=4096)
def _plan(text: str, names: tuple[str, ...]) -> UpdatePlan:
    tree, placeholders = _parse_update(text)
    mapping = dict(zip(placeholders.name_refs, names))
    plan = UpdatePlan()
    for section in tree.sections:
        for action in section.actions:
            path = resolve_path(action.path, mapping)
            plan.paths.append(path)
            if isinstance(action, ast.SetAction):
                plan.ordered.append(("SET", path, _value_fn(action.value, mapping, plan.checks)))
            elif isinstance(action, ast.RemoveAction):
                plan.removes.append(path)
            else:
                keyword = section.keyword
                plan.checks.append(_add_delete_operand_check(keyword, action.value.text))
                plan.ordered.append((keyword, path, action.value.text))
    check_paths_disjoint(KIND, plan.paths)
    # New list elements set past the end are appended in index order (as documented),
    # and removals run from the highest index down so indexes mean the original positions.
    plan.ordered.sort(key=lambda action: _index_order(action[1], 1))
    plan.removes.sort(key=lambda path: _index_order(path, -1))
    plan.top_level_names = frozenset(p[0] for p in plan.paths)
    return plan


def _index_order(path: ResolvedPath, direction: int) -> tuple:
    """Sort key ordering list indexes (ascending for 1, descending for -1); names keep ties."""
    return tuple((1, direction * step) if type(step) is int else (0, "") for step in path)


# ---------------------------------------------------------------- SET values


def _value_fn(node: ast.Operand, names: dict[str, str], checks: list[ValueCheck]) -> ValueFn:
    if isinstance(node, ast.ValueRef):
        ref = node.text
        return lambda item, values: values[ref]
    if isinstance(node, ast.Path):
        path = resolve_path(node, names)

        def read(item: dict, values: dict) -> dict:
            value = documents.get_path(item, path)
            if value is None:
                raise ValidationException(MISSING_OPERAND)
            return value

        return read
    if isinstance(node, ast.Arithmetic):
        for side in (node.left, node.right):
            if isinstance(side, ast.ValueRef):
                checks.append(_operand_type_check(node.op, side.text, ("N",)))
        left, right = _value_fn(node.left, names, checks), _value_fn(node.right, names, checks)
        combine = add_numbers if node.op == "+" else subtract_numbers

        def arithmetic(item: dict, values: dict) -> dict:
            a, b = left(item, values), right(item, values)
            if "N" not in a or "N" not in b:
                raise ValidationException(INCORRECT_DATA_TYPE)
            return {"N": combine(a["N"], b["N"])}

        return arithmetic
    assert isinstance(node, ast.Call)
    if node.name == "if_not_exists":
        path = resolve_path(node.args[0], names)
        fallback = _value_fn(node.args[1], names, checks)

        def if_not_exists(item: dict, values: dict) -> dict:
            value = documents.get_path(item, path)
            return value if value is not None else fallback(item, values)

        return if_not_exists
    # list_append
    for arg in node.args:
        if isinstance(arg, ast.ValueRef):
            checks.append(_operand_type_check("list_append", arg.text, ("L",)))
    first, second = (_value_fn(arg, names, checks) for arg in node.args)

    def list_append(item: dict, values: dict) -> dict:
        a, b = first(item, values), second(item, values)
        if "L" not in a or "L" not in b:
            raise ValidationException(INCORRECT_DATA_TYPE)
        return {"L": a["L"] + b["L"]}

    return list_append


def _operand_type_check(function: str, ref: str, allowed: tuple[str, ...]) -> ValueCheck:
    def check(values: dict) -> None:
        tag = documents.type_of(values[ref])
        if tag not in allowed:
            raise wrong_operand_type(KIND, function, tag)

    return check


def _add_delete_operand_check(keyword: str, ref: str) -> ValueCheck:
    allowed = ("N",) + SET_TYPES if keyword == "ADD" else SET_TYPES

    def check(values: dict) -> None:
        tag = documents.type_of(values[ref])
        if tag not in allowed:
            raise invalid(
                KIND,
                "Incorrect operand type for operator or function; "
                f"operator: {keyword}, operand type: {LONG_TYPE_NAMES.get(tag, tag)}, "
                f"typeSet: ALLOWED_FOR_{keyword}_OPERAND",
            )

    return check


# ---------------------------------------------------------------- ADD and DELETE


def _add(item: dict, path: ResolvedPath, existing: Optional[dict], value: dict) -> None:
    if existing is None:
        documents.set_path(item, path, value)
        return
    tag = documents.type_of(value)
    if documents.type_of(existing) != tag:
        raise ValidationException(INCORRECT_DATA_TYPE)
    if tag == "N":
        documents.set_path(item, path, {"N": add_numbers(existing["N"], value["N"])})
    else:
        documents.set_path(item, path, {tag: documents.set_union(tag, existing[tag], value[tag])})


def _delete(item: dict, path: ResolvedPath, existing: Optional[dict], value: dict) -> None:
    if existing is None:
        return
    tag = documents.type_of(value)
    if documents.type_of(existing) != tag:
        raise ValidationException(INCORRECT_DATA_TYPE)
    remaining = documents.set_difference(tag, existing[tag], value[tag])
    if remaining:
        documents.set_path(item, path, {tag: remaining})
    else:
        documents.remove_path(item, path)
