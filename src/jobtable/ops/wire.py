"""Items as boto3's low-level client returns them, as JSON lines, and as a content digest.

boto3's client hands binary attributes over as `bytes`; DynamoDB JSON (the export format,
one `{"Item": {...}}` per line) carries them as base64 strings. The digest is
order-independent (a sum of per-item hashes) so two tables can be compared whatever order
their scans return items in, and it canonicalises what DynamoDB itself canonicalises
(set order, number spelling), so a faithful copy always matches.
"""
from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable

import orjson

Item = dict[str, Any]
_MOD = 1 << 256


def _map_value(value: dict[str, Any], on_binary: Callable[[Any], Any]) -> dict[str, Any]:
    (kind, inner), = value.items()
    if kind == "B":
        return {"B": on_binary(inner)}
    if kind == "BS":
        return {"BS": [on_binary(b) for b in inner]}
    if kind == "M":
        return {"M": {k: _map_value(v, on_binary) for k, v in inner.items()}}
    if kind == "L":
        return {"L": [_map_value(v, on_binary) for v in inner]}
    return value


def _to_base64(data: Any) -> str:
    return base64.b64encode(data).decode("ascii") if isinstance(data, (bytes, bytearray)) else data


def _from_base64(data: Any) -> bytes:
    return base64.b64decode(data) if isinstance(data, str) else data


def item_to_json(item: Item) -> Item:
    """A client item (bytes for binary) as DynamoDB JSON (base64 strings for binary)."""
    return {name: _map_value(value, _to_base64) for name, value in item.items()}


def item_from_json(item: Item) -> Item:
    """DynamoDB JSON (base64 binary) as a client item (bytes for binary)."""
    return {name: _map_value(value, _from_base64) for name, value in item.items()}


def dump_line(item: Item) -> bytes:
    """One line of the JSON-lines dump format: `{"Item": {...}}\\n`."""
    return orjson.dumps({"Item": item_to_json(item)}) + b"\n"


def parse_line(line: bytes | str) -> Item:
    record = orjson.loads(line)
    if not isinstance(record, dict) or not isinstance(record.get("Item"), dict):
        raise ValueError('each line must be a JSON object {"Item": {...}} in DynamoDB JSON')
    return item_from_json(record["Item"])


def _canonical_number(text: str) -> str:
    number = Decimal(text)
    return "0" if number == 0 else str(number.normalize())


def _canonical(value: dict[str, Any]) -> Any:
    (kind, inner), = value.items()
    if kind == "N":
        return {"N": _canonical_number(inner)}
    if kind == "NS":
        return {"NS": sorted(_canonical_number(n) for n in inner)}
    if kind in ("B", "BS"):
        inner = _to_base64(inner) if kind == "B" else sorted(_to_base64(b) for b in inner)
        return {kind: inner}
    if kind == "SS":
        return {"SS": sorted(inner)}
    if kind == "M":
        return {"M": {k: _canonical(v) for k, v in inner.items()}}
    if kind == "L":
        return {"L": [_canonical(v) for v in inner]}
    return value


def item_hash(item: Item) -> int:
    """A 256-bit hash of the item's content, independent of attribute and set order."""
    canonical = {name: _canonical(value) for name, value in item.items()}
    return int.from_bytes(hashlib.sha256(orjson.dumps(canonical, option=orjson.OPT_SORT_KEYS)).digest(), "big")


@dataclass
class Digest:
    """Item count plus an order-independent content checksum (sum of item hashes mod 2^256)."""

    count: int = 0
    total: int = 0

    def add(self, item: Item) -> None:
        self.count += 1
        self.total = (self.total + item_hash(item)) % _MOD

    def merge(self, other: "Digest") -> None:
        self.count += other.count
        self.total = (self.total + other.total) % _MOD

    @property
    def checksum(self) -> str:
        return f"{self.total:064x}"

    @classmethod
    def restore(cls, count: int, checksum: str) -> "Digest":
        return cls(count, int(checksum, 16))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Digest) and (self.count, self.total) == (other.count, other.total)
