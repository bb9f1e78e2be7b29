"""PartiQL literals and `?` parameters as DynamoDB attribute values.

'text' is S, numbers are N (with DynamoDB's number rules and its "under root.x" suffix),
TRUE/FALSE are BOOL, NULL is NULL, [..] is L, {'k': v} is M, and a bag <<..>> is a string
or number set.
"""
from __future__ import annotations

from typing import Sequence

from jobtable.engine.errors import ValidationException
from jobtable.engine.values import validate_value

from . import nodes

PARAMETER_COUNT = "Number of parameters in request and statement don't match."


def bind(node: nodes.Value, params: Sequence[dict], where: str = "root") -> dict:
    """The attribute value of a literal or parameter (`where` names it in error messages)."""
    if isinstance(node, nodes.Param):
        if node.index >= len(params):
            raise ValidationException(PARAMETER_COUNT)
        return params[node.index]
    kind, value = node.kind, node.value
    if kind == "S":
        return {"S": value}
    if kind == "N":
        try:
            return validate_value({"N": value})
        except ValidationException as error:
            raise ValidationException(f"{error.message} under {where}") from None
    if kind in ("BOOL", "NULL"):
        return {kind: value}
    if kind == "MISSING":
        raise ValidationException("MISSING must be compared using IS operator")
    if kind == "L":
        return {"L": [bind(v, params, f"{where}[{i}]") for i, v in enumerate(value)]}  # type: ignore[arg-type]
    if kind == "M":
        members: dict[str, dict] = {}
        for key_node, member in value:  # type: ignore[union-attr]
            key = bind(key_node, params, where)
            if "S" not in key:
                raise ValidationException(f"Tuple keys must be of type String. Actual type: {next(iter(key))} "
                                          f"under {where}")
            if key["S"] in members:
                raise ValidationException(f"Duplicate keys in tuple. Key: {key['S']} under {where}")
            members[key["S"]] = bind(member, params, f"{where}.{key['S']}")
        return {"M": members}
    return _bag([bind(v, params, where) for v in value], where)  # type: ignore[union-attr]


def _bag(elements: list[dict], where: str) -> dict:
    if not elements:
        raise ValidationException("Empty bags are not supported")
    tags = {next(iter(e)) for e in elements}
    if tags == {"S"}:
        return validate_value({"SS": [e["S"] for e in elements]})
    if tags == {"N"}:
        return validate_value({"NS": [e["N"] for e in elements]})
    raise ValidationException("Unsupported data type in Bag. DynamoDB only supports either numbers or strings in "
                              "bags")


def is_value(node: object) -> bool:
    return isinstance(node, (nodes.Literal, nodes.Param))
