"""Damage inside a valid-looking data file is caught at start, before anything is served.

After an unclean stop (kill -9, power loss) the server runs PRAGMA quick_check by itself;
`jobtable serve --check` runs the full integrity check whenever asked.
"""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys

from jobtable.engine.storage import DATABASE_FILE
from tests.conftest import ServerProcess, free_port, job_table_spec


def _write_jobs(server: ServerProcess, count: int = 1500) -> None:
    ddb = server.client()
    ddb.create_table(**job_table_spec("Jobs"))
    for start in range(0, count, 25):
        ddb.batch_write_item(RequestItems={"Jobs": [{"PutRequest": {"Item": {
            "jobId": {"S": f"j{n:05d}"}, "status": {"S": "pending"}, "createdAt": {"S": f"{n}"},
            "payload": {"S": "p" * 300}}}} for n in range(start, start + 25)]})


def _damage_middle_pages(path: str) -> None:
    """Overwrite a few leaf pages of the items table with garbage (the schema stays readable)."""
    conn = sqlite3.connect(path)
    page = conn.execute("PRAGMA page_size").fetchone()[0]
    leaves = [n for (n,) in conn.execute("SELECT pageno FROM dbstat WHERE name LIKE 'items%' AND pagetype='leaf'"
                                         " ORDER BY pageno")]
    conn.close()
    assert len(leaves) > 8
    with open(path, "r+b") as f:
        for n in leaves[len(leaves) // 2:len(leaves) // 2 + 4]:
            f.seek((n - 1) * page)
            f.write(os.urandom(page))


def _clean_shutdown_marker(data_dir: str) -> str:
    conn = sqlite3.connect(os.path.join(data_dir, DATABASE_FILE))
    try:
        return conn.execute("SELECT value FROM jt_meta WHERE key='clean_shutdown'").fetchone()[0]
    finally:
        conn.close()


def _serve(data_dir: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "jobtable.cli.main", "serve", "--port", str(free_port()),
                           "--data-dir", data_dir, *args], capture_output=True, text=True, timeout=60)


def test_damage_after_an_unclean_stop_is_found_at_start(tmp_path):
    data_dir = str(tmp_path)
    server = ServerProcess(data_dir=data_dir).start()
    _write_jobs(server)
    assert server.stop(signal.SIGTERM) == 0  # everything checkpointed into the main file
    assert _clean_shutdown_marker(data_dir) == "1"
    server.start()
    server.stop(signal.SIGKILL)  # the next start knows this one died
    _damage_middle_pages(os.path.join(data_dir, DATABASE_FILE))
    out = _serve(data_dir)
    assert out.returncode == 1
    assert "failed its integrity check" in out.stderr and "restore from a backup" in out.stderr
    assert "Traceback" not in out.stderr


def test_serve_check_finds_damage_after_a_clean_stop(tmp_path):
    data_dir = str(tmp_path)
    server = ServerProcess(data_dir=data_dir).start()
    _write_jobs(server)
    assert server.stop(signal.SIGTERM) == 0
    _damage_middle_pages(os.path.join(data_dir, DATABASE_FILE))
    out = _serve(data_dir, "--check")
    assert out.returncode == 1
    assert "failed its integrity check" in out.stderr and "Traceback" not in out.stderr


def test_healthy_file_passes_the_checks_and_serves(tmp_path):
    data_dir = str(tmp_path)
    server = ServerProcess(data_dir=data_dir).start()
    _write_jobs(server, 100)
    server.stop(signal.SIGKILL)
    assert _clean_shutdown_marker(data_dir) == "0"
    for args in ((), ("--check",)):
        server = ServerProcess(*args, data_dir=data_dir).start()
        try:
            assert server.client().scan(TableName="Jobs", Select="COUNT")["Count"] == 100
        finally:
            assert server.stop(signal.SIGTERM) == 0
    assert _clean_shutdown_marker(data_dir) == "1"
