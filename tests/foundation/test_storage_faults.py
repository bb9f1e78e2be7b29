"""A damaged or foreign data file is refused at start with one clear line."""
from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import free_port


def test_garbage_data_file_is_refused_with_clear_message(tmp_path):
    (tmp_path / "jobtable.sqlite3").write_bytes(os.urandom(8192))
    out = subprocess.run([sys.executable, "-m", "jobtable.cli.main", "serve", "--port", str(free_port()),
                          "--data-dir", str(tmp_path)], capture_output=True, text=True, timeout=30)
    assert out.returncode == 1
    assert "is not a usable jobtable database" in out.stderr
    assert "Traceback" not in out.stderr


def test_newer_schema_version_is_refused(tmp_path):
    import sqlite3

    conn = sqlite3.connect(tmp_path / "jobtable.sqlite3")
    conn.execute("CREATE TABLE jt_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    conn.execute("INSERT INTO jt_meta VALUES('schema_version', '999')")
    conn.commit()
    conn.close()
    out = subprocess.run([sys.executable, "-m", "jobtable.cli.main", "serve", "--port", str(free_port()),
                          "--data-dir", str(tmp_path)], capture_output=True, text=True, timeout=30)
    assert out.returncode == 1
    assert "schema version 999" in out.stderr and "Traceback" not in out.stderr
