"""What the two lark parsers share: expression text (expressions/grammar.py) and PartiQL
statements (partiql/syntax.py) build the same condition nodes and reject trees the same way.

A tree-building callback rejects a well-formed parse by raising `TreeError(detail)`;
`tree_errors` turns it into the caller's DynamoDB error. lark wraps whatever a callback
raises in `VisitError` (and an LALR parser with an inline transformer may not), so both
forms are unwrapped here, once.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Callable, Iterator

from lark import Transformer
from lark.exceptions import VisitError

from jobtable.engine.errors import DynamoError

from . import ast


# NOT binds tighter than AND, AND tighter than OR, in both languages; each grammar defines
# `predicate` and the _OR/_AND/_NOT terminals, and the rule aliases name ConditionTrees' callbacks.
BOOLEAN_RULES = r"""
?disjunction: conjunction
             | disjunction _OR conjunction          -> or_
?conjunction: negation
             | conjunction _AND negation            -> and_
?negation: predicate
          | _NOT negation                           -> not_
"""


class TreeError(Exception):
    """Raised inside a tree-building callback; `detail` is the text DynamoDB reports."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


@contextmanager
def tree_errors(reject: Callable[[str], Exception]) -> Iterator[None]:
    """Raise `reject(detail)` for a callback's TreeError; a DynamoError from a callback passes as is."""
    try:
        yield
    except VisitError as error:
        cause = error.orig_exc
        if isinstance(cause, TreeError):
            raise reject(cause.detail) from None
        if isinstance(cause, DynamoError):
            raise cause from None
        raise
    except TreeError as error:
        raise reject(error.detail) from None


class ConditionTrees(Transformer):
    """Callbacks for the grammar rules both languages write alike (same rule names, same nodes)."""

    def between(self, children: list[Any]) -> ast.Between:
        return ast.Between(*children)

    def and_(self, children: list[Any]) -> ast.And:
        return ast.And(*children)

    def or_(self, children: list[Any]) -> ast.Or:
        return ast.Or(*children)

    def not_(self, children: list[Any]) -> ast.Not:
        return ast.Not(children[0])

    def arithmetic(self, children: list[Any]) -> ast.Arithmetic:
        left, op, right = children
        return ast.Arithmetic(str(op), left, right)
