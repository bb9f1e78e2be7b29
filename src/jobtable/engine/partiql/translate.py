"""PartiQL conditions and SET/REMOVE clauses as DynamoDB expression trees.

WHERE clauses become condition trees and UPDATE clauses update trees over an
`ExpressionBuilder`, compiled by the same expression machinery as ConditionExpression and
UpdateExpression (one evaluator). `a IS MISSING` is attribute_not_exists(a), `a IS NULL`
is true for a NULL value or a missing attribute (PartiQL: MISSING IS NULL), and
`set_add(s, <<..>>)` / `set_delete` are ADD / DELETE actions.
"""
from __future__ import annotations

from typing import Sequence

from jobtable.engine.errors import ValidationException
from jobtable.engine.expressions import ast
from jobtable.engine.expressions.builder import ExpressionBuilder, any_of, grouped, negated

from . import nodes
from .literals import bind, is_value

# `IS <type>` names and the DynamoDB types they test.
IS_TYPES = {"BOOLEAN": ("BOOL",), "BOOL": ("BOOL",), "STRING": ("S",), "BLOB": ("B",), "LIST": ("L",),
            "STRUCT": ("M",), "TUPLE": ("M",), "NUMERIC": ("N",), "INT": ("N",), "INTEGER": ("N",),
            "DECIMAL": ("N",), "FLOAT": ("N",), "DOUBLE": ("N",)}
IS_SUPPORTED = "[MISSING, NULL, BOOLEAN, BLOB, STRING, NUMERIC, STRUCT, TUPLE, LIST]"
CONDITION_FUNCTIONS = {"begins_with": 2, "contains": 2, "attribute_type": 2, "attribute_exists": 1,
                       "attribute_not_exists": 1}


