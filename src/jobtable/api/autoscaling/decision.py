"""Target tracking for DynamoDB, as a pure function (what the scaler decides each minute).

DynamoDB auto scaling's target tracking policy behaves like the two CloudWatch alarms
it creates (documented in the DynamoDB developer guide, "Managing throughput capacity
automatically with DynamoDB auto scaling"):
- scale out when consumed capacity is above the target utilisation for 2 consecutive
  minutes;
- scale in when it is below the target minus 20 percentage points for 15 consecutive
  minutes (unless DisableScaleIn);
- the new capacity makes the consumption sit at the target: ceil(units/s / target),
  within [MinCapacity, MaxCapacity];
- after a scale-out no further scale-out until ScaleOutCooldown has passed; after a
  scale-in no scale-in until ScaleInCooldown has passed (a scale-out may interrupt a
  scale-in cooldown).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

SCALE_OUT_MINUTES = 2
SCALE_IN_MINUTES = 15
SCALE_IN_MARGIN = 20.0  # percentage points below the target


@dataclass(frozen=True)
class TrackingState:
    provisioned: int
    minimum: int
    maximum: int
    target_percent: float
    scale_out_cooldown: float = 0.0
    scale_in_cooldown: float = 0.0
    disable_scale_in: bool = False
    last_scale_out: float | None = None
    last_scale_in: float | None = None


@dataclass(frozen=True)
class Decision:
    capacity: int | None  # None: leave it
    reason: str


def desired_capacity(units_per_second: float, state: TrackingState) -> int:
    wanted = math.ceil(units_per_second / (state.target_percent / 100) - 1e-9)
    return min(state.maximum, max(state.minimum, wanted))


def decide(minutes: list[float], now: float, state: TrackingState) -> Decision:
    """`minutes`: consumed units/s of each complete minute, oldest first, newest last."""
    if state.provisioned < state.minimum or state.provisioned > state.maximum:
        capacity = min(state.maximum, max(state.minimum, state.provisioned))
        return Decision(capacity, f"capacity {state.provisioned} is outside [{state.minimum}, {state.maximum}]")

    def utilization(rate: float) -> float:
        return 100.0 * rate / state.provisioned

    recent = minutes[-SCALE_OUT_MINUTES:]
    if len(recent) == SCALE_OUT_MINUTES and all(utilization(r) > state.target_percent for r in recent):
        capacity = desired_capacity(recent[-1], state)
        cooling = state.last_scale_out is not None and now - state.last_scale_out < state.scale_out_cooldown
        if capacity > state.provisioned and not cooling:
            return Decision(capacity, f"utilization {utilization(recent[-1]):.1f}% above the target "
                                      f"{state.target_percent:g}% for {SCALE_OUT_MINUTES} minutes")
    window = minutes[-SCALE_IN_MINUTES:]
    low = state.target_percent - SCALE_IN_MARGIN
    if (not state.disable_scale_in and len(window) == SCALE_IN_MINUTES
            and all(utilization(r) < low for r in window)):
        capacity = desired_capacity(max(window), state)
        cooling = state.last_scale_in is not None and now - state.last_scale_in < state.scale_in_cooldown
        if capacity < state.provisioned and not cooling:
            return Decision(capacity, f"utilization below {low:g}% for {SCALE_IN_MINUTES} minutes")
    return Decision(None, "within the target")
