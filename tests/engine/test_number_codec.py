"""Number validation, canonical form, arithmetic and the order-preserving key codec."""
from decimal import Context, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobtable.engine.errors import ValidationException
from jobtable.engine.numbers import (
    add_numbers,
    decimal_to_number,
    decode_number_key,
    encode_number_key,
    normalize_number,
    parse_number,
    number_size,
    subtract_numbers,
    to_decimal,
)

OVERFLOW = "Number overflow. Attempting to store a number with magnitude larger than supported range"
UNDERFLOW = "Number underflow. Attempting to store a number with magnitude smaller than supported range"
TOO_PRECISE = "Attempting to store more than 38 significant digits in a Number"
LARGEST = "9.9999999999999999999999999999999999999E+125"


@pytest.mark.parametrize(
    "text, canonical",
    [
        ("1.50", "1.5"),
        ("1e2", "100"),
        ("1E2", "100"),
        ("0001", "1"),
        ("-0.0", "0"),
        ("-0", "0"),
        ("0e1000", "0"),
        ("+3", "3"),
        (".123", "0.123"),
        ("5.", "5"),
        ("0001.23", "1.23"),
        ("1e+5", "100000"),
        ("-17.4E37", "-174" + "0" * 36),
        ("1E-7", "0.0000001"),
        ("100", "100"),
        ("1759999711", "1759999711"),
        ("-42", "-42"),
        ("1E-130", "0." + "0" * 129 + "1"),
        ("-1E-130", "-0." + "0" * 129 + "1"),
        ("1e125", "1" + "0" * 125),
        (LARGEST, "9" * 38 + "0" * 88),
        ("12345678901234567890123456789012345678", "12345678901234567890123456789012345678"),
        ("1.00000000000000007629769841092E+50", "100000000000000007629769841092" + "0" * 21),
    ],
)
def test_canonical_form_is_plain_notation_without_extra_zeros(text, canonical):
    assert normalize_number(text) == canonical


@pytest.mark.parametrize(
    "text, message",
    [
        ("abc", "The parameter cannot be converted to a numeric value: abc"),
        ("", "The parameter cannot be converted to a numeric value"),
        (" 1", "The parameter cannot be converted to a numeric value:  1"),
        ("1 ", "The parameter cannot be converted to a numeric value: 1 "),
        ("NaN", "The parameter cannot be converted to a numeric value: NaN"),
        ("Infinity", "The parameter cannot be converted to a numeric value: Infinity"),
        ("-Infinity", "The parameter cannot be converted to a numeric value: -Infinity"),
        ("1_000", "The parameter cannot be converted to a numeric value: 1_000"),
        (".", "The parameter cannot be converted to a numeric value: ."),
        ("1e", "The parameter cannot be converted to a numeric value: 1e"),
        ("0x10", "The parameter cannot be converted to a numeric value: 0x10"),
        ("١", "The parameter cannot be converted to a numeric value: ١"),  # Arabic-Indic one
        ("1e126", OVERFLOW),
        ("-1e126", OVERFLOW),
        ("11e125", OVERFLOW),
        ("1e99999999999999999999", OVERFLOW),
        ("1e-131", UNDERFLOW),
        ("-1e-131", UNDERFLOW),
        ("0.9e-130", UNDERFLOW),
        ("1e-99999999999999999999", UNDERFLOW),
        ("123456789012345678901234567890123456789", TOO_PRECISE),
        ("-1.23456789012345678901234567890123456789", TOO_PRECISE),
        ("3.14159265358979323846264338327950288419", TOO_PRECISE),
    ],
)
def test_invalid_numbers_raise_dynamodb_messages(text, message):
    with pytest.raises(ValidationException) as caught:
        normalize_number(text)
    assert caught.value.message == message


def test_trailing_zeros_do_not_count_as_significant_digits():
    assert normalize_number("1" * 38 + "0" * 50) == "1" * 38 + "0" * 50
    assert normalize_number("0." + "0" * 50 + "1" * 38) == "0." + "0" * 50 + "1" * 38


