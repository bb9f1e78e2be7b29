"""health: is the provisioned table in the state the module promises?"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from jobtable.clock import Clock
from jobtable.module.backups import latest_daily_backup
from jobtable.module.config import ModuleConfig
from jobtable.module.observe import contributor_insights_enabled, describe_table
from jobtable.module.state import TTL_ATTRIBUTE, desired_settings
from jobtable.module.system_status import read_system_status
from jobtable.ops.drills import run_restore_drill

MAX_BACKUP_AGE_SECONDS = 26 * 3600  # a daily schedule plus two hours of slack

PASS, FAIL, WARN, SKIP = "pass", "fail", "warn", "skip"


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    detail: str


@dataclass
class HealthReport:
    table_name: str
    checks: list[Check] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return all(c.status != FAIL for c in self.checks)

    def add(self, name: str, ok: bool, detail: str) -> None:
        self.checks.append(Check(name, PASS if ok else FAIL, detail))

    def as_dict(self) -> dict[str, Any]:
        return {"table_name": self.table_name, "healthy": self.healthy,
                "checks": [{"name": c.name, "status": c.status, "detail": c.detail} for c in self.checks]}


def _hours(seconds: float) -> str:
    return f"{seconds / 3600:.1f} h"


def check_health(client: Any, config: ModuleConfig, clock: Clock, restore_drill: bool = False) -> HealthReport:
    """`restore_drill=True` also restores the latest backup into a scratch table and checks it
    (jobtable.ops.drills; slow for big tables, so opt-in)."""
    name = config.physical_table_name
    report = HealthReport(name)
    table = describe_table(client, name)
    if table is None:
        report.add("table", False, "table does not exist")
        return report
    report.add("table", table.get("TableStatus") == "ACTIVE", f"status {table.get('TableStatus')}")
    indexes = {i["IndexName"]: i.get("IndexStatus") for i in table.get("GlobalSecondaryIndexes", [])}
    for index in sorted(desired_settings(config).indexes):
        status = indexes.get(index)
        report.add(f"index {index}", status == "ACTIVE", f"status {status}" if status else "missing")

    ttl = client.describe_time_to_live(TableName=name).get("TimeToLiveDescription", {})
    report.add("time_to_live", ttl.get("TimeToLiveStatus") == "ENABLED" and ttl.get("AttributeName") == TTL_ATTRIBUTE,
               f"{ttl.get('TimeToLiveStatus', 'DISABLED')} on {ttl.get('AttributeName', '(none)')}")

    if config.enable_point_in_time_recovery:
        backups = client.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
        status = backups.get("PointInTimeRecoveryDescription", {}).get("PointInTimeRecoveryStatus", "DISABLED")
        report.add("point_in_time_recovery", status == "ENABLED", status)
    else:
        report.checks.append(Check("point_in_time_recovery", SKIP, "not configured"))

    now = clock.now()
    if config.daily_backups:
        latest = latest_daily_backup(client, name)
        if latest is None:
            report.add("daily_backup", False, "no daily backup yet (run `jobtable backups run-schedule`)")
        else:
            age = now - latest.created_at if latest.created_at is not None else None
            ok = latest.status == "AVAILABLE" and age is not None and age < MAX_BACKUP_AGE_SECONDS
            report.add("daily_backup", ok, f"{latest.name} {latest.status}, "
                       + (f"{_hours(age)} old" if age is not None else "no creation time"))
    else:
        report.checks.append(Check("daily_backup", SKIP, "daily backups run in production only"))

    status = read_system_status(client, name)
    if not status.present:
        report.add("system_status_item", False, "missing")
    else:
        left = status.seconds_left(now)
        report.add("system_status_item", status.is_fresh(now),
                   f"expires in {left / 86400:.0f} days" if left and left > 0 else "expired")

    if config.enable_contributor_insights:
        enabled = contributor_insights_enabled(client, name)
        if enabled is None:
            report.checks.append(Check("contributor_insights", WARN, "endpoint does not support Contributor Insights"))
        else:
            report.add("contributor_insights", enabled, "ENABLED" if enabled else "DISABLED")

    if restore_drill:
        drill = run_restore_drill(client, name, now=clock.now)
        report.add("restore_drill", drill.ok, drill.summary())
    return report
