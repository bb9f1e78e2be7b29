"""Timestamps that sort: fixed-width UTC ISO-8601 with milliseconds and `Z`.

`2026-11-25T10:00:00.000Z` always has 24 characters, so string order is time order — which
is what the GSIs' `createdAt` sort key and `BETWEEN` conditions need. The seed's
`datetime.utcnow().isoformat()` drops the zone and omits the fraction when it is zero
(`...T10:00:00` vs `...T10:00:00.000001`), so its strings do not sort as times.
"""
from __future__ import annotations

import math
from datetime import date, datetime, timezone

_FORMAT = "%Y-%m-%dT%H:%M:%S"
MILLISECOND = 0.001


def format_timestamp(epoch_seconds: float) -> str:
    """Epoch seconds -> `YYYY-MM-DDTHH:MM:SS.mmmZ` (truncated to the millisecond)."""
    # round() first so that 1.001 * 1000 == 1000.9999999 still lands on 1001.
    millis = math.floor(round(epoch_seconds * 1000, 3))
    moment = datetime.fromtimestamp(millis // 1000, tz=timezone.utc)
    return f"{moment.strftime(_FORMAT)}.{millis % 1000:03d}Z"


def parse_timestamp(value: str | datetime | date | float | int) -> float:
    """A user's date/time -> epoch seconds.

    Accepts epoch seconds, aware datetimes, dates (midnight UTC) and ISO-8601 strings such
    as `2026-11-25`, `2026-11-25T10:00:00Z` or `2026-11-25T11:00:00+01:00`. Naive datetimes
    and strings without a zone are rejected: guessing the zone is how the seed went wrong.
    """
    if isinstance(value, bool):
        raise ValueError(f"invalid date {value!r}")
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"invalid date '{value.isoformat()}': naive datetime, give a timezone (e.g. UTC)")
        return value.timestamp()
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=timezone.utc).timestamp()
    text = str(value).strip()
    hint = "expected ISO-8601 like 2026-11-25 or 2026-11-25T10:00:00Z"
    try:
        if len(text) == 10:
            return parse_timestamp(date.fromisoformat(text))
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"invalid date '{text}': {hint}") from None
    if moment.tzinfo is None:
        raise ValueError(f"invalid date '{text}': no timezone, add Z or an offset ({hint})")
    return moment.timestamp()


def normalize_timestamp(value: str | datetime | date | float | int) -> str:
    """Any accepted date/time -> the canonical sortable string."""
    return format_timestamp(parse_timestamp(value))
