"""The job table `jobtable up` serves, provisioned by the module layer (one provisioning path).

`jobtable up` applies the same `TableModule` that users apply against jobtable or AWS, with
fixed local variables and the exact name `CloudToolsJobs` (`table_name_override`), through
the in-process client before the server starts listening. So the local table has what the
module promises (GSIs, TTL, PITR, SSE, stream, tags, Contributor Insights, the system status
item), and re-running `up` on the same data converges instead of re-creating.
"""
from __future__ import annotations

from typing import Any

from jobtable.engine.engine import Engine
from jobtable.module import ApplyReport, ModuleConfig, TableModule
from jobtable.module.observe import describe_table
from jobtable.module.state import HASH_KEY, create_table_request, desired_settings
from jobtable.module.waits import Waiter

# The module variables behind `jobtable up`'s table; its tags say Project=cloud-tools,
# Environment=development, ManagedBy=jobtable.
LOCAL_VARIABLES: dict[str, Any] = {
    "project_name": "cloud-tools", "environment": "development", "resource_suffix": "local",
}


def job_table_definition(table_name: str) -> dict:
    """The CreateTable request of `jobtable up`'s table (for tests and scripts that need the same table)."""
    config = ModuleConfig(**LOCAL_VARIABLES, table_name_override=table_name)
    return create_table_request(desired_settings(config))


def provision_job_table(engine: Engine, table_name: str) -> ApplyReport:
    """Apply the module to `engine` in-process; the report lists what was created or converged.

    Runs before the server's background thread starts, so waits (index backfill) run the
    engine's background work themselves instead of sleeping.
    """
    from jobtable.inprocess import client

    waiter = Waiter(sleep=lambda _seconds: engine.run_background_until_idle())
    module = TableModule(**LOCAL_VARIABLES, table_name_override=table_name, client=client(engine=engine),
                         clock=engine.clock, waiter=waiter)
    refusal = _why_not_converge(module)
    if refusal:
        report = ApplyReport(table_name)
        report.warnings.append(f"table {table_name} left as it is: {refusal}")
        return report
    return module.apply()


def _why_not_converge(module: TableModule) -> str | None:
    """`up` only adds to an existing table: it never drops someone's index, tag or data."""
    table = describe_table(module.client, module.name)
    if table is None:
        return None
    if table["KeySchema"] != [{"AttributeName": HASH_KEY, "KeyType": "HASH"}]:
        return f"it is not a job table (its key is not {HASH_KEY} alone)"
    destructive = [str(c) for c in module.plan() if c.action in ("delete", "replace")]
    if destructive:
        return ("converging it would " + "; ".join(destructive)
                + " (do that with `jobtable module apply --table-name-override ...` if you mean it)")
    return None
