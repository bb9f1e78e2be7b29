from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobtable.jobs.timestamps import format_timestamp, normalize_timestamp, parse_timestamp


def test_format_is_fixed_width_utc_with_millis():
    assert format_timestamp(1_795_600_000.0) == "2026-11-25T09:46:40.000Z"
    assert format_timestamp(1_795_600_000.001) == "2026-11-25T09:46:40.001Z"
    assert format_timestamp(1_795_600_000.9999) == "2026-11-25T09:46:40.999Z"  # truncated, not rounded up


@given(st.floats(min_value=0, max_value=4_102_444_800), st.floats(min_value=0, max_value=4_102_444_800))
def test_string_order_is_time_order(a, b):
    left, right = format_timestamp(a), format_timestamp(b)
    assert len(left) == len(right) == 24
    if int(a * 1000) < int(b * 1000):
        assert left <= right


def test_the_seeds_isoformat_breaks_its_own_range_query():
    # The seed stores datetime.utcnow().isoformat() (no zone, fraction only when non-zero) and
    # queries BETWEEN '2024-01-01T00:00:00Z' AND ...: '.' and end-of-string sort before 'Z',
    # so every job of the range's first second falls outside it.
    low = "2024-01-01T00:00:00Z"
    seeds = [datetime(2024, 1, 1, 0, 0, 0).isoformat(), datetime(2024, 1, 1, 0, 0, 0, 500_000).isoformat()]
    assert all(text < low for text in seeds)  # excluded: wrong
    ours = [normalize_timestamp(text + "Z") for text in seeds]
    assert all(normalize_timestamp(low) <= text for text in ours)  # included: right
    assert len({len(text) for text in seeds}) == 2 and {len(text) for text in ours} == {24}


@pytest.mark.parametrize("text, expected", [
    ("2026-11-25", "2026-11-25T00:00:00.000Z"),
    ("2026-11-25T10:00:00Z", "2026-11-25T10:00:00.000Z"),
    ("2026-11-25T11:00:00.250+01:00", "2026-11-25T10:00:00.250Z"),
])
def test_parse_accepts_iso_dates_with_zones(text, expected):
    assert normalize_timestamp(text) == expected


def test_parse_accepts_python_values():
    assert normalize_timestamp(date(2026, 11, 25)) == "2026-11-25T00:00:00.000Z"
    aware = datetime(2026, 11, 25, 12, tzinfo=timezone(timedelta(hours=2)))
    assert normalize_timestamp(aware) == "2026-11-25T10:00:00.000Z"
    assert normalize_timestamp(0) == "1970-01-01T00:00:00.000Z"


@pytest.mark.parametrize("bad", ["2026-13-01", "yesterday", "2026-11-25T10:00:00", "", "25/11/2026"])
def test_parse_rejects_bad_or_zoneless_dates(bad):
    with pytest.raises(ValueError, match="invalid date"):
        parse_timestamp(bad)


def test_parse_rejects_naive_datetimes():
    with pytest.raises(ValueError, match="naive"):
        parse_timestamp(datetime(2026, 11, 25))
