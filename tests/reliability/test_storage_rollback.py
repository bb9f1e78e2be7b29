"""Failed transactions leave neither SQLite nor the in-memory catalog half-changed.

Found by the disk-full tests: SQLite rolls a transaction back by itself on SQLITE_FULL, and
the second ROLLBACK then failed with "no transaction is active", hiding the real error;
and a rolled-back UpdateTable left its in-place metadata changes in the catalog cache.
"""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

import jobtable
from jobtable.engine.engine import Engine
from tests.conftest import job_table_spec


@pytest.fixture
def engine():
    e = Engine(None)
    yield e
    e.close()


def test_storage_full_is_reported_as_out_of_space_and_writes_resume(engine):
    ddb = jobtable.client(engine=engine)
    ddb.create_table(**job_table_spec("Jobs"))
    pages = engine.storage.conn.execute("PRAGMA page_count").fetchone()[0]
    engine.storage.conn.execute(f"PRAGMA max_page_count={pages + 20}")
    acked = 0
    with pytest.raises(ClientError) as full:
        for n in range(10_000):
            ddb.put_item(TableName="Jobs", Item={"jobId": {"S": f"j{n}"}, "status": {"S": "s"},
                                                 "createdAt": {"S": "t"}, "blob": {"S": "x" * 3000}})
            acked += 1
    assert full.value.response["Error"]["Code"] == "InternalServerError"
    assert "out of space" in full.value.response["Error"]["Message"]
    assert not engine.storage.conn.in_transaction
    engine.storage.conn.execute("PRAGMA max_page_count=1073741823")
    ddb.put_item(TableName="Jobs", Item={"jobId": {"S": "after"}, "status": {"S": "s"}, "createdAt": {"S": "t"}})
    assert ddb.scan(TableName="Jobs", Select="COUNT")["Count"] == acked + 1


def test_a_rolled_back_metadata_change_is_not_kept_in_memory(engine):
    ddb = jobtable.client(engine=engine)
    ddb.create_table(**job_table_spec("Jobs"))
    with pytest.raises(RuntimeError):
        with engine.storage.transaction():
            meta = engine.catalog.require("Jobs")
            meta.gsis = []
            meta.deletion_protection = True
            engine.catalog.save(meta)
            raise RuntimeError("fails after the save, before the commit")
    meta = engine.catalog.require("Jobs")
    assert sorted(i.name for i in meta.gsis) == ["StatusIndex", "UserIndex"]
    assert meta.deletion_protection is False
    ddb.delete_table(TableName="Jobs")  # the cache and the file still agree


def test_a_failed_commit_leaves_no_open_transaction(engine):
    """A COMMIT that fails (here: a deferred foreign-key violation) rolls back and frees the connection."""
    c = engine.storage.conn
    c.execute("PRAGMA foreign_keys=ON")
    c.execute("CREATE TABLE p(id INTEGER PRIMARY KEY)")
    c.execute("CREATE TABLE ch(pid INTEGER REFERENCES p(id) DEFERRABLE INITIALLY DEFERRED)")
    with pytest.raises(Exception):
        with engine.storage.transaction() as tx:
            tx.execute("INSERT INTO ch VALUES(42)")
    assert not c.in_transaction
    with engine.storage.transaction() as tx:  # the next transaction starts normally
        tx.execute("INSERT INTO p VALUES(1)")
