"""Every DynamoDB operation jobtable serves, one module per family.

A family module exports OPERATIONS = {"OpName": function(request, context) -> dict}; the
families are discovered (any module of this package with OPERATIONS), so adding one never
edits this file. Operations absent here answer UnknownOperationException (see
docs/compatibility.md).
"""
from __future__ import annotations

import importlib
import pkgutil

OPERATIONS: dict = {}
for _info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    _family = importlib.import_module(f"{__name__}.{_info.name}")
    OPERATIONS.update(getattr(_family, "OPERATIONS", {}))

from jobtable.api import streams as _streams  # noqa: E402,F401  keeps stream registries in step with tables
