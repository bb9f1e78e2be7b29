"""Parsing expression text into trees with lark (LALR), and DynamoDB's syntax-error wording.

One grammar with three start symbols: `condition` (ConditionExpression, FilterExpression and
KeyConditionExpression — DynamoDB parses key conditions with the condition grammar too),
`update` and `projection`. Parsed trees are cached by (start, kind, text).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from lark import Lark, Token
from lark.exceptions import LexError, UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

from jobtable.engine.errors import ValidationException

from . import ast
from .lark_support import BOOLEAN_RULES, ConditionTrees, TreeError, tree_errors
from .messages import invalid

GRAMMAR = BOOLEAN_RULES + r"""
condition: disjunction
?predicate: operand COMPARATOR operand          -> compare
           | operand _BETWEEN operand _AND operand -> between
           | operand _IN "(" operand ("," operand)* ")" -> in_
           | call
           | "(" disjunction ")"                    -> parens
?operand: path | VALUE | call
call: NAME "(" (set_operand ("," set_operand)*)? ")"

update: _clause+
_clause: set_clause | remove_clause | add_clause | delete_clause
set_clause: _SET set_action ("," set_action)*
set_action: path "=" set_value
?set_value: set_operand
          | set_operand ARITH_OP set_operand           -> arithmetic
          | "(" set_operand ARITH_OP set_operand ")"   -> arithmetic
?set_operand: path | VALUE | call | "(" set_operand ")"
remove_clause: _REMOVE path ("," path)*
add_clause: _ADD value_action ("," value_action)*
delete_clause: _DELETE value_action ("," value_action)*
value_action: path VALUE

projection: path ("," path)*

path: (NAME | NAME_REF) ("." (NAME | NAME_REF) | "[" INDEX "]")*

COMPARATOR: "<>" | "<=" | ">=" | "=" | "<" | ">"
ARITH_OP: "+" | "-"
_OR: "OR"i
_AND: "AND"i
_NOT: "NOT"i
_BETWEEN: "BETWEEN"i
_IN: "IN"i
_SET: "SET"i
_REMOVE: "REMOVE"i
_ADD: "ADD"i
_DELETE: "DELETE"i
NAME: /[a-z][a-z0-9_]*/i
NAME_REF: /#[a-z0-9_]+/i
VALUE: /:[a-z0-9_]+/i
INDEX: /[0-9]+/

%import common.WS
%ignore WS
"""

MAX_IN_OPERANDS = 100
MAX_NESTING = 32
MAX_EXPRESSION_BYTES = 4096
MAX_OPERATORS = 300
_OPERATOR_NODES = (ast.Compare, ast.Between, ast.In, ast.And, ast.Or, ast.Not, ast.Call, ast.Arithmetic)


class _TreeBuilder(ConditionTrees):
    """Builds `ast` nodes directly from the LALR parser's reductions (no lark Tree)."""

    def VALUE(self, token: Token) -> ast.ValueRef:
        return ast.ValueRef(str(token))

    def path(self, children: list[Token]) -> ast.Path:
        elements: list[ast.PathElement] = []
        for token in children:
            if token.type == "NAME":
                elements.append(ast.Name(str(token)))
            elif token.type == "NAME_REF":
                elements.append(ast.NameRef(str(token)))
            else:
                elements.append(int(token))
        if len(elements) > MAX_NESTING:
            raise TreeError(
                f"The document path has too many nesting levels; nesting levels: {len(elements)}"
            )
        return ast.Path(tuple(elements))

    def call(self, children: list[Any]) -> ast.Call:
        return ast.Call(str(children[0]), tuple(children[1:]))

    def compare(self, children: list[Any]) -> ast.Compare:
        left, op, right = children
        return ast.Compare(str(op), left, right)

    def in_(self, children: list[Any]) -> ast.In:
        # The limit and the message count the listed values (100 at most), not the left operand.
        if len(children) - 1 > MAX_IN_OPERANDS:
            raise TreeError(
                "The IN operator is provided with too many operands; "
                f"number of operands: {len(children) - 1}"
            )
        return ast.In(children[0], tuple(children[1:]))

    def parens(self, children: list[Any]) -> ast.Parens:
        inner = children[0]
        if isinstance(inner, ast.Parens):
            raise TreeError("The expression has redundant parentheses;")
        return ast.Parens(inner)

    def condition(self, children: list[Any]) -> Any:
        return children[0]

    def set_action(self, children: list[Any]) -> ast.SetAction:
        return ast.SetAction(children[0], children[1])

    def value_action(self, children: list[Any]) -> tuple[ast.Path, ast.ValueRef]:
        return children[0], children[1]

    def set_clause(self, children: list[Any]) -> ast.Section:
        return ast.Section("SET", tuple(children))

    def remove_clause(self, children: list[Any]) -> ast.Section:
        return ast.Section("REMOVE", tuple(ast.RemoveAction(p) for p in children))

    def add_clause(self, children: list[Any]) -> ast.Section:
        return ast.Section("ADD", tuple(ast.AddAction(p, v) for p, v in children))

    def delete_clause(self, children: list[Any]) -> ast.Section:
        return ast.Section("DELETE", tuple(ast.DeleteAction(p, v) for p, v in children))

    def update(self, children: list[Any]) -> ast.UpdateTree:
        return ast.UpdateTree(tuple(children))

    def projection(self, children: list[Any]) -> ast.ProjectionTree:
        return ast.ProjectionTree(tuple(children))


