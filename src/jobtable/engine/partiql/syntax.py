"""Parsing DynamoDB's PartiQL dialect with lark (LALR) into `nodes`, with DynamoDB's wording.

Syntax errors read "Statement wasn't well formed, can't be processed: <detail>" with the
details DynamoDB gives (Unexpected token after expression, Unexpected term, Expected data
manipulation, ...). Parsed statements are cached by text.
"""
from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from jobtable.engine.errors import ValidationException
from jobtable.engine.expressions.lark_support import BOOLEAN_RULES, ConditionTrees, TreeError, tree_errors

from . import nodes

GRAMMAR = BOOLEAN_RULES + r"""
start: statement ";"?

?statement: select | insert | update | delete | exists

exists: _EXISTS "(" select ")"

select: _SELECT projection _FROM source where? order_by?
projection: STAR | path ("," path)*
source: ident ("." ident)? alias?
alias: _AS? ident
where: _WHERE condition
order_by: _ORDER _BY order_item ("," order_item)*
order_item: path DIRECTION?

insert: _INSERT _INTO ident _VALUE value

update: _UPDATE ident alias? update_clause+ where returning?
update_clause: _SET assignment ("," assignment)*   -> set_clause
             | _REMOVE path ("," path)*             -> remove_clause
assignment: path EQ set_value
?set_value: operand
           | operand (PLUS | MINUS) operand         -> arithmetic

delete: _DELETE _FROM ident alias? where returning?
returning: _RETURNING RETURN_SCOPE RETURN_AGE "*"

?condition: disjunction
?predicate: operand (COMPARATOR | EQ) operand       -> compare
           | operand _BETWEEN operand _AND operand  -> between
           | operand _IN sequence                   -> in_
           | operand _IS type_name                  -> is_
           | operand _IS _NOT type_name             -> is_not
           | call
           | "(" condition ")"
?operand: path | value | call
call: NAME "(" (operand ("," operand)*)? ")"
sequence: "[" operand ("," operand)* "]"
        | "(" operand ("," operand)* ")"
type_name: MISSING | NULL | NAME

path: ident ("." ident | "[" INT "]")*
ident: NAME | QUOTED

?value: STRING                                      -> string
       | NUMBER                                     -> number
       | MINUS NUMBER                               -> negative
       | TRUE                                       -> true
       | FALSE                                      -> false
       | NULL                                       -> null
       | MISSING                                    -> missing
       | PARAM                                      -> param
       | "[" (value ("," value)*)? "]"              -> list
       | "{" (pair ("," pair)*)? "}"                -> tuple
       | BAG_OPEN (value ("," value)*)? BAG_CLOSE   -> bag
pair: value ":" value

COMPARATOR: "<>" | "!=" | "<=" | ">=" | "<" | ">"
EQ: "="
BAG_OPEN.3: "<<"
BAG_CLOSE.3: ">>"
PLUS: "+"
MINUS: "-"
STAR: "*"
PARAM: "?"
DIRECTION.2: /(?:ASC|DESC)\b/i
RETURN_SCOPE.2: /(?:ALL|MODIFIED)\b/i
RETURN_AGE.2: /(?:OLD|NEW)\b/i
TRUE.2: /(?:TRUE)\b/i
FALSE.2: /(?:FALSE)\b/i
NULL.2: /(?:NULL)\b/i
MISSING.2: /(?:MISSING)\b/i
_SELECT.2: /(?:SELECT)\b/i
_FROM.2: /(?:FROM)\b/i
_WHERE.2: /(?:WHERE)\b/i
_ORDER.2: /(?:ORDER)\b/i
_BY.2: /(?:BY)\b/i
_AS.2: /(?:AS)\b/i
_INSERT.2: /(?:INSERT)\b/i
_INTO.2: /(?:INTO)\b/i
_VALUE.2: /(?:VALUE)\b/i
_UPDATE.2: /(?:UPDATE)\b/i
_SET.2: /(?:SET)\b/i
_REMOVE.2: /(?:REMOVE)\b/i
_DELETE.2: /(?:DELETE)\b/i
_RETURNING.2: /(?:RETURNING)\b/i
_EXISTS.2: /(?:EXISTS)\b/i
_AND.2: /(?:AND)\b/i
_OR.2: /(?:OR)\b/i
_NOT.2: /(?:NOT)\b/i
_BETWEEN.2: /(?:BETWEEN)\b/i
_IN.2: /(?:IN)\b/i
_IS.2: /(?:IS)\b/i
NAME: /[A-Za-z_][A-Za-z0-9_$]*/
QUOTED: /"(?:[^"]|"")*"/
STRING: /'(?:[^']|'')*'/
NUMBER: /(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/
INT: /\d+/

%import common.WS
%ignore WS
%ignore /--[^\n]*/
%ignore /\/\*(.|\n)*?\*\//
"""

