"""RecordCipher and data-key loading: sealed records round-trip, a wrong key fails clearly."""
from __future__ import annotations

import base64
import os

import pytest

from jobtable.security.encryption import (
    DataKeyError,
    RecordCipher,
    key_id,
    load_data_key,
    parse_key,
    write_key_file,
)

KEY = bytes(range(32))


def test_round_trip_hides_the_plaintext_and_is_randomised():
    cipher = RecordCipher(KEY)
    record = b'{"jobId":{"S":"job-1"},"inputFile":{"S":"secret-report.pdf"}}'
    first, second = cipher.encrypt(record, b"Jobs|job-1"), cipher.encrypt(record, b"Jobs|job-1")
    assert b"secret-report" not in first and first != second
    assert cipher.decrypt(first, b"Jobs|job-1") == record == cipher.decrypt(second, b"Jobs|job-1")


def test_wrong_key_or_moved_record_is_a_clear_error_never_garbage():
    sealed = RecordCipher(KEY).encrypt(b"payload", b"Jobs|job-1")
    with pytest.raises(DataKeyError, match="^the data key does not match: "):
        RecordCipher(os.urandom(32)).decrypt(sealed, b"Jobs|job-1")
    with pytest.raises(DataKeyError, match="the data key does not match"):
        RecordCipher(KEY).decrypt(sealed, b"Jobs|job-2")  # copied onto another row
    with pytest.raises(DataKeyError, match="not encrypted in jobtable's format"):
        RecordCipher(KEY).decrypt(b'{"plain": true}')
    tampered = bytearray(sealed)
    tampered[-1] ^= 1
    with pytest.raises(DataKeyError):
        RecordCipher(KEY).decrypt(bytes(tampered), b"Jobs|job-1")


def test_check_value_catches_a_wrong_key_before_reading_data():
    stored = RecordCipher(KEY).check_value()
    RecordCipher(KEY).verify_check_value(stored)
    with pytest.raises(DataKeyError, match=f"encrypted with key {stored}"):
        RecordCipher(os.urandom(32)).verify_check_value(stored)
    assert RecordCipher(KEY).kms_key_arn("us-east-1", "000000000000") == \
        f"arn:aws:kms:us-east-1:000000000000:key/{key_id(KEY)}"


def test_key_formats_and_sources(tmp_path):
    assert parse_key(KEY.hex()) == KEY
    assert parse_key(base64.b64encode(KEY).decode() + "\n") == KEY
    assert parse_key(KEY) == KEY
    with pytest.raises(DataKeyError, match="must be 32 bytes"):
        parse_key("too-short")
    with pytest.raises(DataKeyError, match="must be 32 bytes"):
        RecordCipher(b"x" * 16)
    path = write_key_file(tmp_path / "kms.key")
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    from_file = load_data_key(path, environ={})
    assert len(from_file) == 32
    assert load_data_key(None, environ={"JOBTABLE_KMS_KEY": KEY.hex()}) == KEY
    assert load_data_key(None, environ={}) is None
    with pytest.raises(DataKeyError, match="cannot read the data key file"):
        load_data_key(tmp_path / "missing.key", environ={})
    with pytest.raises(FileExistsError):
        write_key_file(path)
