"""Wire-format attribute values (`{"S": "x"}`) to text and back, for pages and forms.

Everything here returns plain strings; the templates escape them (autoescape), so no
value from an item ever reaches the page as markup.
"""
from __future__ import annotations

import base64
import binascii
from typing import Any, Mapping

import orjson

Item = Mapping[str, Any]


def _b64(data: Any) -> str:
    return base64.b64encode(data).decode("ascii") if isinstance(data, (bytes, bytearray)) else str(data)


def plain(value: Mapping[str, Any]) -> Any:
    """A value orjson can write; numbers are written exactly as stored (orjson.Fragment)."""
    (kind, inner), = value.items()
    if kind == "S":
        return inner
    if kind == "N":
        return orjson.Fragment(inner)
    if kind == "BOOL":
        return bool(inner)
    if kind == "NULL":
        return None
    if kind == "B":
        return _b64(inner)
    if kind == "SS":
        return list(inner)
    if kind == "NS":
        return [orjson.Fragment(x) for x in inner]
    if kind == "BS":
        return [_b64(x) for x in inner]
    if kind == "L":
        return [plain(x) for x in inner]
    if kind == "M":
        return {k: plain(v) for k, v in inner.items()}
    return inner


def display(value: Mapping[str, Any] | None) -> str:
    """Short text for a table cell: strings as they are, everything else as compact JSON."""
    if not value:
        return ""
    (kind, inner), = value.items()
    if kind in ("S", "N"):
        return str(inner)
    if kind == "BOOL":
        return "true" if inner else "false"
    if kind == "NULL":
        return "null"
    if kind == "B":
        return "b64:" + _b64(inner)
    text = orjson.dumps(plain(value)).decode()
    return "{" + text[1:-1] + "}" if kind in ("SS", "NS", "BS") else text


def item_json(item: Item) -> str:
    """The item in DynamoDB JSON, indented (binary shown as base64, as on the wire)."""
    return orjson.dumps(_jsonable(dict(item)), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode()


def _jsonable(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        return _b64(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    return value


def typed(attribute_type: str, text: str) -> dict[str, Any]:
    """A key value typed in a form -> attribute value (B is entered as base64)."""
    if attribute_type == "B":
        try:
            return {"B": base64.b64decode(text.encode("ascii"), validate=True)}
        except (binascii.Error, UnicodeEncodeError):
            raise ValueError(f"'{text}' is not valid base64 for a binary key") from None
    return {attribute_type: text}


def encode_key(key: Item) -> str:
    """A LastEvaluatedKey as an opaque URL-safe token (the next page's `start`)."""
    wire = {name: ({"B": _b64(v["B"])} if "B" in v else v) for name, v in key.items()}
    return base64.urlsafe_b64encode(orjson.dumps(wire)).decode("ascii").rstrip("=")


def decode_key(token: str) -> dict[str, Any]:
    """The inverse of encode_key; ValueError for a damaged token."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        wire = orjson.loads(raw)
    except (binascii.Error, ValueError, orjson.JSONDecodeError):
        raise ValueError("the page token is damaged; start again from the first page") from None
    if not isinstance(wire, dict) or not all(isinstance(v, dict) and len(v) == 1 for v in wire.values()):
        raise ValueError("the page token is damaged; start again from the first page")
    return {name: ({"B": base64.b64decode(v["B"])} if "B" in v else v) for name, v in wire.items()}
