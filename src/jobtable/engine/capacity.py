"""Capacity units exactly as DynamoDB counts them, and the one record every request fills.

Reads: 4 KB units (rounded up per item for GetItem/BatchGetItem, per response for
Query/Scan), halved for eventually consistent reads. Writes: 1 KB units per item, plus one
write per index entry put or deleted. Transactions cost double. Throttling, metrics and
Contributor Insights all read the same `Consumed` record.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

READ_UNIT_BYTES = 4096
WRITE_UNIT_BYTES = 1024


def read_units(size_bytes: int, consistent: bool) -> float:
    units = max(1, math.ceil(size_bytes / READ_UNIT_BYTES))
    return float(units) if consistent else units / 2


def write_units(size_bytes: int) -> float:
    return float(max(1, math.ceil(size_bytes / WRITE_UNIT_BYTES)))


@dataclass
class Consumed:
    """Capacity one request used on one table (and its indexes)."""

    table: str
    read: float = 0.0
    write: float = 0.0
    index_read: dict[str, float] = field(default_factory=dict)
    index_write: dict[str, float] = field(default_factory=dict)
    gsi_names: frozenset[str] = frozenset()

    def add_index_write(self, name: str, units: float) -> None:
        if units:
            self.index_write[name] = self.index_write.get(name, 0.0) + units

    def add_index_read(self, name: str, units: float) -> None:
        self.index_read[name] = self.index_read.get(name, 0.0) + units

    def scaled(self, factor: float) -> "Consumed":
        return Consumed(self.table, self.read * factor, self.write * factor,
                        {k: v * factor for k, v in self.index_read.items()},
                        {k: v * factor for k, v in self.index_write.items()}, self.gsi_names)

    def merge(self, other: "Consumed") -> None:
        self.read += other.read
        self.write += other.write
        for k, v in other.index_read.items():
            self.add_index_read(k, v)
        for k, v in other.index_write.items():
            self.add_index_write(k, v)

    @property
    def total(self) -> float:
        return (self.read + self.write + sum(self.index_read.values())
                + sum(self.index_write.values()))

    def to_wire(self, mode: str | None) -> dict | None:
        """The ConsumedCapacity member for ReturnConsumedCapacity=TOTAL|INDEXES (None for NONE)."""
        if mode not in ("TOTAL", "INDEXES"):
            return None
        out: dict = {"TableName": self.table, "CapacityUnits": self.total}
        reads = self.read + sum(self.index_read.values())
        writes = self.write + sum(self.index_write.values())
        if reads:
            out["ReadCapacityUnits"] = reads
        if writes:
            out["WriteCapacityUnits"] = writes
        if mode == "INDEXES":
            out["Table"] = _units(self.read, self.write)
            gsis: dict = {}
            lsis: dict = {}
            for name in sorted(set(self.index_read) | set(self.index_write)):
                target = gsis if name in self.gsi_names else lsis
                target[name] = _units(self.index_read.get(name, 0.0), self.index_write.get(name, 0.0))
            if gsis:
                out["GlobalSecondaryIndexes"] = gsis
            if lsis:
                out["LocalSecondaryIndexes"] = lsis
        return out


def _units(read: float, write: float) -> dict:
    out: dict = {"CapacityUnits": read + write}
    if read:
        out["ReadCapacityUnits"] = read
    if write:
        out["WriteCapacityUnits"] = write
    return out
