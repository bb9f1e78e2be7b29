"""The server's own daily backup scheduler (the module's BackupSchedule=daily tables).

`jobtable backups run-schedule` does the same from cron; here the server's background loop
ticks a `DailyBackupScheduler` through the in-process client, so it uses only the public
API (CreateBackup/ListBackups/DeleteBackup) like it would against AWS.
"""
from __future__ import annotations

import logging

from jobtable.engine.engine import Engine
from jobtable.server.run import STARTUP_HOOKS, ServerConfig

log = logging.getLogger("jobtable.schedules")


def install_daily_backups(engine: Engine, config: ServerConfig) -> None:
    if not getattr(config, "daily_backups", True):
        return
    schedulers: list = []

    def tick(_engine: Engine) -> bool:
        if not schedulers:  # built on the first background pass: boto3 and a client cost ~0.3 s of start-up
            from jobtable.inprocess import client
            from jobtable.module.backups import DailyBackupScheduler

            # trusted: the server acts for itself, also when callers must sign (`--auth sigv4`).
            schedulers.append(DailyBackupScheduler(client(engine=engine, trusted=True), engine.clock,
                                                   at_hour=getattr(config, "daily_backup_hour", 3)))
        for report in schedulers[0].tick():
            log.info("daily backups: %s", report.as_dict())
        return False

    engine.add_background_task("daily-backups", tick)


STARTUP_HOOKS.append(install_daily_backups)
