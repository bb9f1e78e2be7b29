"""The system status item: a well-known row health checks read, expiring after one year.

Written with a condition so apply never clobbers a fresh item: it is created when absent
and renewed when its TTL comes within `RENEW_WITHIN_SECONDS` of expiry.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from jobtable.clock import Clock
from jobtable.module.config import ModuleConfig
from jobtable.module.state import HASH_KEY, TTL_ATTRIBUTE

SYSTEM_STATUS_JOB_ID = "system-status"
ONE_YEAR_SECONDS = 365 * 24 * 3600
RENEW_WITHIN_SECONDS = 30 * 24 * 3600


def iso_utc(epoch: float) -> str:
    """The jobs layer's fixed-width form (`...T10:00:00.000Z`), so the item sorts among jobs by createdAt."""
    return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


@dataclass(frozen=True)
class SystemStatus:
    present: bool
    expires_at: int | None = None

    def seconds_left(self, now: float) -> float | None:
        return None if self.expires_at is None else self.expires_at - now

    def is_fresh(self, now: float) -> bool:
        """Present and not yet expired."""
        left = self.seconds_left(now)
        return self.present and left is not None and left > 0

    def needs_renewal(self, now: float) -> bool:
        left = self.seconds_left(now)
        return not self.present or left is None or left < RENEW_WITHIN_SECONDS


def read_system_status(client: Any, table_name: str) -> SystemStatus:
    item = client.get_item(TableName=table_name, Key={HASH_KEY: {"S": SYSTEM_STATUS_JOB_ID}},
                           ConsistentRead=True).get("Item")
    if not item:
        return SystemStatus(present=False)
    ttl = item.get(TTL_ATTRIBUTE, {}).get("N")
    return SystemStatus(present=True, expires_at=int(float(ttl)) if ttl is not None else None)


def write_system_status(client: Any, config: ModuleConfig, clock: Clock) -> bool:
    """Create or renew the item; False when a fresh one was already there."""
    now = int(clock.now())
    values = {
        ":status": {"S": "active"},
        ":user": {"S": "system"},
        ":now": {"S": iso_utc(now)},
        ":type": {"S": "system-status"},
        ":meta": {"M": {
            "project": {"S": config.project_name},
            "environment": {"S": config.environment},
            "table": {"S": config.table_name},
            "managedBy": {"S": config.managed_by},
        }},
        ":ttl": {"N": str(now + ONE_YEAR_SECONDS)},
        ":renew_before": {"N": str(now + RENEW_WITHIN_SECONDS)},
    }
    try:
        client.update_item(
            TableName=config.physical_table_name,
            Key={HASH_KEY: {"S": SYSTEM_STATUS_JOB_ID}},
            UpdateExpression=("SET #status = :status, userId = :user, createdAt = if_not_exists(createdAt, :now), "
                              "updatedAt = :now, jobType = :type, metadata = :meta, #ttl = :ttl"),
            ConditionExpression="attribute_not_exists(jobId) OR #ttl < :renew_before",
            ExpressionAttributeNames={"#status": "status", "#ttl": TTL_ATTRIBUTE},
            ExpressionAttributeValues=values,
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            return False
        raise
    return True
