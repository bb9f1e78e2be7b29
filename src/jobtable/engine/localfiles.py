"""Where file-based features (backups, exports) keep their files.

A data-dir engine uses `<data_dir>/<name>/`; an in-memory engine gets a private temporary
directory that is removed when the engine is garbage-collected or the process exits, so
backups and exports work the same way in tests as on disk (and vanish like the data does).
"""
from __future__ import annotations

import os
import shutil
import tempfile
import weakref
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jobtable.engine.engine import Engine


def feature_dir(engine: "Engine", name: str) -> str:
    """The directory for feature `name` (created on first use)."""
    dirs: dict[str, str] = engine.extensions.setdefault("feature_dirs", {})
    path = dirs.get(name)
    if path is None:
        if engine.data_dir is not None:
            path = os.path.join(engine.data_dir, name)
            os.makedirs(path, exist_ok=True)
        else:
            path = tempfile.mkdtemp(prefix=f"jobtable-{name}-")
            weakref.finalize(engine, shutil.rmtree, path, True)
        dirs[name] = path
    return path


def fsync_dir(path: str) -> None:
    """Make a rename inside `path` durable (no-op where directories cannot be opened)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