@lru_cache(maxsize=None)
def _parser(start: str) -> Lark:
    """One parser per language, built on first use (tens of ms each).

    Separate tables, because sharing LALR states across languages would let the update
    grammar's "=" shadow the condition grammar's comparators.
    """
    return Lark(GRAMMAR, parser="lalr", start=start, transformer=_TreeBuilder(), maybe_placeholders=False)



@lru_cache(maxsize=None)
def _context_lexer(start: str) -> Lark:
    """A plain lexer over the same terminals, built on the first syntax error; it only
    serves to quote the tokens around the error."""
    return Lark(GRAMMAR, parser="lalr", lexer="basic", start=start)



@lru_cache(maxsize=4096)
def parse(text: str, start: str, kind: str) -> Any:
    """Parse `text` from grammar rule `start`; errors are worded for the parameter `kind`."""
    if not text.strip():
        raise invalid(kind, "The expression can not be empty;")
    size = len(text.encode("utf-8"))
    if size > MAX_EXPRESSION_BYTES:
        raise invalid(kind, f"Expression size has exceeded the maximum allowed size; expression size: {size}")
    try:
        with tree_errors(lambda detail: invalid(kind, detail)):
            tree = _parser(start).parse(text)
    except (UnexpectedToken, UnexpectedCharacters, UnexpectedEOF) as error:
        raise _syntax_error(text, start, kind, error) from None
    operators = sum(isinstance(node, _OPERATOR_NODES) for node in ast.walk(tree))
    if operators > MAX_OPERATORS:
        raise invalid(kind, f"The expression contains too many operators; operator count: {operators}")
    return tree


def _syntax_error(text: str, start_rule: str, kind: str, error: Exception) -> ValidationException:
    """DynamoDB quotes the offending token and the text from the token before to the one after."""
    if isinstance(error, UnexpectedToken) and error.token.type != "$END":
        token = str(error.token)
        start, end = error.token.start_pos, error.token.end_pos
    elif isinstance(error, UnexpectedCharacters):
        start = error.pos_in_stream
        end = start + 1
        token = text[start]
    else:
        token, start, end = "<EOF>", len(text), len(text)
    before = _tokens(text[:start], start_rule)
    near_start = before[-1].start_pos if before else start
    if token == "<EOF>":
        near_end = len(text)
    else:
        after = _tokens(text[end:], start_rule)
        near_end = end + after[0].end_pos if after else end
    return invalid(kind, f'Syntax error; token: "{token}", near: "{text[near_start:near_end]}"')


def _tokens(text: str, start_rule: str) -> list[Token]:
    """The tokens of `text` up to the first character the lexer cannot read."""
    tokens: list[Token] = []
    try:
        for token in _context_lexer(start_rule).lex(text):
            tokens.append(token)
    except LexError:
        pass
    return tokens
