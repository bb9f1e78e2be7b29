"""The syntax tree of DynamoDB's PartiQL statements (SELECT, INSERT, UPDATE, DELETE, EXISTS).

Conditions, calls, arithmetic and SET/REMOVE reuse the expression AST's node shapes (Compare,
Between, In, And, Or, Not, Call, Arithmetic, SetAction, RemoveAction) with PartiQL operands (Path, Literal, Param)
inside; `translate` maps those operands to expression paths and values. Trees are
immutable and cached by statement text; `?` parameters are kept as `Param` nodes numbered
in text order and bound per request.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Union

from jobtable.engine.expressions.ast import And, Arithmetic, Between, Call, Compare, In, Not, Or
from jobtable.engine.expressions.ast import RemoveAction as Remove
from jobtable.engine.expressions.ast import SetAction as Assign


# ---------------------------------------------------------------- values and operands


@dataclass(frozen=True, slots=True)
class Path:
    """An attribute and its map keys (str) and list indexes (int): `a.b[2]`, `"odd name".x`."""

    elements: tuple[Union[str, int], ...]

    @property
    def top(self) -> str:
        return self.elements[0]  # type: ignore[return-value]


@dataclass(frozen=True, slots=True)
class Param:
    """A `?` placeholder: the `index`-th value of the request's Parameters."""

    index: int


@dataclass(frozen=True, slots=True)
class Literal:
    """A literal: kind is S, N, BOOL, NULL, MISSING, L (items), M (pairs) or BAG (items)."""

    kind: str
    value: object = None


Value = Union[Literal, Param]
Operand = Union[Path, Literal, Param, Call, Arithmetic]


# ---------------------------------------------------------------- conditions


@dataclass(frozen=True, slots=True)
class Is:
    """`operand IS [NOT] type` with type one of MISSING, NULL, BOOLEAN, STRING, NUMERIC, ..."""

    operand: Operand
    type_name: str
    negated: bool


Condition = Union[Compare, Between, In, Is, And, Or, Not, Call]


# ---------------------------------------------------------------- statements


@dataclass(frozen=True, slots=True)
class Source:
    table: str
    index: Optional[str] = None


@dataclass(frozen=True, slots=True)
class Select:
    source: Source
    projection: Optional[tuple[Path, ...]]  # None: *
    where: Optional[Condition]
    order_by: tuple[tuple[Path, bool], ...] = ()  # (path, descending)


@dataclass(frozen=True, slots=True)
class Insert:
    table: str
    item: Value


@dataclass(frozen=True, slots=True)
class Update:
    table: str
    actions: tuple[Union[Assign, Remove], ...]
    where: Optional[Condition]
    returning: Optional[str] = None  # "ALL OLD", "MODIFIED NEW", ...


@dataclass(frozen=True, slots=True)
class Delete:
    table: str
    where: Optional[Condition]
    returning: Optional[str] = None


@dataclass(frozen=True, slots=True)
class Exists:
    """`EXISTS(SELECT ...)`: a condition check inside ExecuteTransaction."""

    select: Select


Statement = Union[Select, Insert, Update, Delete, Exists]


def is_read(statement: Statement) -> bool:
    return isinstance(statement, Select)


def table_of(statement: Statement) -> str:
    if isinstance(statement, Select):
        return statement.source.table
    if isinstance(statement, Exists):
        return statement.select.source.table
    return statement.table


__all__ = ["And", "Arithmetic", "Assign", "Between", "Call", "Compare", "Condition", "Delete", "Exists", "In",
           "Insert", "Is", "Literal", "Not", "Operand", "Or", "Param", "Path", "Remove", "Select", "Source",
           "Statement", "Update", "Value", "is_read", "table_of"]
