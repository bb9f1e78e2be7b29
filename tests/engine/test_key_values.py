"""Key attribute rules and the order-preserving key encoding for S, N and B."""
import base64
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobtable.engine.errors import ValidationException
from jobtable.engine.keys import encode_key_value, validate_key_attribute


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def raises(message, call, *args, **kwargs):
    with pytest.raises(ValidationException) as caught:
        call(*args, **kwargs)
    assert caught.value.message == message


def test_type_mismatch_for_table_and_index_keys():
    raises(
        "One or more parameter values were invalid: Type mismatch for key jobId expected: S actual: N",
        validate_key_attribute, "jobId", {"N": "1"}, "S", is_partition=True,
    )
    raises(
        "One or more parameter values were invalid: Type mismatch for Index Key status Expected: S "
        "Actual: N IndexName: StatusIndex",
        validate_key_attribute, "status", {"N": "1"}, "S", is_partition=True, index_name="StatusIndex",
    )


def test_empty_string_and_binary_keys_are_refused():
    raises(
        "One or more parameter values are not valid. The AttributeValue for a key attribute cannot "
        "contain an empty string value. Key: jobId",
        validate_key_attribute, "jobId", {"S": ""}, "S", is_partition=True,
    )
    raises(
        "One or more parameter values are not valid. The AttributeValue for a key attribute cannot "
        "contain an empty binary value. Key: blob",
        validate_key_attribute, "blob", {"B": ""}, "B", is_partition=False,
    )
    raises(
        "One or more parameter values are not valid. A value specified for a secondary index key is "
        "not supported. The AttributeValue for a key attribute cannot contain an empty string value. "
        "IndexName: UserIndex, IndexKey: userId",
        validate_key_attribute, "userId", {"S": ""}, "S", is_partition=True, index_name="UserIndex",
    )


def test_key_size_limits_count_utf8_bytes():
    assert validate_key_attribute("p", {"S": "x" * 2048}, "S", is_partition=True) == b"x" * 2048
    raises(
        "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes",
        validate_key_attribute, "p", {"S": "x" * 2049}, "S", is_partition=True,
    )
    assert validate_key_attribute("s", {"S": "é" * 512}, "S", is_partition=False)  # 1024 bytes
    raises(
        "One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes",
        validate_key_attribute, "s", {"S": "é" * 512 + "x"}, "S", is_partition=False,
    )
    raises(
        "One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes",
        validate_key_attribute, "s", {"B": b64(b"\0" * 1025)}, "B", is_partition=False,
    )


def test_encoding_by_type():
    assert encode_key_value({"S": "jöb"}) == "jöb".encode()
    assert encode_key_value({"B": b64(b"\x00\xff")}) == b"\x00\xff"
    assert encode_key_value({"N": "-1"}) < encode_key_value({"N": "0"}) < encode_key_value({"N": "0.5"})


@given(st.text(), st.text())
def test_string_keys_sort_by_utf8_bytes(a, b):
    a = a.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    b = b.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    ea, eb = encode_key_value({"S": a}), encode_key_value({"S": b})
    assert (ea < eb) == (a.encode() < b.encode())


@given(st.binary(), st.binary())
def test_binary_keys_sort_as_unsigned_bytes(a, b):
    assert (encode_key_value({"B": b64(a)}) < encode_key_value({"B": b64(b)})) == (a < b)


@given(st.lists(st.decimals(allow_nan=False, allow_infinity=False, places=6,
                            min_value=Decimal("-1e20"), max_value=Decimal("1e20")), min_size=2, max_size=20))
def test_number_keys_sort_numerically(numbers):
    texts = [format(n, "f") for n in numbers]
    by_key = sorted(texts, key=lambda t: encode_key_value({"N": t}))
    assert [Decimal(t) for t in by_key] == sorted(Decimal(t) for t in texts)
