"""CloudWatch metric alarms: stored in SQLite, evaluated once a minute by a background task.

An alarm looks at the last EvaluationPeriods complete periods of its metric (the current,
unfinished minute is left out) and goes to ALARM when at least DatapointsToAlarm of them
breach the threshold. Missing periods follow TreatMissingData: `missing` (default) ignores
them and reports INSUFFICIENT_DATA when there is no datapoint at all, `notBreaching` and
`breaching` count them as good or bad, `ignore` keeps the current state. State changes carry
CloudWatch's StateReason/StateReasonData. Alarm actions (SNS...) are recorded, not delivered.
"""
from __future__ import annotations

import datetime as dt
import operator
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

import orjson

from jobtable.engine.metrics import MINUTE, canonical

if TYPE_CHECKING:
    from jobtable.engine.engine import Engine

EVALUATION_INTERVAL = MINUTE
COMPARISONS: dict[str, tuple[Callable[[float, float], bool], str]] = {
    "GreaterThanOrEqualToThreshold": (operator.ge, "greater than or equal to"),
    "GreaterThanThreshold": (operator.gt, "greater than"),
    "LessThanThreshold": (operator.lt, "less than"),
    "LessThanOrEqualToThreshold": (operator.le, "less than or equal to"),
}


def alarm_arn(engine: "Engine", name: str) -> str:
    return f"arn:aws:cloudwatch:{engine.region}:{engine.account_id}:alarm:{name}"


def _short(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc).strftime("%d/%m/%y %H:%M:%S")


