"""The module's variables: validation, defaults that depend on the environment, naming.

The same variables (names, defaults, rules) exist in `terraform/modules/dynamodb/variables.tf`;
keep the two in step.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping

PRODUCTION = "production"
BILLING_MODES = ("PAY_PER_REQUEST", "PROVISIONED")
STREAM_VIEW_TYPES = ("KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES")
NAME_PART = re.compile(r"^[A-Za-z0-9_.-]+$")
TABLE_NAME = re.compile(r"^[A-Za-z0-9_.-]{3,255}$")
ENVIRONMENT = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")
DEFAULT_BACKUP_RETENTION_DAYS = 30

# Tags that mark a table for the daily backup schedule (`jobtable backups run-schedule`
# finds tables by them; on AWS an AWS Backup selection can use the same tags).
BACKUP_SCHEDULE_TAG = "BackupSchedule"
BACKUP_RETENTION_TAG = "BackupRetentionDays"


def table_name_for(project_name: str, environment: str, table_name: str, resource_suffix: str) -> str:
    """The deterministic physical table name: `{project_name}-{environment}-{table_name}-{resource_suffix}`."""
    return f"{project_name}-{environment}-{table_name}-{resource_suffix}"


@dataclass(frozen=True)
class ModuleConfig:
    """Validated module variables. Construct with keyword arguments; errors raise ValueError."""

    project_name: str
    environment: str
    resource_suffix: str
    table_name: str = "CloudToolsJobs"
    billing_mode: str = "PAY_PER_REQUEST"
    enable_point_in_time_recovery: bool = True
    tags: Mapping[str, str] = field(default_factory=dict)
    read_capacity: int = 5
    write_capacity: int = 5
    gsi_read_capacity: int | None = None
    gsi_write_capacity: int | None = None
    enable_user_index: bool = True
    deletion_protection: bool | None = None
    stream_enabled: bool = True
    stream_view_type: str = "NEW_AND_OLD_IMAGES"
    server_side_encryption: bool = True
    kms_key_arn: str | None = None
    backup_retention_days: int = DEFAULT_BACKUP_RETENTION_DAYS
    enable_contributor_insights: bool = True
    managed_by: str = "jobtable"
    # An exact physical name instead of the naming pattern (e.g. `jobtable up`'s CloudToolsJobs).
    table_name_override: str | None = None

    def __post_init__(self) -> None:
        for name in ("project_name", "resource_suffix", "table_name"):
            value = getattr(self, name)
            if not isinstance(value, str) or not NAME_PART.match(value):
                raise ValueError(f"{name} must be non-empty and use only letters, digits, '_', '.', '-' (got {value!r})")
        if self.table_name_override is not None and not (
                isinstance(self.table_name_override, str) and TABLE_NAME.match(self.table_name_override)):
            raise ValueError("table_name_override must be 3-255 letters, digits, '_', '.' or '-' "
                             f"(got {self.table_name_override!r})")
        if not isinstance(self.environment, str) or not ENVIRONMENT.match(self.environment):
            raise ValueError(
                f"environment must be 1-32 lowercase letters, digits or '-' (e.g. development, production); got {self.environment!r}")
        if not 3 <= len(self.physical_table_name) <= 255:
            raise ValueError(f"the table name {self.physical_table_name!r} must be 3-255 characters long")
        if self.billing_mode not in BILLING_MODES:
            raise ValueError(f"billing_mode must be one of {', '.join(BILLING_MODES)}; got {self.billing_mode!r}")
        if self.stream_view_type not in STREAM_VIEW_TYPES:
            raise ValueError(f"stream_view_type must be one of {', '.join(STREAM_VIEW_TYPES)}; got {self.stream_view_type!r}")
        for name in ("read_capacity", "write_capacity", "gsi_read_capacity", "gsi_write_capacity"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or value < 1):
                raise ValueError(f"{name} must be a positive integer; got {value!r}")
        if not isinstance(self.backup_retention_days, int) or not 1 <= self.backup_retention_days <= 3650:
            raise ValueError(f"backup_retention_days must be between 1 and 3650; got {self.backup_retention_days!r}")
        if self.kms_key_arn and not self.server_side_encryption:
            raise ValueError("kms_key_arn needs server_side_encryption = True")
        for key, value in self.tags.items():
            if not isinstance(key, str) or not isinstance(value, str) or not 1 <= len(key) <= 128 or len(value) > 256:
                raise ValueError(f"tag {key!r} must be a string key of 1-128 characters with a string value of at most 256")

    @property
    def physical_table_name(self) -> str:
        if self.table_name_override is not None:
            return self.table_name_override
        return table_name_for(self.project_name, self.environment, self.table_name, self.resource_suffix)

    @property
    def is_production(self) -> bool:
        return self.environment == PRODUCTION

    @property
    def deletion_protection_enabled(self) -> bool:
        """Unset means: protected in production, unprotected elsewhere."""
        return self.is_production if self.deletion_protection is None else self.deletion_protection

    @property
    def index_read_capacity(self) -> int:
        return self.read_capacity if self.gsi_read_capacity is None else self.gsi_read_capacity

    @property
    def index_write_capacity(self) -> int:
        return self.write_capacity if self.gsi_write_capacity is None else self.gsi_write_capacity

    @property
    def daily_backups(self) -> bool:
        """Production tables get the daily backup schedule."""
        return self.is_production

    def resolved_tags(self) -> dict[str, str]:
        """Module tags first (Project/Environment/ManagedBy), caller's tags override them;
        production adds the backup-schedule marker tags."""
        tags = {"Project": self.project_name, "Environment": self.environment, "ManagedBy": self.managed_by}
        tags.update(self.tags)
        if self.daily_backups:
            tags[BACKUP_SCHEDULE_TAG] = "daily"
            tags[BACKUP_RETENTION_TAG] = str(self.backup_retention_days)
        return tags
