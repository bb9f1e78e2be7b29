"""Backoff for the jobs layer: the one implementation lives in jobtable.ops.retry.

Every call the jobs layer makes goes through `call_with_backoff`.
"""
from __future__ import annotations

from jobtable.ops.retry import (DEFAULT_BACKOFF, THROTTLING_CODES, Backoff, call_with_backoff, error_code,
                                is_throttling)

__all__ = ["DEFAULT_BACKOFF", "THROTTLING_CODES", "Backoff", "call_with_backoff", "error_code", "is_throttling"]
