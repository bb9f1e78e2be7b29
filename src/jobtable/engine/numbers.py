"""DynamoDB's Number type: validation, canonical form, arithmetic and an order-preserving key codec.

A DynamoDB number is a decimal with at most 38 significant digits whose magnitude is 0 or
lies in 1E-130 .. 9.9999999999999999999999999999999999999E+125. DynamoDB answers numbers in
plain notation with leading and trailing zeros trimmed ("1.50" -> "1.5", "1e2" -> "100",
"-0.0" -> "0"), so that is the canonical form kept everywhere inside the engine.
"""
from __future__ import annotations

import re
from decimal import Context, Decimal, InvalidOperation

from jobtable.engine.errors import ValidationException

MAX_SIGNIFICANT_DIGITS = 38
MAX_EXPONENT = 125  # exponent of the leading digit of the largest magnitude
MIN_EXPONENT = -130  # exponent of the leading digit of the smallest magnitude

NOT_NUMERIC = "The parameter cannot be converted to a numeric value"
TOO_PRECISE = "Attempting to store more than 38 significant digits in a Number"
OVERFLOW = "Number overflow. Attempting to store a number with magnitude larger than supported range"
UNDERFLOW = "Number underflow. Attempting to store a number with magnitude smaller than supported range"

# What DynamoDB (Java's BigDecimal grammar) accepts: optional sign, digits with an optional
# point (".5" and "5." too), optional exponent. No spaces, NaN, Infinity or underscores,
# all of which Python's Decimal() would let through.
_NUMBER = re.compile(r"([+-]?)(?:([0-9]+)(?:\.([0-9]*))?|\.([0-9]+))(?:[eE]([+-]?[0-9]+))?", re.ASCII)
_MATCH = _NUMBER.fullmatch

# Wide enough that adding or subtracting two in-range numbers is always exact
# (the widest exact result spans 10^125 .. 10^-167, far below 400 digits).
_EXACT = Context(prec=400, Emax=10_000, Emin=-10_000)


def _parse(text: str) -> tuple[bool, str, int]:
    """Split a DynamoDB N string into (negative, significant digits, leading exponent),
    raising DynamoDB's errors for syntax, range and precision."""
    match = _MATCH(text) if isinstance(text, str) else None
    if match is None:
        raise ValidationException(f"{NOT_NUMERIC}: {text}" if text else NOT_NUMERIC)
    sign, whole, fraction, bare_fraction, exponent_text = match.groups()
    if bare_fraction is not None:
        whole, fraction = "", bare_fraction
    elif fraction is None:
        fraction = ""
    digits = (whole + fraction).lstrip("0")
    if not digits:
        return False, "", 0  # any spelling of zero, even "0e999999"
    trimmed = digits.rstrip("0")
    # Power of ten of the leading digit: digits after the point shift it down.
    leading = len(digits) - len(fraction) - 1
    if exponent_text:
        if len(exponent_text) > 12:  # beyond any range; avoid int() on absurd inputs
            raise ValidationException(UNDERFLOW if exponent_text[0] == "-" else OVERFLOW)
        leading += int(exponent_text)
    _check_range(trimmed, leading)
    return sign == "-", trimmed, leading


def _check_range(digits: str, leading: int) -> None:
    """DynamoDB's limits on a number: exponent of its leading digit, then significant digits."""
    if leading > MAX_EXPONENT:
        raise ValidationException(OVERFLOW)
    if leading < MIN_EXPONENT:
        raise ValidationException(UNDERFLOW)
    if len(digits) > MAX_SIGNIFICANT_DIGITS:
        raise ValidationException(TOO_PRECISE)


def _render(negative: bool, digits: str, leading: int) -> str:
    """Plain-notation text of ±0.digits × 10^(leading+1), as DynamoDB prints numbers."""
    if not digits:
        return "0"
    point = leading + 1  # digits before the decimal point
    count = len(digits)
    if point >= count:
        text = digits + "0" * (point - count)
    elif point > 0:
        text = digits[:point] + "." + digits[point:]
    else:
        text = "0." + "0" * -point + digits
    return "-" + text if negative else text


def normalize_number(text: str) -> str:
    """Validate a DynamoDB N string and return the canonical text DynamoDB would answer."""
    # Fast path: a plain integer without leading zeros (e.g. a timestamp) is already canonical.
    if isinstance(text, str) and 0 < len(text) <= MAX_SIGNIFICANT_DIGITS and text.isascii():
        body = text[1:] if text[0] == "-" else text
        if body.isdigit() and body[0] != "0":
            return text
    return _render(*_parse(text))


