"""The syntax tree of DynamoDB's PartiQL statements (SELECT, INSERT, UPDATE, DELETE, EXISTS).

Trees are immutable and cached by statement text; `?` parameters are kept as `Param`
nodes numbered in text order and bound per request.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Union


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


@dataclass(frozen=True, slots=True)
class Call:
    name: str  # lower case
    args: tuple["Operand", ...]


@dataclass(frozen=True, slots=True)
class Arithmetic:
    op: str
    left: "Operand"
    right: "Operand"


Value = Union[Literal, Param]
Operand = Union[Path, Literal, Param, Call, Arithmetic]


# ---------------------------------------------------------------- conditions


@dataclass(frozen=True, slots=True)
class Compare:
    op: str  # = <> < <= > >= (!= is read as <>)
    left: Operand
    right: Operand


@dataclass(frozen=True, slots=True)
class Between:
    operand: Operand
    low: Operand
    high: Operand


@dataclass(frozen=True, slots=True)
class In:
    operand: Operand
    choices: tuple[Operand, ...]


@dataclass(frozen=True, slots=True)
class Is:
    """`operand IS [NOT] type` with type one of MISSING, NULL, BOOLEAN, STRING, NUMERIC, ..."""

    operand: Operand
    type_name: str
    negated: bool


@dataclass(frozen=True, slots=True)
class And:
    left: "Condition"
    right: "Condition"


@dataclass(frozen=True, slots=True)
class Or:
    left: "Condition"
    right: "Condition"


@dataclass(frozen=True, slots=True)
class Not:
    operand: "Condition"


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
class Assign:
    path: Path
    value: Operand


@dataclass(frozen=True, slots=True)
class Remove:
    path: Path


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