_PARSER = Lark(GRAMMAR, parser="lalr", start="start", maybe_placeholders=False)
_LOCK = threading.Lock()
NOT_WELL_FORMED = "Statement wasn't well formed, can't be processed: "
DML_KEYWORDS = ("SELECT", "INSERT", "UPDATE", "DELETE", "EXISTS")
KEYWORD_TERMINALS = {"_SELECT", "_FROM", "_WHERE", "_ORDER", "_BY", "_AS", "_INSERT", "_INTO", "_VALUE", "_UPDATE",
                     "_SET", "_REMOVE", "_DELETE", "_RETURNING", "_EXISTS", "_AND", "_OR", "_NOT", "_BETWEEN",
                     "_IN", "_IS", "DIRECTION", "RETURN_SCOPE", "RETURN_AGE"}


class _Builder(ConditionTrees):
    """Lark tree -> `nodes`; `?` parameters are numbered in text order."""

    def __init__(self) -> None:
        super().__init__()
        self.params = 0

    # -- terminals
    def PARAM(self, token: Token) -> nodes.Param:
        self.params += 1
        return nodes.Param(self.params - 1)

    def ident(self, children: list[Token]) -> str:
        token = children[0]
        if token.type == "QUOTED":
            return str(token)[1:-1].replace('""', '"')
        return str(token)

    def path(self, children: list[Any]) -> nodes.Path:
        return nodes.Path(tuple(int(c) if isinstance(c, Token) and c.type == "INT" else c for c in children))

    # -- values
    def string(self, children: list[Token]) -> nodes.Literal:
        return nodes.Literal("S", str(children[0])[1:-1].replace("''", "'"))

    def number(self, children: list[Token]) -> nodes.Literal:
        return nodes.Literal("N", str(children[0]))

    def negative(self, children: list[Token]) -> nodes.Literal:
        return nodes.Literal("N", "-" + str(children[1]))

    def true(self, _: list) -> nodes.Literal:
        return nodes.Literal("BOOL", True)

    def false(self, _: list) -> nodes.Literal:
        return nodes.Literal("BOOL", False)

    def null(self, _: list) -> nodes.Literal:
        return nodes.Literal("NULL", True)

    def missing(self, _: list) -> nodes.Literal:
        return nodes.Literal("MISSING")

    def param(self, children: list[nodes.Param]) -> nodes.Param:
        return children[0]

    def list(self, children: list[Any]) -> nodes.Literal:
        return nodes.Literal("L", tuple(children))

    def bag(self, children: list[Any]) -> nodes.Literal:
        return nodes.Literal("BAG", tuple(children[1:-1]))

    def pair(self, children: list[Any]) -> tuple:
        return children[0], children[1]

    def tuple(self, children: list[Any]) -> nodes.Literal:
        return nodes.Literal("M", tuple(children))

    # -- operands and conditions
    def call(self, children: list[Any]) -> nodes.Call:
        return nodes.Call(str(children[0]).lower(), tuple(children[1:]))

    def compare(self, children: list[Any]) -> nodes.Compare:
        left, op, right = children
        op = str(op)
        return nodes.Compare("<>" if op == "!=" else op, left, right)

    def sequence(self, children: list[Any]) -> tuple:
        return tuple(children)

    def in_(self, children: list[Any]) -> nodes.In:
        return nodes.In(children[0], children[1])

    def type_name(self, children: list[Token]) -> str:
        return str(children[0]).upper()

    def is_(self, children: list[Any]) -> nodes.Is:
        return nodes.Is(children[0], children[1], False)

    def is_not(self, children: list[Any]) -> nodes.Is:
        return nodes.Is(children[0], children[1], True)

    # -- statements
    def alias(self, children: list[Any]) -> None:
        raise TreeError("Aliasing is not supported")

    def source(self, children: list[Any]) -> nodes.Source:
        return nodes.Source(children[0], children[1] if len(children) > 1 else None)

    def projection(self, children: list[Any]) -> tuple | None:
        if isinstance(children[0], Token):
            return None
        return tuple(children)

    def where(self, children: list[Any]) -> nodes.Condition:
        return children[0]

    def order_item(self, children: list[Any]) -> tuple:
        descending = len(children) > 1 and str(children[1]).upper() == "DESC"
        return children[0], descending

    def order_by(self, children: list[Any]) -> tuple:
        return tuple(children)

    def select(self, children: list[Any]) -> nodes.Select:
        projection, source = children[0], children[1]
        where = next((c for c in children[2:] if not isinstance(c, tuple)), None)
        order = next((c for c in children[2:] if isinstance(c, tuple)), ())
        return nodes.Select(source, projection, where, order)

    def exists(self, children: list[Any]) -> nodes.Exists:
        return nodes.Exists(children[0])

    def insert(self, children: list[Any]) -> nodes.Insert:
        return nodes.Insert(children[0], children[1])

    def assignment(self, children: list[Any]) -> nodes.Assign:
        return nodes.Assign(children[0], children[2])

    def set_clause(self, children: list[Any]) -> tuple:
        return tuple(children)

    def remove_clause(self, children: list[Any]) -> tuple:
        return tuple(nodes.Remove(p) for p in children)

    def returning(self, children: list[Token]) -> str:
        return f"{str(children[0]).upper()} {str(children[1]).upper()}"

    def update(self, children: list[Any]) -> nodes.Update:
        table = children[0]
        actions: list = []
        where = returning = None
        for child in children[1:]:
            if isinstance(child, tuple):
                actions.extend(child)
            elif isinstance(child, str):
                returning = child
            else:
                where = child
        return nodes.Update(table, tuple(actions), where, returning)

    def delete(self, children: list[Any]) -> nodes.Delete:
        where = next((c for c in children[1:] if not isinstance(c, str)), None)
        returning = next((c for c in children[1:] if isinstance(c, str)), None)
        return nodes.Delete(children[0], where, returning)

    def start(self, children: list[Any]) -> Any:
        return children[0]


