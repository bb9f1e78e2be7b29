"""Reading, writing and comparing attribute values inside items (DynamoDB wire format).

An item is `{"name": {"S": "x"}, ...}`; a resolved path is a tuple of map keys (str) and
list indexes (int). Writers copy every container they change, so callers can hand out the
original item unchanged (`Update.apply` returns a new item).
"""
from __future__ import annotations

from typing import Any, Callable, Optional

from jobtable.engine.errors import ValidationException
from jobtable.engine.numbers import to_decimal
from jobtable.engine.values import binary_length, decode_binary, values_equal

from .messages import INVALID_UPDATE_PATH

AttributeValue = dict
ResolvedPath = tuple  # (str, str | int, ...)


def type_of(value: AttributeValue) -> str:
    for tag in value:
        return tag
    raise ValidationException("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes")


def get_path(item: Optional[dict], path: ResolvedPath) -> Optional[AttributeValue]:
    """The value at `path`, or None when any step is missing or of the wrong type."""
    if not item:
        return None
    value = item.get(path[0])
    for step in path[1:]:
        if value is None:
            return None
        if type(step) is int:
            elements = value.get("L")
            if elements is None or step >= len(elements):
                return None
            value = elements[step]
        else:
            members = value.get("M")
            if members is None:
                return None
            value = members.get(step)
    return value


def _copy_container(value: AttributeValue) -> AttributeValue:
    if "M" in value:
        return {"M": dict(value["M"])}
    if "L" in value:
        return {"L": list(value["L"])}
    raise ValidationException(INVALID_UPDATE_PATH)


def _parent_for_write(item: dict, path: ResolvedPath) -> AttributeValue:
    """Copy the containers down to the parent of the last step; the parent must exist."""
    head = item.get(path[0])
    if head is None:
        raise ValidationException(INVALID_UPDATE_PATH)
    container = item[path[0]] = _copy_container(head)
    for step in path[1:-1]:
        if type(step) is int:
            elements = container.get("L")
            if elements is None or step >= len(elements):
                raise ValidationException(INVALID_UPDATE_PATH)
            child = elements[step] = _copy_container(elements[step])
        else:
            members = container.get("M")
            if members is None or step not in members:
                raise ValidationException(INVALID_UPDATE_PATH)
            child = members[step] = _copy_container(members[step])
        container = child
    return container


def set_path(item: dict, path: ResolvedPath, value: AttributeValue) -> None:
    """Write `value` at `path` in `item` (mutated); a list index past the end appends."""
    if len(path) == 1:
        item[path[0]] = value
        return
    parent = _parent_for_write(item, path)
    step = path[-1]
    if type(step) is int:
        elements = parent.get("L")
        if elements is None:
            raise ValidationException(INVALID_UPDATE_PATH)
        if step >= len(elements):
            elements.append(value)
        else:
            elements[step] = value
    else:
        members = parent.get("M")
        if members is None:
            raise ValidationException(INVALID_UPDATE_PATH)
        members[step] = value


def remove_path(item: dict, path: ResolvedPath) -> None:
    """Delete the value at `path` from `item` (mutated).

    A missing last step (absent key, index past the end) is ignored, but the containers
    leading to it must exist with the right types, as DynamoDB requires.
    """
    if len(path) == 1:
        item.pop(path[0], None)
        return
    parent = get_path(item, path[:-1])
    step = path[-1]
    container_type = "L" if type(step) is int else "M"
    if parent is None or container_type not in parent:
        raise ValidationException(INVALID_UPDATE_PATH)
    container = parent[container_type]
    if (step >= len(container)) if type(step) is int else (step not in container):
        return
    parent = _parent_for_write(item, path)
    del parent[container_type][step]


def _set_element_key(tag: str) -> Callable[[str], object]:
    """How set elements are compared: numbers by value, binaries by bytes, strings as is."""
    if tag == "NS":
        return to_decimal
    if tag == "BS":
        return decode_binary
    return str


