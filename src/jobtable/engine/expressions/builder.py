"""Expression trees built in code instead of parsed from request text.

The legacy parameters (Expected, AttributeUpdates, KeyConditions, QueryFilter, ...) and
PartiQL describe conditions and updates in shapes of their own. Their translators build
trees of `ast` nodes that refer to generated placeholders (`#n0`, `:v0`), and this module
prints them with `ast.render` and compiles them with the same `compile_*` functions as
request expressions: one evaluator for every way of asking, and because the printed text
depends only on the shape of the tree, the compiled-form caches are shared too.

    b = ExpressionBuilder()
    tree = all_of([ast.Compare("=", b.path("status"), b.value({"S": "done"})),
                   ast.Call("attribute_exists", (b.path("owner"),))])
    condition = b.condition(tree)
"""
from __future__ import annotations

from typing import Iterable, Optional, Sequence

from . import ast
from .conditions import Condition, compile_condition
from .context import ExpressionContext
from .key_conditions import KeyCondition, compile_key_condition
from .projection import Projection, compile_projection
from .updates import Update, compile_update


class ExpressionBuilder:
    """Hands out placeholders for attribute names and values, then compiles trees."""

    __slots__ = ("_names", "_refs", "_values")

    def __init__(self) -> None:
        self._names: dict[str, str] = {}   # "#n0" -> attribute name
        self._refs: dict[str, str] = {}    # attribute name -> "#n0"
        self._values: dict[str, dict] = {}

    def name(self, name: str) -> ast.NameRef:
        """A placeholder for an attribute name (any characters, never a reserved word)."""
        ref = self._refs.get(name)
        if ref is None:
            ref = self._refs[name] = f"#n{len(self._refs)}"
            self._names[ref] = name
        return ast.NameRef(ref)

    def path(self, name: str, *steps: str | int) -> ast.Path:
        """A document path: a top-level attribute, then map keys (str) and list indexes (int)."""
        elements: list[ast.PathElement] = [self.name(name)]
        elements.extend(step if isinstance(step, int) else self.name(step) for step in steps)
        return ast.Path(tuple(elements))

    def value(self, value: dict) -> ast.ValueRef:
        """A placeholder for an (already validated) attribute value."""
        ref = f":v{len(self._values)}"
        self._values[ref] = value
        return ast.ValueRef(ref)

    def context(self) -> ExpressionContext:
        return ExpressionContext(dict(self._names) or None, dict(self._values) or None)

    def condition(self, tree: ast.Condition, kind: str = "ConditionExpression") -> Condition:
        return compile_condition(ast.render(tree), self.context(), kind)

    def key_condition(self, tree: ast.Condition, hash_key: str, range_key: Optional[str]) -> KeyCondition:
        return compile_key_condition(ast.render(tree), self.context(), hash_key, range_key)

    def update(self, sections: Sequence[ast.Section]) -> Update:
        return compile_update(ast.render(ast.UpdateTree(tuple(sections))), self.context())

    def projection(self, paths: Sequence[ast.Path]) -> Projection:
        return compile_projection(ast.render(ast.ProjectionTree(tuple(paths))), self.context())


def grouped(node: ast.Condition) -> ast.Condition:
    """`node` in parentheses when it is an AND/OR (`render` prints no precedence parentheses)."""
    return ast.Parens(node) if isinstance(node, (ast.And, ast.Or)) else node


def all_of(conditions: Iterable[ast.Condition]) -> ast.Condition:
    """The conjunction of one or more conditions."""
    return _chain(conditions, ast.And)


def any_of(conditions: Iterable[ast.Condition]) -> ast.Condition:
    """The disjunction of one or more conditions."""
    return _chain(conditions, ast.Or)


def negated(condition: ast.Condition) -> ast.Condition:
    return ast.Not(grouped(condition))


def _chain(conditions: Iterable[ast.Condition], join: type) -> ast.Condition:
    parts = [grouped(c) for c in conditions]
    if not parts:
        raise ValueError("at least one condition is needed")
    tree = parts[0]
    for part in parts[1:]:
        tree = join(tree, part)
    return tree