@lru_cache(maxsize=2048)
def parse(text: str) -> tuple[nodes.Statement, int]:
    """The statement and how many `?` parameters it uses; DynamoDB's errors when malformed."""
    with _LOCK:  # one parser object, shared
        try:
            tree: Tree = _PARSER.parse(text)
        except UnexpectedInput as error:
            raise ValidationException(NOT_WELL_FORMED + _detail(text, error)) from None
    builder = _Builder()
    with tree_errors(ValidationException):
        statement = builder.transform(tree)
    return statement, builder.params


def _complete(text: str) -> bool:
    """Whether `text` alone is a whole statement (so what follows it is a leftover)."""
    try:
        _PARSER.parse(text)
    except UnexpectedInput:
        return False
    return True


def _detail(text: str, error: UnexpectedInput) -> str:
    """DynamoDB's detail for a syntax error (its parser's wording, by the shape of the error)."""
    words = text.split(None, 1)
    if not words or words[0].split("(")[0].upper() not in DML_KEYWORDS:
        return "Expected data manipulation"
    if isinstance(error, UnexpectedCharacters):
        return ""
    token = getattr(error, "token", None)
    at_end = isinstance(error, UnexpectedEOF) or (token is not None and token.type == "$END")
    if not at_end and token is not None and _complete(text[:token.start_pos]):
        return "Unexpected token after expression"
    if at_end:
        before = text.rstrip().rstrip(";").split()
        if before and before[-1].upper() in ("AND", "OR"):
            return "Missing right-hand side expression of infix operator"
        if before and before[-1].upper() == "FROM":
            return "Expected identifier for simple path"
        return "Unexpected term"
    if isinstance(error, UnexpectedToken) and token is not None:
        if token.type in KEYWORD_TERMINALS:
            return "Unexpected keyword"
        if token.type in ("COMPARATOR", "EQ", "PLUS", "MINUS"):
            return "Unexpected operator"
    return "Unexpected term"