def test_decimal_to_number_applies_the_same_rules():
    assert decimal_to_number(Decimal("1.500")) == "1.5"
    assert decimal_to_number(Decimal("-0E+5")) == "0"
    assert decimal_to_number(Decimal("1E+2")) == "100"
    for value, message in [(Decimal("1e126"), OVERFLOW), (Decimal("1e-131"), UNDERFLOW), (Decimal("1" * 39), TOO_PRECISE)]:
        with pytest.raises(ValidationException) as caught:
            decimal_to_number(value)
        assert caught.value.message == message
    with pytest.raises(ValidationException):
        decimal_to_number(Decimal("NaN"))


def test_arithmetic_is_exact_and_refuses_results_that_do_not_fit():
    assert add_numbers("1", "10000000000000000000000") == "10000000000000000000001"
    assert subtract_numbers("10000000000000000000000", "1") == "9999999999999999999999"
    assert add_numbers("0.1", "0.2") == "0.3"
    assert add_numbers("-5", "5") == "0"
    assert add_numbers(LARGEST, "0") == normalize_number(LARGEST)
    for left, right in [("9e125", "9e125"), ("1e50", "1")]:  # too large, too many digits
        with pytest.raises(ValidationException) as caught:
            add_numbers(left, right)
        assert caught.value.message == OVERFLOW
    with pytest.raises(ValidationException) as caught:
        subtract_numbers("9e125", "-9e125")
    assert caught.value.message == OVERFLOW


@pytest.mark.parametrize(
    "text, size",
    [("0", 1), ("1", 2), ("10", 2), ("100", 2), ("11", 2), ("1.1", 3), ("0.11", 2), ("123", 3),
     ("1234", 3), ("12345", 4), ("-1", 3), ("-0.00012", 4), ("1" * 38, 20)],
)
def test_number_size_counts_base_100_digit_pairs(text, size):
    assert number_size(text) == size


# --- properties ---------------------------------------------------------------------------

significands = st.integers(min_value=1, max_value=10**38 - 1)


@st.composite
def canonical_numbers(draw):
    """Random in-range numbers, weighted towards the edges of the range."""
    if draw(st.integers(0, 20)) == 0:
        return "0"
    significand = draw(significands)
    digits = len(str(significand))
    exponent = draw(
        st.one_of(
            st.integers(-130 - digits + 1, 125 - digits + 1),
            st.sampled_from([-130, 125 - digits + 1, -1, 0, 1]),
        )
    )
    exponent = max(-130, min(exponent, 125 - digits + 1))
    sign = "-" if draw(st.booleans()) else ""
    return normalize_number(f"{sign}{significand}e{exponent}")


@given(canonical_numbers(), canonical_numbers())
@settings(max_examples=600)
def test_key_encoding_order_is_numeric_order(a, b):
    da, db = Decimal(a), Decimal(b)
    ea, eb = encode_number_key(a), encode_number_key(b)
    assert (ea < eb) == (da < db)
    assert (ea == eb) == (da == db)


@given(canonical_numbers())
def test_key_encoding_round_trips(text):
    assert decode_number_key(encode_number_key(text)) == text


@given(canonical_numbers())
def test_normalize_is_idempotent_and_exact(text):
    assert normalize_number(text) == text
    assert to_decimal(text) == Decimal(text)
    assert decimal_to_number(to_decimal(text)) == text


@given(canonical_numbers(), st.sampled_from(["{}", "{}e0", "+{}", "{}E+0"]))
def test_other_spellings_normalize_to_the_same_text(text, spelling):
    if text.startswith("-") and spelling.startswith("+"):
        return
    assert normalize_number(spelling.format(text)) == text


@given(canonical_numbers(), canonical_numbers())
def test_addition_matches_exact_decimal_or_refuses(a, b):
    exact = Context(prec=400).add(Decimal(a), Decimal(b))
    try:
        result = add_numbers(a, b)
    except ValidationException as error:
        assert error.message == OVERFLOW
        return
    assert Decimal(result) == exact


def _reference_size(text: str) -> int:
    """Base-100 digit pairs counted from the parsed digits, independent of the fast path."""
    negative, digits, leading = parse_number(text)
    if not digits:
        return 1
    positions = range(leading - len(digits) + 1, leading + 1)
    return 1 + len({p // 2 for p in positions}) + (1 if negative else 0)


@given(canonical_numbers())
def test_number_size_matches_the_digit_pair_count(text):
    assert number_size(text) == _reference_size(text)
