"""Per-request placeholder bookkeeping and the reserved-word check.

DynamoDB rejects ExpressionAttributeNames/Values that no expression of the request uses, so
one ExpressionContext is shared by all expressions of a request and asked at the end.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Iterable, Optional

from jobtable.engine.errors import ValidationException

from . import ast
from .documents import AttributeValue, ResolvedPath
from .messages import invalid


@lru_cache(maxsize=1)
def reserved_words() -> frozenset[str]:
    text = resources.files("jobtable").joinpath("data/reserved-words.txt").read_text("utf-8")
    return frozenset(line.strip().upper() for line in text.splitlines() if line.strip())


class ExpressionContext:
    """The request's ExpressionAttributeNames/Values and which of them were used."""

    __slots__ = ("names", "values", "_used_names", "_used_values")

    def __init__(
        self, names: Optional[dict[str, str]], values: Optional[dict[str, AttributeValue]]
    ) -> None:
        self.names: dict[str, str] = names or {}
        self.values: dict[str, AttributeValue] = values or {}
        self._used_names: set[str] = set()
        self._used_values: set[str] = set()

    def resolve_names(self, refs: Iterable[str], kind: str) -> tuple[str, ...]:
        """The attribute names behind `#refs` (marking them used); undefined ones are errors."""
        names = self.names
        resolved = []
        for ref in refs:
            name = names.get(ref)
            if name is None:
                raise invalid(
                    kind,
                    "An expression attribute name used in the document path is not defined; "
                    f"attribute name: {ref}",
                )
            self._used_names.add(ref)
            resolved.append(name)
        return tuple(resolved)

    def require_values(self, refs: Iterable[str], kind: str) -> None:
        """Check `:refs` are defined (marking them used)."""
        values = self.values
        for ref in refs:
            if ref not in values:
                raise invalid(
                    kind,
                    "An expression attribute value used in expression is not defined; "
                    f"attribute value: {ref}",
                )
            self._used_values.add(ref)

    def check_all_used(self) -> None:
        unused_names = [n for n in self.names if n not in self._used_names]
        if unused_names:
            raise ValidationException(
                "Value provided in ExpressionAttributeNames unused in expressions: "
                f"keys: {{{', '.join(unused_names)}}}"
            )
        unused_values = [v for v in self.values if v not in self._used_values]
        if unused_values:
            raise ValidationException(
                "Value provided in ExpressionAttributeValues unused in expressions: "
                f"keys: {{{', '.join(unused_values)}}}"
            )


class Placeholders:
    """The names and values a parsed tree refers to, collected once per tree (cached)."""

    __slots__ = ("name_refs", "value_refs")

    def __init__(self, tree: object, kind: str) -> None:
        name_refs: dict[str, None] = {}
        value_refs: dict[str, None] = {}
        reserved = reserved_words()
        for node in ast.walk(tree):
            if isinstance(node, ast.Path):
                for element in node.elements:
                    if isinstance(element, ast.NameRef):
                        name_refs[element.text] = None
                    elif isinstance(element, ast.Name) and element.text.upper() in reserved:
                        raise invalid(
                            kind,
                            "Attribute name is a reserved keyword; reserved keyword: "
                            f"{element.text}",
                        )
            elif isinstance(node, ast.ValueRef):
                value_refs[node.text] = None
        self.name_refs: tuple[str, ...] = tuple(name_refs)
        self.value_refs: tuple[str, ...] = tuple(value_refs)

    def bind(self, ctx: ExpressionContext, kind: str) -> tuple[str, ...]:
        """Resolve this tree's names and check its values against the request."""
        names = ctx.resolve_names(self.name_refs, kind)
        ctx.require_values(self.value_refs, kind)
        return names


def resolve_path(path: ast.Path, names: dict[str, str]) -> ResolvedPath:
    """A tree path with `#refs` replaced by the attribute names they stand for."""
    return tuple(
        element if isinstance(element, int)
        else names[element.text] if isinstance(element, ast.NameRef)
        else element.text
        for element in path.elements
    )
