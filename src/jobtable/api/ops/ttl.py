"""UpdateTimeToLive and DescribeTimeToLive, with DynamoDB's states and refusals.

The content checks (already enabled/disabled, another attribute active) come before the
one-change-per-hour cooldown, as in DynamoDB. The change is effective at once (DynamoDB
also shows the settled status on the next describe); existing items are backfilled into
the expiry index in the background (engine/ttl.py).
"""
from __future__ import annotations

from jobtable.api.protocol import RequestContext
from jobtable.engine import ttl
from jobtable.engine.errors import ValidationException


def update_time_to_live(req: dict, ctx: RequestContext) -> dict:
    engine = ctx.engine
    meta = engine.catalog.require(req["TableName"])
    spec = req["TimeToLiveSpecification"]
    enabled, attribute = bool(spec["Enabled"]), spec["AttributeName"]
    active = ttl.is_enabled(meta)
    if active and meta.ttl_attribute != attribute:
        raise ValidationException("TimeToLive is active on a different AttributeName: current AttributeName is "
                                  f"{meta.ttl_attribute}")
    if active and enabled:
        raise ValidationException("TimeToLive is already enabled")
    if not active and not enabled:
        raise ValidationException("TimeToLive is already disabled")
    changed = ttl.last_change(meta)
    if changed is not None and engine.clock.now() - changed < ttl.CHANGE_COOLDOWN_SECONDS:
        raise ValidationException("Time to live has been modified multiple times within a fixed interval")
    if enabled:
        ttl.enable(engine, meta, attribute)
    else:
        ttl.disable(engine, meta)
    return {"TimeToLiveSpecification": {"Enabled": enabled, "AttributeName": attribute}}


def describe_time_to_live(req: dict, ctx: RequestContext) -> dict:
    meta = ctx.engine.catalog.require(req["TableName"])
    description = {"TimeToLiveStatus": meta.ttl_status}
    if ttl.is_enabled(meta):
        description["AttributeName"] = meta.ttl_attribute
    return {"TimeToLiveDescription": description}


OPERATIONS = {
    "UpdateTimeToLive": update_time_to_live,
    "DescribeTimeToLive": describe_time_to_live,
}
