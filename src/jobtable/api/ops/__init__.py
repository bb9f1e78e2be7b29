"""Every DynamoDB operation jobtable serves, one module per family.

A family module exports OPERATIONS = {"OpName": function(request, context) -> dict}.
Operations absent here answer UnknownOperationException (see docs/compatibility.md).
"""
from __future__ import annotations

from jobtable.api.ops import items, reads, tables, tags, ttl

OPERATIONS: dict = {}
for _family in (tables, items, reads, tags, ttl):
    OPERATIONS.update(_family.OPERATIONS)

from jobtable.api import streams as _streams  # noqa: E402,F401  keeps stream registries in step with tables