def parse_number(text: str) -> tuple[bool, str, int]:
    """(negative, significant digits, exponent of the leading digit) of a valid N string."""
    return _parse(text)


def to_decimal(text: str) -> Decimal:
    """Exact Decimal of an already validated N string (comparison and arithmetic)."""
    return Decimal(text)


def decimal_to_number(value: Decimal) -> str:
    """Canonical N text of a Decimal, raising DynamoDB's range and precision errors."""
    if not value.is_finite():
        raise ValidationException(f"{NOT_NUMERIC}: {value}")
    sign, digit_tuple, exponent = value.as_tuple()
    digits = "".join(map(str, digit_tuple)).lstrip("0")
    if not digits:
        return "0"
    leading = exponent + len(digits) - 1
    trimmed = digits.rstrip("0")
    _check_range(trimmed, leading)
    return _render(bool(sign), trimmed, leading)


def _arithmetic_result(value: Decimal) -> str:
    # DynamoDB computes `a + b` exactly and refuses results that do not fit; a result that
    # needs more than 38 digits is reported as an overflow, not as a precision error
    # (observed on DynamoDB for 1e50 - 1, see docs/engine-values.md).
    try:
        return decimal_to_number(value)
    except ValidationException as error:
        if error.message == TOO_PRECISE:
            raise ValidationException(OVERFLOW) from None
        raise


def add_numbers(left: str, right: str) -> str:
    """`left + right` for two valid N strings, as UpdateExpression SET and ADD compute it."""
    try:
        return _arithmetic_result(_EXACT.add(Decimal(left), Decimal(right)))
    except InvalidOperation:
        raise ValidationException(f"{NOT_NUMERIC}: {left}") from None


def subtract_numbers(left: str, right: str) -> str:
    """`left - right` for two valid N strings, as UpdateExpression SET computes it."""
    try:
        return _arithmetic_result(_EXACT.subtract(Decimal(left), Decimal(right)))
    except InvalidOperation:
        raise ValidationException(f"{NOT_NUMERIC}: {left}") from None


# Key codec. Layout: one class byte (negative < zero < positive), then for non-zero numbers
# one exponent byte and the significant digits as ASCII. Negative numbers store the
# exponent and digits complemented plus a terminator above every digit, so that a longer
# digit string (a larger magnitude) sorts first.
_NEGATIVE, _ZERO, _POSITIVE = b"\x01", b"\x02", b"\x03"
_COMPLEMENT = str.maketrans("0123456789", "9876543210")
_TERMINATOR = b"\xff"
_ZERO_KEY = _ZERO


def encode_number_key(text: str) -> bytes:
    """Order-preserving bytes of a number: bytewise order equals numeric order."""
    negative, digits, leading = _parse(text)
    if not digits:
        return _ZERO_KEY
    exponent_byte = leading - MIN_EXPONENT  # 0 .. 255
    if negative:
        return (
            _NEGATIVE
            + bytes((255 - exponent_byte,))
            + digits.translate(_COMPLEMENT).encode("ascii")
            + _TERMINATOR
        )
    return _POSITIVE + bytes((exponent_byte,)) + digits.encode("ascii")


def decode_number_key(data: bytes) -> str:
    """Canonical N text back from encode_number_key's bytes."""
    kind = data[:1]
    if kind == _ZERO:
        return "0"
    if kind == _POSITIVE:
        return _render(False, data[2:].decode("ascii"), data[1] + MIN_EXPONENT)
    digits = data[2:-1].decode("ascii").translate(_COMPLEMENT)
    return _render(True, digits, 255 - data[1] + MIN_EXPONENT)


def number_size(text: str) -> int:
    """Bytes a canonical number occupies in DynamoDB's item size: one byte plus one per
    base-100 digit pair of its significant digits (pairs aligned on the decimal point),
    one more for negatives; zero is one byte. `text` must be canonical (validated)."""
    negative = text[0] == "-"
    body = text[1:] if negative else text
    whole, point, fraction = body.partition(".")
    if not point:
        if whole == "0":
            return 1
        digits = whole.rstrip("0")
        leading = len(whole) - 1
    elif whole == "0":
        digits = fraction.lstrip("0")
        leading = len(digits) - len(fraction) - 1
    else:
        digits = whole + fraction
        leading = len(whole) - 1
    last = leading - len(digits) + 1  # power of ten of the last significant digit
    pairs = (leading >> 1) - (last >> 1) + 1  # >> floors, also for negative powers
    return 1 + pairs + (1 if negative else 0)
