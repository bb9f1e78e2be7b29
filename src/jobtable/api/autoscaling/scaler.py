"""The scaler: measures consumed capacity per minute and applies target tracking decisions.

A request observer adds every request's consumed units (table and each index, read and
write) to per-minute buckets on the engine clock. A background task, once per completed
minute, runs `decision.decide` for each scalable target that has a target tracking
policy, and applies a change through the normal UpdateTable path (so DynamoDB's own rules
and errors apply), recording a scaling activity either way.
"""
from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

import orjson

from jobtable.api.autoscaling import state
from jobtable.api.autoscaling.decision import SCALE_IN_MINUTES, TrackingState, decide
from jobtable.api.autoscaling.operations import parse_resource
from jobtable.api.protocol import RequestContext, handle
from jobtable.engine.engine import Engine

MINUTE = 60
KEEP_MINUTES = SCALE_IN_MINUTES + 5
_EXTENSION = "autoscaling_scaler"

Series = tuple[str, str | None, str]  # (table, index, "read"|"write")


class Consumption:
    """Consumed units per (table, index, direction) per minute, for the last few minutes."""

    def __init__(self) -> None:
        self.minutes: dict[Series, dict[int, float]] = defaultdict(dict)

    def add(self, series: Series, minute: int, units: float) -> None:
        if units:
            buckets = self.minutes[series]
            buckets[minute] = buckets.get(minute, 0.0) + units

    def observe(self, operation: Any, response: Any, latency: float, ctx: RequestContext) -> None:
        minute = int(ctx.engine.clock.now() // MINUTE)
        for consumed in ctx.consumed:
            self.add((consumed.table, None, "read"), minute, consumed.read)
            self.add((consumed.table, None, "write"), minute, consumed.write)
            for name, units in consumed.index_read.items():
                self.add((consumed.table, name, "read"), minute, units)
            for name, units in consumed.index_write.items():
                self.add((consumed.table, name, "write"), minute, units)

    def rates(self, series: Series, before_minute: int, count: int) -> list[float]:
        """Average units/s of the `count` complete minutes before `before_minute`, oldest first."""
        buckets = self.minutes.get(series, {})
        return [buckets.get(m, 0.0) / MINUTE for m in range(before_minute - count, before_minute)]

    def prune(self, before_minute: int) -> None:
        for buckets in self.minutes.values():
            for minute in [m for m in buckets if m < before_minute]:
                del buckets[minute]


def ensure_scaler(engine: Engine) -> "Scaler":
    """Attach the observer and the background task to `engine` (once)."""
    scaler = engine.extensions.get(_EXTENSION)
    if scaler is None:
        scaler = Scaler(engine)
        engine.extensions[_EXTENSION] = scaler
        engine.request_observers.append(scaler.consumption.observe)
        engine.add_background_task("autoscaling", scaler.run)
    return scaler


def _provisioned(engine: Engine, table: str, index: str | None, direction: str) -> tuple[Any, int] | None:
    meta = engine.catalog.get(table)
    if meta is None or meta.billing_mode != "PROVISIONED":
        return None
    holder = meta if index is None else meta.index(index)
    if holder is None:
        return None
    return meta, int(holder.read_capacity if direction == "read" else holder.write_capacity)


class Scaler:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.consumption = Consumption()
        self.last_minute: int | None = None

    def run(self, engine: Engine) -> bool:
        minute = int(engine.clock.now() // MINUTE)
        if minute == self.last_minute:
            return False
        self.last_minute = minute
        for target in list(state.scan(engine, "target")):
            key = state.target_key(target["ResourceId"], target["ScalableDimension"])
            policies = [p for p in state.scan(engine, "policy", key + "|")
                        if p["PolicyType"] == "TargetTrackingScaling"]
            if policies:
                self._track(target, policies[0], minute)
        self.consumption.prune(minute - KEEP_MINUTES)
        return False

    def _track(self, target: dict, policy: dict, minute: int) -> None:
        suspended = target.get("SuspendedState") or {}
        table, index, direction = parse_resource(target["ResourceId"], target["ScalableDimension"])
        found = _provisioned(self.engine, table, index, direction)
        if found is None:
            return
        meta, provisioned = found
        config = policy["TargetTrackingScalingPolicyConfiguration"]
        key = state.target_key(target["ResourceId"], target["ScalableDimension"])
        history = state.get(self.engine, "cooldown", key) or {}
        tracking = TrackingState(
            provisioned=provisioned, minimum=int(target["MinCapacity"]), maximum=int(target["MaxCapacity"]),
            target_percent=float(config["TargetValue"]), scale_out_cooldown=float(config.get("ScaleOutCooldown", 0)),
            scale_in_cooldown=float(config.get("ScaleInCooldown", 0)),
            disable_scale_in=bool(config.get("DisableScaleIn")) or bool(suspended.get("DynamicScalingInSuspended")),
            last_scale_out=history.get("out"), last_scale_in=history.get("in"))
        rates = self.consumption.rates((table, index, direction), minute, SCALE_IN_MINUTES)
        decision = decide(rates, self.engine.clock.now(), tracking)
        if decision.capacity is None or decision.capacity == provisioned:
            return
        if decision.capacity > provisioned and suspended.get("DynamicScalingOutSuspended"):
            return
        ok, message = self._update_capacity(meta, index, direction, decision.capacity)
        now = self.engine.clock.now()
        if ok:
            history["out" if decision.capacity > provisioned else "in"] = now
            state.put(self.engine, "cooldown", key, history)
        self._record(target, policy, decision.capacity, provisioned, decision.reason, ok, message, now)

    def _update_capacity(self, meta: Any, index: str | None, direction: str, capacity: int) -> tuple[bool, str]:
        holder = meta if index is None else meta.index(index)
        throughput = {"ReadCapacityUnits": int(holder.read_capacity), "WriteCapacityUnits": int(holder.write_capacity)}
        throughput["ReadCapacityUnits" if direction == "read" else "WriteCapacityUnits"] = capacity
        request: dict[str, Any] = {"TableName": meta.name}
        if index is None:
            request["ProvisionedThroughput"] = throughput
        else:
            request["GlobalSecondaryIndexUpdates"] = [{"Update": {"IndexName": index,
                                                                  "ProvisionedThroughput": throughput}}]
        response = handle("DynamoDB_20120810.UpdateTable", orjson.dumps(request), RequestContext(self.engine))
        if response.status == 200:
            return True, ""
        error = orjson.loads(response.body)
        return False, f"{error.get('__type', '').split('#')[-1]}: {error.get('message') or error.get('Message', '')}"

    def _record(self, target: dict, policy: dict, capacity: int, previous: int, reason: str, ok: bool,
                message: str, now: float) -> None:
        _, _, direction = parse_resource(target["ResourceId"], target["ScalableDimension"])
        units = f"{direction} capacity units"
        alarm = policy["Alarms"][0 if capacity > previous else 1]["AlarmName"]
        activity = {
            "ActivityId": str(uuid.uuid4()), "ServiceNamespace": "dynamodb", "ResourceId": target["ResourceId"],
            "ScalableDimension": target["ScalableDimension"], "Description": f"Setting {units} to {capacity}.",
            "Cause": f"monitor alarm {alarm} in state ALARM triggered policy {policy['PolicyName']} ({reason})",
            "StartTime": now, "EndTime": now, "StatusCode": "Successful" if ok else "Failed",
            "StatusMessage": (f"Successfully set {units} to {capacity}. Change successfully fulfilled by dynamodb."
                              if ok else f"Failed to set {units} to {capacity}. {message}"),
        }
        state.put(self.engine, "activity", f"{now:020.6f}|{activity['ActivityId']}", activity)