def _iso(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


@dataclass
class Verdict:
    state: str
    reason: str
    data: dict[str, Any]


class Alarms:
    """All metric alarms of an engine (cached in memory, written through to `jt_alarms`)."""

    def __init__(self, engine: "Engine") -> None:
        self.engine = engine
        self._lock = threading.RLock()
        with engine.storage.transaction() as c:
            c.execute("CREATE TABLE IF NOT EXISTS jt_alarms(name TEXT PRIMARY KEY, doc BLOB NOT NULL)")
        with engine.storage.read() as c:
            self._alarms: dict[str, dict] = {name: orjson.loads(doc)
                                             for name, doc in c.execute("SELECT name, doc FROM jt_alarms")}

    # -- storage ---------------------------------------------------------------------------
    def get(self, name: str) -> dict | None:
        return self._alarms.get(name)

    def all(self) -> list[dict]:
        with self._lock:
            return [self._alarms[n] for n in sorted(self._alarms)]

    def save(self, alarm: dict) -> None:
        with self._lock, self.engine.storage.transaction() as c:
            c.execute("INSERT OR REPLACE INTO jt_alarms(name, doc) VALUES(?, ?)",
                      (alarm["AlarmName"], orjson.dumps(alarm)))
            self._alarms[alarm["AlarmName"]] = alarm

    def put(self, definition: dict) -> dict:
        """Create or replace an alarm's definition; a new alarm starts INSUFFICIENT_DATA."""
        now = self.engine.clock.now()
        with self._lock:
            previous = self._alarms.get(definition["AlarmName"])
            alarm = dict(definition)
            alarm["AlarmArn"] = alarm_arn(self.engine, alarm["AlarmName"])
            alarm["AlarmConfigurationUpdatedTimestamp"] = now
            if previous is None:
                alarm.update(StateValue="INSUFFICIENT_DATA", StateReason="Unchecked: Initial alarm creation",
                             StateUpdatedTimestamp=now, StateTransitionedTimestamp=now)
            else:
                for key in ("StateValue", "StateReason", "StateReasonData", "StateUpdatedTimestamp",
                            "StateTransitionedTimestamp"):
                    if key in previous:
                        alarm[key] = previous[key]
            alarm["_next_evaluation"] = now  # evaluate on the next background pass
            self.save(alarm)
        self.engine.wake()
        return alarm

    def delete(self, names: list[str]) -> None:
        with self._lock, self.engine.storage.transaction() as c:
            for name in names:
                c.execute("DELETE FROM jt_alarms WHERE name=?", (name,))
                c.execute("DELETE FROM jt_tags WHERE arn=?", (alarm_arn(self.engine, name),))
                self._alarms.pop(name, None)

    # -- evaluation ------------------------------------------------------------------------
    def evaluate_due(self, engine: "Engine") -> bool:
        """Background task: evaluate every alarm whose minute has come."""
        now = engine.clock.now()
        for alarm in self.all():
            if now >= alarm.get("_next_evaluation", 0):
                self.evaluate(alarm, now)
        return False

    def evaluate(self, alarm: dict, now: float) -> None:
        verdict = self.judge(alarm, now)
        updated = dict(alarm)
        updated["_next_evaluation"] = (now // EVALUATION_INTERVAL + 1) * EVALUATION_INTERVAL
        updated["_checked"] = True
        changed = verdict is not None and verdict.state != alarm.get("StateValue")
        if verdict is not None and (changed or not alarm.get("_checked")):  # the first check replaces "Unchecked"
            updated.update(StateValue=verdict.state, StateReason=verdict.reason,
                           StateReasonData=orjson.dumps(verdict.data).decode(), StateUpdatedTimestamp=now)
            if changed:
                updated["StateTransitionedTimestamp"] = now
        self.save(updated)

    def judge(self, alarm: dict, now: float) -> Verdict | None:
        """The state the alarm's recent datapoints call for (None: keep the current state)."""
        period = int(alarm["Period"])
        periods = int(alarm["EvaluationPeriods"])
        needed = int(alarm.get("DatapointsToAlarm") or periods)
        end = (now // MINUTE) * MINUTE
        start = end - periods * period
        statistic = alarm["Statistic"]
        points = self.engine.metrics.datapoints(alarm["Namespace"], alarm["MetricName"],
                                                canonical((d["Name"], d["Value"]) for d in alarm.get("Dimensions") or []),
                                                start, end, period)
        if alarm.get("Unit"):
            points = [p for p in points if p.unit == alarm["Unit"]]
        compare, words = COMPARISONS[alarm["ComparisonOperator"]]
        threshold = float(alarm["Threshold"])
        values = [(p.timestamp, p.aggregate.statistic(statistic)) for p in points]
        breaching = [v for _, v in values if compare(v, threshold)]
        missing = periods - len(values)
        treatment = alarm.get("TreatMissingData") or "missing"
        data = {"version": "1.0", "queryDate": _iso(now), "startDate": _iso(start), "statistic": statistic,
                "period": period, "recentDatapoints": [v for _, v in values], "threshold": threshold,
                "evaluatedDatapoints": [{"timestamp": _iso(t), "value": v} for t, v in reversed(values)]}
        shown = ", ".join(f"{v} ({_short(t)})" for t, v in reversed(values))
        bad = len(breaching) + (missing if treatment == "breaching" else 0)
        if not values and treatment in ("missing", "ignore"):
            if treatment == "ignore":
                return None
            return Verdict("INSUFFICIENT_DATA", f"Insufficient Data: {_plural(periods, 'datapoint')} "
                                                f"{'was' if periods == 1 else 'were'} unknown.", data)
        if bad >= needed:
            state, negation, transition = "ALARM", "", "OK -> ALARM"
        else:
            state, negation, transition = "OK", "not ", "ALARM -> OK"
        if not values:
            treated = "Breaching" if treatment == "breaching" else "NonBreaching"
            reason = (f"Threshold Crossed: no datapoints were received for {_plural(periods, 'period')} and "
                      f"{_plural(missing, 'missing datapoint')} {'was' if missing == 1 else 'were'} treated as "
                      f"[{treated}].")
        else:
            count = len(breaching) if state == "ALARM" else len(values) - len(breaching)
            reason = (f"Threshold Crossed: {count} out of the last {len(values)} datapoints [{shown}] "
                      f"{'was' if count == 1 else 'were'} {negation}{words} the threshold ({threshold}) (minimum "
                      f"{_plural(needed, 'datapoint')} for {transition} transition).")
        return Verdict(state, reason, data)


def public_view(alarm: dict) -> dict:
    """The MetricAlarm structure (internal bookkeeping keys left out)."""
    return {k: v for k, v in alarm.items() if not k.startswith("_")}


def register(engine: "Engine") -> None:
    engine.alarms = Alarms(engine)
    engine.add_background_task("cloudwatch-alarms", engine.alarms.evaluate_due)
