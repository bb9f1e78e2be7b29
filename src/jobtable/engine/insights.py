"""Contributor Insights: per-minute counts of the most accessed and most throttled keys.

Enabling it on a table or GSI creates DynamoDB's rule set (AWS names them
`DynamoDBContributorInsights-{PKC,PKT,SKC,SKT}-<resource>-<creation ms>`): PKC/PKT count
accesses/throttles per partition key, SKC/SKT per partition+sort key (only when the table
or index has a sort key). THROTTLED_KEYS mode keeps only the throttle rules. Status moves
ENABLING -> ENABLED and DISABLING -> DISABLED on the next background pass; it is stored in
the table metadata (`extras["contributor_insights"]`, or the GSI's extras) so it survives
restarts, while the counts live in memory for `window_seconds` (default 24 hours), with at
most `max_keys_per_minute` distinct keys per rule and minute (later keys that minute are
counted in the rule's total only).

Each access counts 1 (the rule aggregates on Count): a GetItem/PutItem/UpdateItem/DeleteItem
on its key, each key of a batch or transaction, a Query on its partition key.
"""
from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable

from jobtable.engine.catalog import IndexMeta, TableMeta

if TYPE_CHECKING:
    from jobtable.engine.engine import Engine

MINUTE = 60
DEFAULT_WINDOW_SECONDS = 24 * 3600
DEFAULT_MAX_KEYS_PER_MINUTE = 10000
RULE_PREFIX = "DynamoDBContributorInsights"
ACCESSED_AND_THROTTLED = "ACCESSED_AND_THROTTLED_KEYS"
THROTTLED_ONLY = "THROTTLED_KEYS"
STATE_KEY = "contributor_insights"

Key = tuple[str, ...]


def state_of(owner: TableMeta | IndexMeta) -> dict[str, Any] | None:
    return owner.extras.get(STATE_KEY)


def rule_kinds(meta: TableMeta, index: IndexMeta | None, mode: str) -> list[str]:
    has_sort_key = (index.range if index is not None else meta.range) is not None
    kinds = ["PKC", "PKT", "SKC", "SKT"] if has_sort_key else ["PKC", "PKT"]
    if mode == THROTTLED_ONLY:
        kinds = [k for k in kinds if k.endswith("T")]
    return kinds


def resource_name(meta: TableMeta, index: IndexMeta | None) -> str:
    return f"{meta.name}-{index.name}" if index is not None else meta.name


def rule_names(meta: TableMeta, index: IndexMeta | None) -> list[str]:
    state = state_of(index if index is not None else meta)
    if not state or state["status"] not in ("ENABLING", "ENABLED"):
        return []
    return [f"{RULE_PREFIX}-{kind}-{resource_name(meta, index)}-{state['created_ms']}"
            for kind in rule_kinds(meta, index, state["mode"])]


@dataclass
class RuleCounts:
    """Per-minute key counts of one rule."""

    minutes: dict[int, Counter] = field(default_factory=dict)
    totals: dict[int, int] = field(default_factory=dict)  # every contribution, also past the key cap


@dataclass
class RuleReport:
    key_labels: list[str]
    aggregate_value: float
    unique_count: int
    contributors: list[tuple[Key, float, list[tuple[int, float]]]]  # keys, sum, per-period values
    periods: list[dict[str, float]]  # per period: Timestamp + the statistics


