"""Temporary stand-ins for jobtable.engine.numbers / values until they land on main.

Kept private and minimal; replaced by the real modules after `git merge main`.
"""
from __future__ import annotations

import base64
import decimal
from decimal import Decimal

from jobtable.engine.errors import ValidationException

_CONTEXT = decimal.Context(prec=60)


def to_decimal(text: str) -> Decimal:
    return Decimal(text)


def decimal_to_number(value: Decimal) -> str:
    value = value.normalize(_CONTEXT)
    if value.is_zero():
        return "0"
    digits = len(value.as_tuple().digits)
    if digits > 38:
        raise ValidationException("Attempting to store more than 38 significant digits in a Number")
    if value.adjusted() > 125:
        raise ValidationException(
            "Number overflow. Attempting to store a number with magnitude larger than supported range"
        )
    if value.adjusted() < -130:
        raise ValidationException(
            "Number underflow. Attempting to store a number with magnitude smaller than supported range"
        )
    return format(value, "f")


def decode_binary(text: str) -> bytes:
    return base64.b64decode(text)


def values_equal(a: dict, b: dict) -> bool:
    (ta, va), = a.items()
    (tb, vb), = b.items()
    if ta != tb:
        return False
    if ta == "N":
        return Decimal(va) == Decimal(vb)
    if ta == "B":
        return decode_binary(va) == decode_binary(vb)
    if ta == "NS":
        return {Decimal(x) for x in va} == {Decimal(x) for x in vb}
    if ta == "BS":
        return {decode_binary(x) for x in va} == {decode_binary(x) for x in vb}
    if ta == "SS":
        return set(va) == set(vb)
    if ta == "L":
        return len(va) == len(vb) and all(values_equal(x, y) for x, y in zip(va, vb))
    if ta == "M":
        return va.keys() == vb.keys() and all(values_equal(va[k], vb[k]) for k in va)
    return va == vb
