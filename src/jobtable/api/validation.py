"""Structural request validation driven by botocore's service model.

Each operation's input shape is compiled once into a checker that reports what DynamoDB
reports: `N validation error(s) detected: Value '...' at 'path' failed to satisfy
constraint: ...` for constraints, SerializationException for wrong JSON types. Attribute
values are left to engine/values.py, which knows their finer rules.
"""
from __future__ import annotations

import functools
import re
from typing import Any, Callable

import botocore.session
from botocore.model import ListShape, MapShape, OperationModel, Shape, StructureShape

from jobtable.engine.errors import SerializationException, ValidationException

# Shapes whose content engine/values.py validates (faster and with DynamoDB's own wording).
OPAQUE_SHAPES = {"AttributeValue"}

Checker = Callable[[Any, str, list], None]

# Members DynamoDB still requires although the published model marks them optional.
EXTRA_REQUIRED = {("dynamodb", "CreateTable"): ("AttributeDefinitions", "KeySchema")}


@functools.lru_cache(maxsize=None)
def service_model(service: str = "dynamodb") -> Any:
    return botocore.session.get_session().get_service_model(service)


def operation_names(service: str = "dynamodb") -> frozenset[str]:
    return frozenset(service_model(service).operation_names)


def _camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def _render(value: Any) -> str:
    """Java-like rendering of a value inside an error message."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_render(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={_render(v)}" for k, v in value.items()) + "}"
    return str(value)


def _violation(errors: list, value: Any, path: str, constraint: str) -> None:
    shown = "null" if value is None else f"'{_render(value)}'"
    errors.append(f"Value {shown} at '{path}' failed to satisfy constraint: {constraint}")


def _length_checks(shape: Shape, errors: list, value: Any, path: str, length: int) -> None:
    meta = shape.metadata
    if "min" in meta and length < meta["min"]:
        _violation(errors, value, path, f"Member must have length greater than or equal to {meta['min']}")
    if "max" in meta and length > meta["max"]:
        _violation(errors, value, path, f"Member must have length less than or equal to {meta['max']}")


def _serialization_error(expected: str) -> SerializationException:
    return SerializationException(f"Unexpected value type in payload; expected {expected}")


# Java's Unicode classes used by some models (e.g. IAM tag keys), as the nearest Python class.
_UNICODE_CLASSES = {r"\p{L}": r"\w", r"\p{N}": r"\d", r"\p{Z}": r"\s"}


def _python_regex(pattern: str) -> re.Pattern[str] | None:
    """The model's pattern for Python's re; None (no check) when it cannot be expressed."""
    for java, python in _UNICODE_CLASSES.items():
        pattern = pattern.replace(java, python)
    try:
        return re.compile(pattern)
    except re.error:
        return None


@functools.lru_cache(maxsize=None)
def _compile(shape: Shape) -> Checker:
    kind = shape.type_name
    if shape.name in OPAQUE_SHAPES:
        def check_opaque(value: Any, path: str, errors: list) -> None:
            if not isinstance(value, dict):
                raise _serialization_error("an AttributeValue object")
        return check_opaque
    if isinstance(shape, StructureShape):
        members = {name: (_compile(member), _camel(name)) for name, member in shape.members.items()}
        required = tuple(shape.required_members)

        def check_structure(value: Any, path: str, errors: list) -> None:
            if not isinstance(value, dict):
                raise _serialization_error("a structure")
            prefix = f"{path}." if path else ""
            for name in required:
                if value.get(name) is None:
                    _violation(errors, None, prefix + _camel(name), "Member must not be null")
            for name, item in value.items():
                entry = members.get(name)
                if entry is None or item is None:
                    continue  # unknown members are ignored, as DynamoDB's JSON reader does
                entry[0](item, prefix + entry[1], errors)
        return check_structure
    if isinstance(shape, ListShape):
        member_check = _compile(shape.member)

        def check_list(value: Any, path: str, errors: list) -> None:
            if not isinstance(value, list):
                raise _serialization_error("a list")
            _length_checks(shape, errors, value, path, len(value))
            for i, item in enumerate(value, start=1):
                if item is not None:
                    member_check(item, f"{path}.{i}.member", errors)
        return check_list
    if isinstance(shape, MapShape):
        key_check = _compile(shape.key)
        value_check = _compile(shape.value)

        def check_map(value: Any, path: str, errors: list) -> None:
            if not isinstance(value, dict):
                raise _serialization_error("a map")
            _length_checks(shape, errors, value, path, len(value))
            for k, v in value.items():
                key_check(k, f"{path}.key", errors)
                if v is not None:
                    value_check(v, f"{path}.{k}.member", errors)
        return check_map
    if kind == "string":
        enum = shape.enum
        pattern = shape.metadata.get("pattern")
        regex = _python_regex(pattern) if pattern else None

        def check_string(value: Any, path: str, errors: list) -> None:
            if not isinstance(value, str):
                raise _serialization_error("a string")
            _length_checks(shape, errors, value, path, len(value))
            if enum and value not in enum:
                _violation(errors, value, path, "Member must satisfy enum value set: [" + ", ".join(enum) + "]")
            if regex is not None and not regex.fullmatch(value):
                _violation(errors, value, path, f"Member must satisfy regular expression pattern: {pattern}")
        return check_string
    if kind in ("integer", "long"):
        def check_integer(value: Any, path: str, errors: list) -> None:
            if isinstance(value, bool) or not isinstance(value, int):
                if isinstance(value, float) and value.is_integer():
                    value = int(value)
                else:
                    raise _serialization_error("an integer")
            meta = shape.metadata
            if "min" in meta and value < meta["min"]:
                _violation(errors, value, path, f"Member must have value greater than or equal to {meta['min']}")
            if "max" in meta and value > meta["max"]:
                _violation(errors, value, path, f"Member must have value less than or equal to {meta['max']}")
        return check_integer
    if kind in ("double", "float"):
        def check_number(value: Any, path: str, errors: list) -> None:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise _serialization_error("a number")
        return check_number
    if kind == "boolean":
        def check_boolean(value: Any, path: str, errors: list) -> None:
            if not isinstance(value, bool):
                raise _serialization_error("a boolean")
        return check_boolean
    if kind == "timestamp":
        def check_timestamp(value: Any, path: str, errors: list) -> None:
            if isinstance(value, bool) or not isinstance(value, (int, float, str)):
                raise _serialization_error("a timestamp")
        return check_timestamp
    if kind == "blob":
        def check_blob(value: Any, path: str, errors: list) -> None:
            if not isinstance(value, str):
                raise _serialization_error("a base64 string")
        return check_blob

    def accept(value: Any, path: str, errors: list) -> None:
        return None
    return accept


@functools.lru_cache(maxsize=None)
def _operation_checker(service: str, operation: str) -> Checker | None:
    model: OperationModel = service_model(service).operation_model(operation)
    if model.input_shape is None:
        return None
    return _compile(model.input_shape)


def validate_request(operation: str, body: dict, service: str = "dynamodb") -> None:
    """Raise ValidationException listing every constraint `body` violates."""
    checker = _operation_checker(service, operation)
    if checker is None:
        return
    errors: list[str] = []
    for name in EXTRA_REQUIRED.get((service, operation), ()):
        if body.get(name) is None:
            _violation(errors, None, _camel(name), "Member must not be null")
    checker(body, "", errors)
    if errors:
        noun = "error" if len(errors) == 1 else "errors"
        raise ValidationException(f"{len(errors)} validation {noun} detected: " + "; ".join(errors))
