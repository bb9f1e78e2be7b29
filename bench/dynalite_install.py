"""Installs dynalite from npm into bench/.node on first use (a fresh machine has only node/npm)."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

NODE_DIR = Path(__file__).resolve().parent / ".node"
DYNALITE_CLI = NODE_DIR / "node_modules" / "dynalite" / "cli.js"
DYNALITE_SPEC = "dynalite@^4"


def ensure_dynalite(log=print) -> tuple[Path | None, str]:
    """Return (path of dynalite's cli.js, "") or (None, why it cannot be had)."""
    node = shutil.which("node")
    if node is None:
        return None, "node is not installed (apt-get install nodejs npm)"
    if DYNALITE_CLI.exists():
        return DYNALITE_CLI, ""
    npm = shutil.which("npm")
    if npm is None:
        return None, "npm is not installed (apt-get install npm)"
    NODE_DIR.mkdir(parents=True, exist_ok=True)
    log(f"installing {DYNALITE_SPEC} from npm into {NODE_DIR} ...")
    try:
        done = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--prefix", str(NODE_DIR), DYNALITE_SPEC],
            capture_output=True,
            text=True,
            timeout=300,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"npm install dynalite failed: {exc}"
    if done.returncode != 0 or not DYNALITE_CLI.exists():
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        return None, "npm install dynalite failed: " + " | ".join(tail)
    return DYNALITE_CLI, ""