class Translator:
    """Turns one statement's nodes into expression trees, binding its parameters."""

    def __init__(self, params: Sequence[dict]) -> None:
        self.params = params
        self.builder = ExpressionBuilder()

    # -------------------------------------------------------- operands
    def path(self, path: nodes.Path) -> ast.Path:
        return self.builder.path(*path.elements)  # type: ignore[arg-type]

    def value(self, node: nodes.Value) -> ast.ValueRef:
        return self.builder.value(bind(node, self.params))

    def operand(self, node: nodes.Operand) -> ast.Operand:
        if isinstance(node, nodes.Path):
            return self.path(node)
        if is_value(node):
            return self.value(node)  # type: ignore[arg-type]
        if isinstance(node, nodes.Call) and node.name == "size" and len(node.args) == 1:
            return ast.Call("size", (self.operand(node.args[0]),))
        if isinstance(node, nodes.Arithmetic):
            raise ValidationException(f"Unsupported operator in Condition Expression. Operator: {node.op}")
        raise ValidationException(f"Unrecognized function: {node.name}")  # type: ignore[union-attr]

    # -------------------------------------------------------- conditions
    def condition(self, node: nodes.Condition) -> ast.Condition:
        if isinstance(node, nodes.And):
            return ast.And(grouped(self.condition(node.left)), grouped(self.condition(node.right)))
        if isinstance(node, nodes.Or):
            return ast.Or(grouped(self.condition(node.left)), grouped(self.condition(node.right)))
        if isinstance(node, nodes.Not):
            return negated(self.condition(node.operand))
        if isinstance(node, nodes.Compare):
            return ast.Compare(node.op, self.operand(node.left), self.operand(node.right))
        if isinstance(node, nodes.Between):
            return ast.Between(self.operand(node.operand), self.operand(node.low), self.operand(node.high))
        if isinstance(node, nodes.In):
            return ast.In(self.operand(node.operand), tuple(self.operand(c) for c in node.choices))
        if isinstance(node, nodes.Is):
            return self._is(node)
        if isinstance(node, nodes.Call):
            return self._function(node)
        raise ValidationException("WHERE clause must contain an expression that resolves to a boolean")

    def _is(self, node: nodes.Is) -> ast.Condition:
        if not isinstance(node.operand, nodes.Path):
            raise ValidationException("The left hand side argument to IS must be a Variable Reference, Literal, "
                                      "or Path")
        path = self.path(node.operand)
        if node.type_name == "MISSING":
            test: ast.Condition = ast.Call("attribute_not_exists", (path,))
        elif node.type_name == "NULL":
            test = any_of([self._has_type(path, "NULL"), ast.Call("attribute_not_exists", (path,))])
        elif node.type_name in IS_TYPES:
            test = self._has_type(path, IS_TYPES[node.type_name][0])
        else:
            raise ValidationException(f"Unsupported data type for IS operator: {node.type_name}. Supported data "
                                      f"types are {IS_SUPPORTED}")
        return negated(test) if node.negated else test

    def _has_type(self, path: ast.Path, tag: str) -> ast.Condition:
        return ast.Call("attribute_type", (path, self.builder.value({"S": tag})))

    def _function(self, node: nodes.Call) -> ast.Condition:
        if node.name not in CONDITION_FUNCTIONS:
            raise ValidationException(f"Unrecognized function: {node.name}")
        return ast.Call(node.name, tuple(self.operand(a) for a in node.args))

    # -------------------------------------------------------- updates
    def update_sections(self, actions: Sequence[nodes.Assign | nodes.Remove]) -> list[ast.Section]:
        sections: dict[str, list[ast.Action]] = {"SET": [], "REMOVE": [], "ADD": [], "DELETE": []}
        for action in actions:
            if isinstance(action, nodes.Remove):
                sections["REMOVE"].append(ast.RemoveAction(self.path(action.path)))
                continue
            value = action.value
            if isinstance(value, nodes.Call) and value.name in ("set_add", "set_delete"):
                keyword = "ADD" if value.name == "set_add" else "DELETE"
                sections[keyword].append(self._set_operation(action.path, value, keyword))
            else:
                sections["SET"].append(ast.SetAction(self.path(action.path), self._set_value(value)))
        return [ast.Section(k, tuple(v)) for k, v in sections.items() if v]

    def _set_operation(self, target: nodes.Path, call: nodes.Call, keyword: str) -> ast.Action:
        suffix = call.name[4:].upper()
        if len(call.args) != 2:
            raise ValidationException(f"SET_{suffix} must have exactly two arguments")
        first, second = call.args
        if first != target:
            raise ValidationException(f"The first argument to SET_{suffix} must equal the assignment value")
        if not is_value(second):
            raise ValidationException(f"The second argument to SET_{suffix} must be a value with type SET")
        value = bind(second, self.params)  # type: ignore[arg-type]
        if next(iter(value)) not in ("SS", "NS", "BS"):
            raise ValidationException(f"The second argument to SET_{suffix} must be a value with type SET")
        ref = self.builder.value(value)
        path = self.path(target)
        return ast.AddAction(path, ref) if keyword == "ADD" else ast.DeleteAction(path, ref)

    def _set_value(self, node: nodes.Operand) -> ast.Operand:
        if isinstance(node, nodes.Arithmetic):
            return ast.Arithmetic(node.op, self._set_value(node.left), self._set_value(node.right))
        if isinstance(node, nodes.Call):
            if node.name not in ("list_append", "if_not_exists"):
                raise ValidationException(f"Unrecognized function: {node.name}")
            return ast.Call(node.name, tuple(self._set_value(a) for a in node.args))
        if isinstance(node, nodes.Path):
            return self.path(node)
        return self.value(node)  # type: ignore[arg-type]


def conjuncts(node: nodes.Condition | None) -> list[nodes.Condition]:
    """The terms of a top-level AND chain (one term for anything else)."""
    if node is None:
        return []
    if isinstance(node, nodes.And):
        return conjuncts(node.left) + conjuncts(node.right)
    return [node]
