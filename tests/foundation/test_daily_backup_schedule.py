"""The server's own scheduler takes `{table}-backup-YYYY-MM-DD` daily and prunes by retention."""
from __future__ import annotations

import datetime as dt

from tests.conftest import ServerProcess, job_table_spec

DAY = 86400


def test_server_takes_daily_backups_of_tagged_tables():
    server = ServerProcess("--manual-clock").start()
    try:
        start = dt.datetime(2026, 11, 1, 2, 0, tzinfo=dt.timezone.utc).timestamp()
        server.set_clock(start)
        ddb = server.client()
        ddb.create_table(**job_table_spec("ProdJobs", Tags=[{"Key": "BackupSchedule", "Value": "daily"},
                                                           {"Key": "BackupRetentionDays", "Value": "3"}]))
        ddb.create_table(**job_table_spec("DevJobs"))
        server.advance(3600 * 2)  # 04:00 UTC: the first run is due
        server.advance(60)  # a second tick the same day must not duplicate
        for _ in range(5):
            server.advance(DAY)
        names = sorted(b["BackupName"] for b in ddb.list_backups(TableName="ProdJobs")["BackupSummaries"])
        # one per day, never twice; retention 3 days on Nov 6: nothing before Nov 3 survives
        # (Nov 3 itself sits exactly on the boundary)
        assert names[-3:] == [f"ProdJobs-backup-2026-11-0{d}" for d in (4, 5, 6)]
        assert len(names) in (3, 4) and names[0] >= "ProdJobs-backup-2026-11-03"
        assert ddb.list_backups(TableName="DevJobs")["BackupSummaries"] == []
    finally:
        server.stop()
