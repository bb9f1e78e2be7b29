"""The abstract syntax trees of DynamoDB's expression languages.

Trees are produced once per expression text (and cached); they hold placeholders
(`#name`, `:value`) unresolved, so one tree serves every request that uses the text.
`render` prints a tree back as expression text (used by the round-trip tests).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Union


@dataclass(frozen=True, slots=True)
class Name:
    """An attribute name written literally, e.g. `jobId` (subject to the reserved words)."""

    text: str


@dataclass(frozen=True, slots=True)
class NameRef:
    """An expression attribute name placeholder, e.g. `#s`."""

    text: str


PathElement = Union[Name, NameRef, int]


@dataclass(frozen=True, slots=True)
class Path:
    """A document path: a top-level name then map keys and list indexes (`a.b[3].c`)."""

    elements: tuple[PathElement, ...]


@dataclass(frozen=True, slots=True)
class ValueRef:
    """An expression attribute value placeholder, e.g. `:v`."""

    text: str


@dataclass(frozen=True, slots=True)
class Call:
    """A function call such as `begins_with(a, :p)` or `size(a)`."""

    name: str
    args: tuple["Operand", ...]


@dataclass(frozen=True, slots=True)
class Arithmetic:
    """`left + right` or `left - right` on the right-hand side of a SET action."""

    op: str
    left: "Operand"
    right: "Operand"


Operand = Union[Path, ValueRef, Call, Arithmetic]


@dataclass(frozen=True, slots=True)
class Compare:
    op: str  # one of = <> < <= > >=
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


@dataclass(frozen=True, slots=True)
class Parens:
    """Kept in the tree because DynamoDB rejects a second, redundant pair around one."""

    inner: "Condition"


Condition = Union[Compare, Between, In, And, Or, Not, Parens, Call]


@dataclass(frozen=True, slots=True)
class SetAction:
    path: Path
    value: Operand


@dataclass(frozen=True, slots=True)
class RemoveAction:
    path: Path


@dataclass(frozen=True, slots=True)
class AddAction:
    path: Path
    value: ValueRef


@dataclass(frozen=True, slots=True)
class DeleteAction:
    path: Path
    value: ValueRef


Action = Union[SetAction, RemoveAction, AddAction, DeleteAction]


@dataclass(frozen=True, slots=True)
class Section:
    """One clause of an update expression: its keyword and its actions, in order."""

    keyword: str  # SET, REMOVE, ADD or DELETE
    actions: tuple[Action, ...]


@dataclass(frozen=True, slots=True)
class UpdateTree:
    sections: tuple[Section, ...]


@dataclass(frozen=True, slots=True)
class ProjectionTree:
    paths: tuple[Path, ...]


Node = Union[Condition, Operand, UpdateTree, ProjectionTree]


def render(node: object) -> str:
    """Print a tree as expression text that parses back to the same tree."""
    match node:
        case Name(text) | NameRef(text) | ValueRef(text):
            return text
        case Path(elements):
            out = render(elements[0])
            for element in elements[1:]:
                out += f"[{element}]" if isinstance(element, int) else "." + render(element)
            return out
        case Call(name, args):
            return f"{name}({', '.join(render(a) for a in args)})"
        case Arithmetic(op, left, right):
            return f"{render(left)} {op} {render(right)}"
        case Compare(op, left, right):
            return f"{render(left)} {op} {render(right)}"
        case Between(operand, low, high):
            return f"{render(operand)} BETWEEN {render(low)} AND {render(high)}"
        case In(operand, choices):
            return f"{render(operand)} IN ({', '.join(render(c) for c in choices)})"
        case And(left, right):
            return f"{render(left)} AND {render(right)}"
        case Or(left, right):
            return f"{render(left)} OR {render(right)}"
        case Not(operand):
            return f"NOT {render(operand)}"
        case Parens(inner):
            return f"({render(inner)})"
        case SetAction(path, value):
            return f"{render(path)} = {render(value)}"
        case RemoveAction(path):
            return render(path)
        case AddAction(path, value) | DeleteAction(path, value):
            return f"{render(path)} {render(value)}"
        case Section(keyword, actions):
            return f"{keyword} {', '.join(render(a) for a in actions)}"
        case UpdateTree(sections):
            return " ".join(render(s) for s in sections)
        case ProjectionTree(paths):
            return ", ".join(render(p) for p in paths)
    raise TypeError(f"not an expression node: {node!r}")


def walk(node: object) -> Iterable[object]:
    """Every node of a tree, parents before children, left to right."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        children: tuple = ()
        match current:
            case Call(_, args):
                children = args
            case Arithmetic(_, left, right) | Compare(_, left, right):
                children = (left, right)
            case Between(operand, low, high):
                children = (operand, low, high)
            case In(operand, choices):
                children = (operand, *choices)
            case And(left, right) | Or(left, right):
                children = (left, right)
            case Not(inner) | Parens(inner):
                children = (inner,)
            case SetAction(path, value):
                children = (path, value)
            case RemoveAction(path):
                children = (path,)
            case AddAction(path, value) | DeleteAction(path, value):
                children = (path, value)
            case Section(_, actions):
                children = actions
            case UpdateTree(sections):
                children = sections
            case ProjectionTree(paths):
                children = paths
        stack.extend(reversed(children))
