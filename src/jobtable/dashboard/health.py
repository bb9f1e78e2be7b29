"""Health: the server's own /health page and the module's checks for a module-made table.

`TableModule.health()` (jobtable.module) checks a table against what the seed's module
promises (indexes, TTL, PITR, backups, system-status item, insights). It identifies the
table by the module's variables; for a table the module made they are read back from its
`Project`/`Environment` tags and its name `{project}-{environment}-{table}-{suffix}`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from jobtable.dashboard.backend import Api, Outcome, UNKNOWN_OPERATION, attempt


@dataclass(frozen=True)
class ModuleNaming:
    project_name: str
    environment: str
    table_name: str
    resource_suffix: str


def server_health(engine: Any) -> Outcome[dict]:
    """The server's GET /health page, as a monitoring probe sees it."""
    from jobtable.server.dispatch import HttpRequest, dispatch_get

    page = dispatch_get(engine, HttpRequest("GET", "/health"))
    if page is None:
        return Outcome(None, UNKNOWN_OPERATION, "no /health page")
    status, _, body = page
    return Outcome({"http_status": status, **orjson.loads(body)})


def naming_from_tags(physical_name: str, tags: list[dict[str, str]]) -> ModuleNaming | None:
    """The module variables that produce `physical_name`, from the module's tags."""
    by_key = {t["Key"]: t["Value"] for t in tags}
    project, environment = by_key.get("Project"), by_key.get("Environment")
    if not project or not environment:
        return None
    head = f"{project}-{environment}-"
    if not physical_name.startswith(head) or "-" not in physical_name[len(head):]:
        return None
    table_name, suffix = physical_name[len(head):].rsplit("-", 1)
    return ModuleNaming(project, environment, table_name, suffix) if table_name and suffix else None


def module_health(api: Api, naming: ModuleNaming) -> Outcome[dict]:
    """TableModule.health() over the caller's signed client; unavailable without jobtable.module."""
    try:
        from jobtable.module import TableModule
    except ImportError:
        return Outcome(None, UNKNOWN_OPERATION, "the module layer is not installed on this server")

    def check() -> dict:
        module = TableModule(naming.project_name, naming.environment, naming.resource_suffix,
                             table_name=naming.table_name, client=api.dynamodb, clock=api.engine.clock)
        return module.health().as_dict()

    return attempt(check)
