"""One normalised shape for "how the table is configured", built from the module's
variables (desired) or read back from an endpoint (observed), so plan is a plain diff."""
from __future__ import annotations

from dataclasses import dataclass, field

from jobtable.module.config import ModuleConfig

HASH_KEY = "jobId"
SORT_KEY = "createdAt"
TTL_ATTRIBUTE = "ttl"
STATUS_INDEX = "StatusIndex"
USER_INDEX = "UserIndex"
# Index name -> partition key; both sort on createdAt and project ALL (the seed's schema).
INDEX_PARTITION_KEYS = {STATUS_INDEX: "status", USER_INDEX: "userId"}


@dataclass(frozen=True)
class IndexSettings:
    partition_key: str
    sort_key: str = SORT_KEY
    projection: str = "ALL"
    read_capacity: int | None = None
    write_capacity: int | None = None


def same_keys(a: IndexSettings, b: IndexSettings) -> bool:
    """Whether two indexes have the same keys and projection (else one must be rebuilt)."""
    return (a.partition_key, a.sort_key, a.projection) == (b.partition_key, b.sort_key, b.projection)


@dataclass
class TableSettings:
    name: str
    billing_mode: str
    read_capacity: int | None
    write_capacity: int | None
    indexes: dict[str, IndexSettings]
    stream_enabled: bool
    stream_view_type: str | None
    sse_enabled: bool
    kms_key_arn: str | None
    deletion_protection: bool
    tags: dict[str, str]
    ttl_attribute: str | None
    ttl_enabled: bool
    point_in_time_recovery: bool
    # None when the endpoint does not support Contributor Insights (observed only).
    contributor_insights: bool | None
    system_status_item: bool = True
    daily_backups: bool = False
    extra: dict[str, object] = field(default_factory=dict)


def desired_settings(config: ModuleConfig) -> TableSettings:
    provisioned = config.billing_mode == "PROVISIONED"
    names = [STATUS_INDEX] + ([USER_INDEX] if config.enable_user_index else [])
    indexes = {
        name: IndexSettings(
            partition_key=INDEX_PARTITION_KEYS[name],
            read_capacity=config.index_read_capacity if provisioned else None,
            write_capacity=config.index_write_capacity if provisioned else None,
        )
        for name in names
    }
    return TableSettings(
        name=config.physical_table_name,
        billing_mode=config.billing_mode,
        read_capacity=config.read_capacity if provisioned else None,
        write_capacity=config.write_capacity if provisioned else None,
        indexes=indexes,
        stream_enabled=config.stream_enabled,
        stream_view_type=config.stream_view_type if config.stream_enabled else None,
        sse_enabled=config.server_side_encryption,
        kms_key_arn=config.kms_key_arn,
        deletion_protection=config.deletion_protection_enabled,
        tags=config.resolved_tags(),
        ttl_attribute=TTL_ATTRIBUTE,
        ttl_enabled=True,
        point_in_time_recovery=config.enable_point_in_time_recovery,
        contributor_insights=config.enable_contributor_insights,
        system_status_item=True,
        daily_backups=config.daily_backups,
    )


def attribute_definitions(indexes: dict[str, IndexSettings]) -> list[dict[str, str]]:
    names = [HASH_KEY] + sorted({a for i in indexes.values() for a in (i.partition_key, i.sort_key)})
    return [{"AttributeName": name, "AttributeType": "S"} for name in names]


def throughput(read: int | None, write: int | None) -> dict[str, int] | None:
    return None if read is None else {"ReadCapacityUnits": read, "WriteCapacityUnits": write or 0}


def index_definition(name: str, index: IndexSettings) -> dict[str, object]:
    definition: dict[str, object] = {
        "IndexName": name,
        "KeySchema": [
            {"AttributeName": index.partition_key, "KeyType": "HASH"},
            {"AttributeName": index.sort_key, "KeyType": "RANGE"},
        ],
        "Projection": {"ProjectionType": index.projection},
    }
    capacity = throughput(index.read_capacity, index.write_capacity)
    if capacity:
        definition["ProvisionedThroughput"] = capacity
    return definition


def sse_specification(settings: TableSettings) -> dict[str, object]:
    spec: dict[str, object] = {"Enabled": settings.sse_enabled}
    if settings.sse_enabled:
        spec["SSEType"] = "KMS"
        if settings.kms_key_arn:
            spec["KMSMasterKeyId"] = settings.kms_key_arn
    return spec


def stream_specification(settings: TableSettings) -> dict[str, object]:
    if not settings.stream_enabled:
        return {"StreamEnabled": False}
    return {"StreamEnabled": True, "StreamViewType": settings.stream_view_type}


def create_table_request(settings: TableSettings) -> dict[str, object]:
    """The single CreateTable call that builds the table with its indexes, stream, SSE and tags."""
    request: dict[str, object] = {
        "TableName": settings.name,
        "KeySchema": [{"AttributeName": HASH_KEY, "KeyType": "HASH"}],
        "AttributeDefinitions": attribute_definitions(settings.indexes),
        "BillingMode": settings.billing_mode,
        "StreamSpecification": stream_specification(settings),
        "SSESpecification": sse_specification(settings),
        "DeletionProtectionEnabled": settings.deletion_protection,
        "Tags": [{"Key": k, "Value": v} for k, v in sorted(settings.tags.items())],
    }
    if settings.indexes:
        request["GlobalSecondaryIndexes"] = [index_definition(n, i) for n, i in sorted(settings.indexes.items())]
    capacity = throughput(settings.read_capacity, settings.write_capacity)
    if capacity:
        request["ProvisionedThroughput"] = capacity
    return request
