"""A small durable registry of job records (exports, imports) kept as JSON rows in SQLite.

Each record is a dataclass with `arn`, `table_arn`, `start`, `status`, `end`, `failure_code`
and `failure_message` fields (status IN_PROGRESS, COMPLETED or FAILED); rows keep
their insertion order (rowid) so listings are stable when several start in the same second.
"""
from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any, Callable, Generic, TypeVar

import orjson

if TYPE_CHECKING:
    from jobtable.engine.engine import Engine

Record = TypeVar("Record")


class Registry(Generic[Record]):
    def __init__(self, sql_table: str, record_type: Callable[..., Record],
                 not_found: Callable[[str], Exception]) -> None:
        self.sql_table = sql_table
        self.record_type = record_type
        self.not_found = not_found

    def create_storage(self, engine: "Engine") -> None:
        with engine.storage.transaction() as c:
            c.execute(f"CREATE TABLE IF NOT EXISTS {self.sql_table}(arn TEXT PRIMARY KEY, table_arn TEXT NOT NULL,"
                      " start REAL NOT NULL, status TEXT NOT NULL, doc TEXT NOT NULL)")

    def save(self, engine: "Engine", record: Any) -> None:
        with engine.storage.transaction() as c:
            c.execute(f"INSERT INTO {self.sql_table}(arn, table_arn, start, status, doc) VALUES(?, ?, ?, ?, ?)"
                      " ON CONFLICT(arn) DO UPDATE SET status=excluded.status, doc=excluded.doc",
                      (record.arn, record.table_arn, record.start, record.status, orjson.dumps(asdict(record))))

    def get(self, engine: "Engine", arn: str) -> Record:
        with engine.storage.read() as c:
            row = c.execute(f"SELECT doc FROM {self.sql_table} WHERE arn=?", (arn,)).fetchone()
        if row is None:
            raise self.not_found(arn)
        return self.record_type(**orjson.loads(row[0]))

    def all(self, engine: "Engine", table_arn: str | None = None) -> list[Record]:
        where, args = ("WHERE table_arn=?", (table_arn,)) if table_arn is not None else ("", ())
        with engine.storage.read() as c:
            rows = c.execute(f"SELECT doc FROM {self.sql_table} {where} ORDER BY start, rowid", args).fetchall()
        return [self.record_type(**orjson.loads(r[0])) for r in rows]

    def in_progress(self, engine: "Engine") -> list[Record]:
        """The records background work still has to advance, oldest first."""
        return [record for record in self.all(engine) if record.status == "IN_PROGRESS"]  # type: ignore[attr-defined]

    def fail(self, engine: "Engine", record: Any, code: str, message: str) -> None:
        """End `record` as FAILED now, with DynamoDB's FailureCode and FailureMessage."""
        record.status = "FAILED"
        record.end = engine.clock.now()
        record.failure_code, record.failure_message = code, message
        self.save(engine, record)
