"""plan: the readable difference between the desired settings and what the endpoint has."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jobtable.module.state import TableSettings, same_keys

SYMBOLS = {"create": "+", "update": "~", "delete": "-", "replace": "-/+"}

# The order apply runs the steps in (DynamoDB allows one index change per UpdateTable and
# needs every remaining index's capacity when switching to PROVISIONED).
STEP_ORDER = (
    "table", "deletion_protection", "index_delete", "capacity", "index_create", "stream", "encryption",
    "tags", "time_to_live", "point_in_time_recovery", "contributor_insights", "system_status_item", "daily_backup",
)


@dataclass(frozen=True)
class Change:
    action: str          # create | update | delete | replace
    resource: str        # what is touched, e.g. "table", "index StatusIndex", "tag Owner"
    step: str            # which apply step performs it (see STEP_ORDER)
    before: Any = None
    after: Any = None

    def __str__(self) -> str:
        text = f"{SYMBOLS[self.action]} {self.resource}"
        if self.action == "update":
            text += f": {_show(self.before)} -> {_show(self.after)}"
        elif self.action == "create" and self.after is not None:
            text += f" = {_show(self.after)}"
        elif self.action == "delete" and self.before is not None:
            text += f" (was {_show(self.before)})"
        return text


def _show(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "enabled" if value else "disabled"
    return str(value)


def format_plan(changes: list[Change]) -> str:
    if not changes:
        return "No changes. The table matches the configuration."
    return "\n".join(str(c) for c in changes) + f"\n\nPlan: {len(changes)} change(s)."


def _capacity(settings: TableSettings) -> str:
    if settings.billing_mode == "PAY_PER_REQUEST":
        return "PAY_PER_REQUEST"
    return f"PROVISIONED read={settings.read_capacity} write={settings.write_capacity}"


def _index_capacity(settings: TableSettings, name: str) -> tuple[int | None, int | None]:
    index = settings.indexes[name]
    return index.read_capacity, index.write_capacity


def diff_new_table(desired: TableSettings) -> list[Change]:
    changes = [Change("create", f"table {desired.name}", "table", after=_capacity(desired))]
    changes += [Change("create", f"index {n}", "table", after=f"{i.partition_key}/{i.sort_key} {i.projection}")
                for n, i in sorted(desired.indexes.items())]
    changes.append(Change("create", "time_to_live", "time_to_live", after=desired.ttl_attribute))
    if desired.point_in_time_recovery:
        changes.append(Change("create", "point_in_time_recovery", "point_in_time_recovery", after=True))
    if desired.contributor_insights:
        changes.append(Change("create", "contributor_insights", "contributor_insights", after=True))
    changes.append(Change("create", "system_status_item", "system_status_item"))
    if desired.daily_backups:
        changes.append(Change("create", "daily_backup", "daily_backup"))
    return changes


def diff_table(desired: TableSettings, actual: TableSettings) -> list[Change]:
    """Configuration changes of an existing table (not the item or backup)."""
    changes: list[Change] = []
    if actual.deletion_protection != desired.deletion_protection:
        changes.append(Change("update", "deletion_protection", "deletion_protection",
                              actual.deletion_protection, desired.deletion_protection))
    for name in sorted(set(actual.indexes) - set(desired.indexes)):
        changes.append(Change("delete", f"index {name}", "index_delete"))
    replaced = set()
    for name in sorted(set(actual.indexes) & set(desired.indexes)):
        a, d = actual.indexes[name], desired.indexes[name]
        if not same_keys(a, d):
            replaced.add(name)
            changes.append(Change("replace", f"index {name}", "index_delete",
                                  f"{a.partition_key}/{a.sort_key} {a.projection}",
                                  f"{d.partition_key}/{d.sort_key} {d.projection}"))
    if _capacity(actual) != _capacity(desired):
        changes.append(Change("update", "billing", "capacity", _capacity(actual), _capacity(desired)))
    for name in sorted(set(actual.indexes) & set(desired.indexes) - replaced):
        if desired.billing_mode == "PROVISIONED" and _index_capacity(actual, name) != _index_capacity(desired, name):
            before, after = _index_capacity(actual, name), _index_capacity(desired, name)
            changes.append(Change("update", f"index {name} capacity", "capacity",
                                  "read={} write={}".format(*before), "read={} write={}".format(*after)))
    for name in sorted(set(desired.indexes) - set(actual.indexes)) + sorted(replaced):
        index = desired.indexes[name]
        changes.append(Change("create", f"index {name}", "index_create",
                              after=f"{index.partition_key}/{index.sort_key} {index.projection}"))
    if (actual.stream_enabled, actual.stream_view_type) != (desired.stream_enabled, desired.stream_view_type):
        changes.append(Change("update", "stream", "stream", actual.stream_view_type or False,
                              desired.stream_view_type or False))
    if actual.sse_enabled != desired.sse_enabled or (desired.kms_key_arn and actual.kms_key_arn != desired.kms_key_arn):
        before = actual.kms_key_arn if desired.kms_key_arn and actual.sse_enabled else actual.sse_enabled
        changes.append(Change("update", "encryption", "encryption", before, desired.kms_key_arn or desired.sse_enabled))
    for key in sorted(set(actual.tags) | set(desired.tags)):
        before, after = actual.tags.get(key), desired.tags.get(key)
        if before == after:
            continue
        action = "create" if before is None else "delete" if after is None else "update"
        changes.append(Change(action, f"tag {key}", "tags", before, after))
    if (actual.ttl_enabled, actual.ttl_attribute if actual.ttl_enabled else None) != (
            desired.ttl_enabled, desired.ttl_attribute):
        changes.append(Change("update", "time_to_live", "time_to_live",
                              actual.ttl_attribute if actual.ttl_enabled else False, desired.ttl_attribute))
    if actual.point_in_time_recovery != desired.point_in_time_recovery:
        changes.append(Change("update", "point_in_time_recovery", "point_in_time_recovery",
                              actual.point_in_time_recovery, desired.point_in_time_recovery))
    # None = the endpoint has no Contributor Insights; apply reports it, plan cannot fix it.
    if actual.contributor_insights is not None and actual.contributor_insights != desired.contributor_insights:
        changes.append(Change("update", "contributor_insights", "contributor_insights",
                              actual.contributor_insights, desired.contributor_insights))
    return changes


def sort_changes(changes: list[Change]) -> list[Change]:
    return sorted(changes, key=lambda c: STEP_ORDER.index(c.step))
