"""Every DynamoDB operation jobtable serves, one module per family.

A family module exports OPERATIONS = {"OpName": function(request, context) -> dict}.
Operations absent here answer UnknownOperationException (see docs/compatibility.md).
"""
from __future__ import annotations

from jobtable.api.ops import batches, insights, items, partiql, reads, tables, tags, transactions

OPERATIONS: dict = {}
for _family in (tables, items, reads, tags, batches, transactions, partiql, insights):
    OPERATIONS.update(_family.OPERATIONS)
