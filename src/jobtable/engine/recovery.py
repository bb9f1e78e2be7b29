"""Wires backups, restores, point-in-time recovery, exports and imports into an engine.

Called once per engine: creates their registries in the database and adds their
background steps (write backup files, load restores, roll PITR baselines forward,
run exports and imports). Work found half-done at start-up (after a crash) resumes.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jobtable.engine.engine import Engine


def register(engine: "Engine") -> None:
    from jobtable.engine import backups, exports, imports, pitr, restores

    for module in (backups, pitr, exports, imports):
        module.create_storage(engine)
    engine.add_background_task("backups", backups.backup_step)
    engine.add_background_task("restores", restores.restore_step)
    engine.add_background_task("exports", exports.export_step)
    engine.add_background_task("imports", imports.import_step)
    engine.add_background_task("pitr", pitr.maintain)
