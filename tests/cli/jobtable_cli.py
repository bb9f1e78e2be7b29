"""Running the installed `jobtable` command the way a user does: a subprocess."""
from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass

from jobs_endpoints import BIN


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str

    def json(self):
        return json.loads(self.stdout)


def run_jobtable(*args: str, check: bool = True, env: dict | None = None, inherit: bool = True) -> Run:
    """`env` adds to this process's environment, or replaces it with inherit=False."""
    environment = {**os.environ, **(env or {})} if inherit else dict(env or {})
    done = subprocess.run([str(BIN / "jobtable"), *args], capture_output=True, text=True, env=environment,
                          timeout=120)
    if check:
        assert done.returncode == 0, f"jobtable {' '.join(args)} failed: {done.stderr}"
    return Run(done.returncode, done.stdout, done.stderr)
