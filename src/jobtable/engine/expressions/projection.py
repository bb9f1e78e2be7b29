"""ProjectionExpression: pick document paths out of an item, keeping their nesting.

List elements picked by index keep their relative order and are packed together, as
DynamoDB returns them (`a[1], a[3]` -> `a: [a[1], a[3]]`).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Iterable, Optional

from . import ast
from .context import ExpressionContext, Placeholders, resolve_path
from .documents import ResolvedPath
from .grammar import parse
from .messages import check_paths_disjoint

KIND = "ProjectionExpression"


class Projection:
    """A ProjectionExpression bound to one request's attribute names."""

    __slots__ = ("paths", "top_level_names")

    def __init__(self, paths: tuple[ResolvedPath, ...]) -> None:
        self.paths = paths
        self.top_level_names: frozenset[str] = frozenset(p[0] for p in paths)

    def apply(self, item: dict) -> dict:
        return project(item, self.paths)


@lru_cache(maxsize=4096)
def _parse_projection(text: str) -> tuple[ast.ProjectionTree, Placeholders]:
    tree = parse(text, "projection", KIND)
    return tree, Placeholders(tree, KIND)


@lru_cache(maxsize=4096)
def _resolved(text: str, names: tuple[str, ...]) -> tuple[ResolvedPath, ...]:
    tree, placeholders = _parse_projection(text)
    mapping = dict(zip(placeholders.name_refs, names))
    paths = tuple(resolve_path(p, mapping) for p in tree.paths)
    check_paths_disjoint(KIND, list(paths))
    return paths


def compile_projection(text: str, ctx: ExpressionContext) -> Projection:
    tree, placeholders = _parse_projection(text)
    names = placeholders.bind(ctx, KIND)
    return Projection(_resolved(text, names))


def project(item: Optional[dict], paths: Iterable[ResolvedPath]) -> dict:
    """The parts of `item` at `paths` (missing ones skipped), nested as in the item."""
    if not item:
        return {}
    # Build a tree of picks first: {"M": {key: pick}} / {"L": {index: pick}} / leaf value,
    # then pack list picks in index order.
    picks: dict = {}
    for path in paths:
        value = item.get(path[0])
        if value is None:
            continue
        if len(path) == 1:
            picks[path[0]] = ("leaf", value)
            continue
        chain = [value]
        for step in path[1:]:
            current = chain[-1]
            if type(step) is int:
                elements = current.get("L")
                current = elements[step] if elements is not None and step < len(elements) else None
            else:
                members = current.get("M")
                current = members.get(step) if members is not None else None
            if current is None:
                break
            chain.append(current)
        else:
            node = picks.setdefault(path[0], ("branch", {}))
            for step in path[1:-1]:
                node = node[1].setdefault(step, ("branch", {}))
            node[1][path[-1]] = ("leaf", chain[-1])
    return {name: _pack(node) for name, node in picks.items()}


def _pack(node: tuple) -> dict:
    kind, content = node
    if kind == "leaf":
        return content
    keys = list(content)
    if keys and type(keys[0]) is int:
        return {"L": [_pack(content[k]) for k in sorted(keys)]}
    return {"M": {k: _pack(v) for k, v in content.items()}}
