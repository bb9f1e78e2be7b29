"""Opaque pagination cursors: base64url JSON of where each index query stopped.

A cursor also carries a fingerprint of the query it belongs to, so reusing it with other
filters is an error instead of a silently wrong page.
"""
from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from jobtable.jobs.errors import InvalidCursor

VERSION = 1
DONE = "done"  # a stream with nothing left


def fingerprint(query: dict[str, Any]) -> str:
    text = json.dumps(query, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def encode_cursor(query_fingerprint: str, positions: dict[str, Any]) -> str:
    """positions: stream name -> ExclusiveStartKey (wire format) or DONE."""
    body = {"v": VERSION, "q": query_fingerprint, "p": positions}
    raw = json.dumps(body, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str, query_fingerprint: str) -> dict[str, Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        body = json.loads(raw)
        positions = body["p"]
        valid = body["v"] == VERSION and isinstance(positions, dict)
    except (ValueError, KeyError, TypeError):
        raise InvalidCursor("not a cursor returned by list_jobs") from None
    if not valid:
        raise InvalidCursor("not a cursor returned by list_jobs")
    if body.get("q") != query_fingerprint:
        raise InvalidCursor("it belongs to a listing with other filters")
    return positions
