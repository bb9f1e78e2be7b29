"""DynamoDB list prices (USD, Standard table class) used by `jobtable cost`.

A small, dated table: prices change, so users can override any of them with a JSON or
TOML file (`--prices FILE`), either flat (`{"storage_gb_month": 0.3}`) or per region
(`{"eu-west-1": {...}}`). Source: the AWS DynamoDB pricing pages (on-demand and
provisioned), us-east-1 figures after the 1 November 2024 on-demand price reduction;
us-east-2 and us-west-2 list the same prices. Free tier allowances are not subtracted.
"""
from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, fields, replace
from typing import Any

PRICES_AS_OF = "2025-01 (aws.amazon.com/dynamodb/pricing, us-east-1)"


@dataclass(frozen=True)
class PriceTable:
    region: str
    write_request_per_million: float      # on-demand WRU
    read_request_per_million: float       # on-demand RRU
    wcu_hour: float                        # provisioned WCU per hour
    rcu_hour: float                        # provisioned RCU per hour
    storage_gb_month: float                # table and index storage
    pitr_gb_month: float                   # continuous backups (point-in-time recovery)
    backup_gb_month: float                 # on-demand backups
    stream_read_per_100k: float            # DynamoDB Streams GetRecords requests
    as_of: str = PRICES_AS_OF


_US = dict(write_request_per_million=0.625, read_request_per_million=0.125, wcu_hour=0.00065, rcu_hour=0.00013,
           storage_gb_month=0.25, pitr_gb_month=0.20, backup_gb_month=0.10, stream_read_per_100k=0.02)
BUILT_IN: dict[str, PriceTable] = {region: PriceTable(region, **_US) for region in ("us-east-1", "us-east-2", "us-west-2")}
_NUMBERS = {f.name for f in fields(PriceTable)} - {"region", "as_of"}


def _load_file(path: str) -> dict[str, Any]:
    with open(path, "rb") as handle:
        data = tomllib.load(handle) if path.endswith(".toml") else json.load(handle)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a table of prices")
    return data


def _apply(base: PriceTable, overrides: dict[str, Any], source: str) -> PriceTable:
    unknown = set(overrides) - _NUMBERS - {"as_of"}
    if unknown:
        raise ValueError(f"{source}: unknown price names {sorted(unknown)} (known: {sorted(_NUMBERS)})")
    values = {k: float(v) for k, v in overrides.items() if k in _NUMBERS}
    return replace(base, **values, as_of=str(overrides.get("as_of", f"{base.as_of}, overridden by {source}")))


def prices_for(region: str, override_file: str | None = None) -> PriceTable:
    """The built-in prices for `region`, with the override file's values on top."""
    data = _load_file(override_file) if override_file else {}
    regional = data.get(region) if isinstance(data.get(region), dict) else None
    flat = {k: v for k, v in data.items() if not isinstance(v, dict)}
    base = BUILT_IN.get(region)
    if base is None:
        complete = {**flat, **(regional or {})}
        missing = _NUMBERS - set(complete)
        if missing:
            raise ValueError(f"no built-in DynamoDB prices for {region}; give them in --prices "
                             f"(missing: {', '.join(sorted(missing))})")
        base = PriceTable(region, **{k: float(complete[k]) for k in _NUMBERS}, as_of=str(complete.get("as_of", override_file)))
        return base
    if flat:
        base = _apply(base, flat, override_file or "")
    if regional:
        base = _apply(base, regional, override_file or "")
    return base