def set_union(tag: str, existing: list, added: list) -> list:
    """`existing` followed by the elements of `added` it does not hold yet (SS, NS or BS)."""
    key = _set_element_key(tag)
    present = {key(e) for e in existing}
    merged = list(existing)
    for element in added:
        k = key(element)
        if k not in present:
            present.add(k)
            merged.append(element)
    return merged


def set_difference(tag: str, existing: list, removed: list) -> list:
    """The elements of `existing` not in `removed` (SS, NS or BS)."""
    key = _set_element_key(tag)
    gone = {key(e) for e in removed}
    return [e for e in existing if key(e) not in gone]


def equal(left: Optional[AttributeValue], right: Optional[AttributeValue]) -> bool:
    if left is None or right is None:
        return False
    return values_equal(left, right)


def _ordered_pair(left: Optional[AttributeValue], right: Optional[AttributeValue]) -> Optional[tuple[Any, Any]]:
    """Comparable Python values for two operands of the same scalar type, else None."""
    if left is None or right is None:
        return None
    tag = type_of(left)
    if tag != type_of(right):
        return None
    if tag == "N":
        return to_decimal(left["N"]), to_decimal(right["N"])
    if tag == "S":  # code point order equals UTF-8 byte order
        return left["S"], right["S"]
    if tag == "B":
        return decode_binary(left["B"]), decode_binary(right["B"])
    return None


def less(left: Optional[AttributeValue], right: Optional[AttributeValue]) -> bool:
    pair = _ordered_pair(left, right)
    return pair is not None and pair[0] < pair[1]


def less_equal(left: Optional[AttributeValue], right: Optional[AttributeValue]) -> bool:
    pair = _ordered_pair(left, right)
    return pair is not None and pair[0] <= pair[1]


def compare_bounds(low: AttributeValue, high: AttributeValue) -> bool:
    """True when low <= high (both the same scalar type)."""
    pair = _ordered_pair(low, high)
    return pair is not None and pair[0] <= pair[1]


def begins_with(value: Optional[AttributeValue], prefix: Optional[AttributeValue]) -> bool:
    if value is None or prefix is None:
        return False
    if "S" in value and "S" in prefix:
        return value["S"].startswith(prefix["S"])
    if "B" in value and "B" in prefix:
        return decode_binary(value["B"]).startswith(decode_binary(prefix["B"]))
    return False


def contains(value: Optional[AttributeValue], operand: Optional[AttributeValue]) -> bool:
    """Substring of a string, element of a set of the matching type, or element of a list."""
    if value is None or operand is None:
        return False
    tag = type_of(value)
    operand_tag = type_of(operand)
    if tag == "S":
        return operand_tag == "S" and operand["S"] in value["S"]
    if tag == "B":
        return operand_tag == "B" and decode_binary(operand["B"]) in decode_binary(value["B"])
    if tag == "SS":
        return operand_tag == "S" and operand["S"] in value["SS"]
    if tag == "NS":
        if operand_tag != "N":
            return False
        wanted = to_decimal(operand["N"])
        return any(to_decimal(x) == wanted for x in value["NS"])
    if tag == "BS":
        if operand_tag != "B":
            return False
        wanted_bytes = decode_binary(operand["B"])
        return any(decode_binary(x) == wanted_bytes for x in value["BS"])
    if tag == "L":
        return any(values_equal(element, operand) for element in value["L"])
    return False


def size(value: Optional[AttributeValue]) -> Optional[AttributeValue]:
    """size(): UTF-8 length of a string, length of a binary, element count of sets, lists, maps."""
    if value is None:
        return None
    tag = type_of(value)
    if tag == "S":  # documented as the attribute's size in bytes
        return {"N": str(len(value["S"].encode("utf-8")))}
    if tag == "B":
        return {"N": str(binary_length(value["B"]))}
    if tag in ("SS", "NS", "BS", "L", "M"):
        return {"N": str(len(value[tag]))}
    return None