class Insights:
    def __init__(self, engine: "Engine", window_seconds: int = DEFAULT_WINDOW_SECONDS,
                 max_keys_per_minute: int = DEFAULT_MAX_KEYS_PER_MINUTE) -> None:
        self.engine = engine
        self.window_seconds = window_seconds
        self.max_keys_per_minute = max_keys_per_minute
        self._rules: dict[tuple[int, str, str], RuleCounts] = {}  # (tid, index or "", kind)
        self._lock = threading.Lock()
        self._active: set[int] | None = None  # tids with an ENABLED table or GSI (cache)

    # -- state -----------------------------------------------------------------------------
    def set_enabled(self, meta: TableMeta, index: IndexMeta | None, enable: bool, mode: str | None) -> dict:
        """Apply UpdateContributorInsights to the metadata (the caller saves it)."""
        owner: Any = index if index is not None else meta
        now = self.engine.clock.now()
        state = dict(state_of(owner) or {"status": "DISABLED", "mode": ACCESSED_AND_THROTTLED})
        if enable:
            if state["status"] not in ("ENABLING", "ENABLED"):
                state["created_ms"] = int(now * 1000)
                state["status"] = "ENABLING"
            state["mode"] = mode or state.get("mode") or ACCESSED_AND_THROTTLED
        elif state["status"] in ("ENABLING", "ENABLED"):
            state["status"] = "DISABLING"
        state["updated"] = now
        owner.extras[STATE_KEY] = state
        return state

    def enabled_any(self) -> bool:
        """Cheap test on the request path: is any table or GSI counting keys?"""
        if self._active is None:
            self._active = {meta.tid for meta in self.engine.catalog.all()
                            if any((state_of(o) or {}).get("status") == "ENABLED" for o in [meta, *meta.gsis])}
        return bool(self._active)

    def refresh(self) -> None:
        self._active = None

    def settle(self) -> bool:
        """Background step: finish ENABLING/DISABLING transitions and prune old minutes."""
        changed = False
        now = self.engine.clock.now()
        for meta in self.engine.catalog.all():
            dirty = False
            for owner in [meta, *meta.gsis]:
                state = state_of(owner)
                if state and state["status"] in ("ENABLING", "DISABLING"):
                    state["status"] = "ENABLED" if state["status"] == "ENABLING" else "DISABLED"
                    state["updated"] = now
                    dirty = True
                    if state["status"] == "DISABLED":
                        self._drop(meta.tid, owner.name if owner is not meta else "")
            if dirty:
                self.engine.catalog.save(meta)
                changed = True
        if changed:
            self.refresh()
        self._prune(now)
        return False

    def _drop(self, tid: int, index: str) -> None:
        with self._lock:
            for key in [k for k in self._rules if k[0] == tid and k[1] == index]:
                del self._rules[key]

    def forget_missing_tables(self) -> None:
        live = {meta.tid for meta in self.engine.catalog.all()}
        with self._lock:
            for key in [k for k in self._rules if k[0] not in live]:
                del self._rules[key]

    def _prune(self, now: float) -> None:
        cutoff = now - self.window_seconds
        with self._lock:
            for counts in self._rules.values():
                for minute in [m for m in counts.minutes if m + MINUTE <= cutoff]:
                    counts.minutes.pop(minute, None)
                    counts.totals.pop(minute, None)

    # -- counting --------------------------------------------------------------------------
    def record(self, meta: TableMeta, index: IndexMeta | None, pk: str, sk: str | None, throttled: bool) -> None:
        """Count one access (and throttle) of a key, if insights are ENABLED for that table/GSI."""
        state = state_of(index if index is not None else meta)
        if not state or state["status"] != "ENABLED":
            return
        kinds = rule_kinds(meta, index, state["mode"])
        minute = int(self.engine.clock.now() // MINUTE) * MINUTE
        index_name = index.name if index is not None else ""
        with self._lock:
            for kind in kinds:
                if kind.endswith("T") and not throttled:
                    continue
                if kind.startswith("SK"):
                    if sk is None:
                        continue
                    key: Key = (pk, sk)
                else:
                    key = (pk,)
                counts = self._rules.setdefault((meta.tid, index_name, kind), RuleCounts())
                counter = counts.minutes.setdefault(minute, Counter())
                counts.totals[minute] = counts.totals.get(minute, 0) + 1
                if key in counter or len(counter) < self.max_keys_per_minute:
                    counter[key] += 1

    # -- reports ---------------------------------------------------------------------------
    def find_rule(self, name: str) -> tuple[TableMeta, IndexMeta | None, str] | None:
        for meta in self.engine.catalog.all():
            for index in [None, *meta.gsis]:
                if name in rule_names(meta, index):
                    kind = name[len(RULE_PREFIX) + 1:].split("-", 1)[0]
                    return meta, index, kind
        return None

    def report(self, meta: TableMeta, index: IndexMeta | None, kind: str, start: float, end: float,
               period: int, max_contributors: int, order_by: str = "Sum") -> RuleReport:
        key_source = index if index is not None else meta
        labels = [key_source.hash.name] + ([key_source.range.name] if kind.startswith("SK") and key_source.range
                                           else [])
        with self._lock:
            counts = self._rules.get((meta.tid, index.name if index is not None else "", kind))
            minutes = {m: Counter(c) for m, c in (counts.minutes.items() if counts else ())
                       if start <= m < end}
            totals = {m: t for m, t in (counts.totals.items() if counts else ()) if start <= m < end}
        slots = [int(start + i * period) for i in range(max(1, int((end - start + period - 1) // period)))]
        per_key: dict[Key, dict[int, float]] = {}
        per_slot: dict[int, Counter] = {}
        for minute, counter in minutes.items():
            slot = int(start + ((minute - start) // period) * period)
            per_slot.setdefault(slot, Counter()).update(counter)
            for key, value in counter.items():
                per_key.setdefault(key, {}).setdefault(slot, 0.0)
                per_key[key][slot] += value
        ranked = sorted(per_key.items(), key=lambda kv: (-_order_value(kv[1], order_by), kv[0]))
        contributors = [(key, float(sum(values.values())), sorted(values.items()))
                        for key, values in ranked[:max_contributors]]
        periods = [_period_stats(slot, per_slot.get(slot, Counter()),
                                 sum(t for m, t in totals.items() if slot <= m < slot + period))
                   for slot in slots]
        return RuleReport(labels, float(sum(totals.values())), len(per_key), contributors, periods)


def _order_value(values: dict[int, float], order_by: str) -> float:
    return max(values.values()) if order_by == "Maximum" else sum(values.values())


def _period_stats(slot: int, counter: Counter, total: int) -> dict[str, float]:
    values = list(counter.values())
    return {"Timestamp": slot, "UniqueContributors": float(len(values)),
            "MaxContributorValue": float(max(values)) if values else 0.0,
            "SampleCount": float(total), "Sum": float(total),
            "Average": float(total) / len(values) if values else 0.0,
            "Minimum": float(min(values)) if values else 0.0, "Maximum": float(max(values)) if values else 0.0}


def describe_state(meta: TableMeta, index: IndexMeta | None) -> dict[str, Any]:
    """The DescribeContributorInsights/Update response members for a table or GSI."""
    owner = index if index is not None else meta
    state = state_of(owner) or {}
    out: dict[str, Any] = {"TableName": meta.name}
    if index is not None:
        out["IndexName"] = index.name
    status = state.get("status", "DISABLED")
    out["ContributorInsightsStatus"] = status
    names = rule_names(meta, index)
    if names:
        out["ContributorInsightsRuleList"] = names
    if state.get("updated") is not None:
        out["LastUpdateDateTime"] = state["updated"]
    if state.get("mode") and status != "DISABLED":
        out["ContributorInsightsMode"] = state["mode"]
    return out


def summaries(metas: Iterable[TableMeta]) -> list[dict[str, Any]]:
    out = []
    for meta in metas:
        for index in [None, *meta.gsis]:
            described = describe_state(meta, index)
            summary = {k: described[k] for k in ("TableName", "IndexName", "ContributorInsightsStatus",
                                                  "ContributorInsightsMode") if k in described}
            out.append(summary)
    return out
