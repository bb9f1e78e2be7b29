"""Headless Chromium for the end-to-end tests: Debian's `chromium`, driven by Playwright.

`ensure_chromium()` installs the package when it is missing and we are root on a Debian
machine (what CI is); `make browser` does the same by hand. Playwright's own browser
download (`playwright install`) is never used: it would fetch a build from outside the
package registries.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "dashboard"
DOC_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
INSTALL_TIMEOUT = 900


def ensure_chromium() -> str | None:
    """None when Chromium is ready, else why it cannot be (the tests skip with it)."""
    if os.access(CHROMIUM, os.X_OK):
        return None
    apt = shutil.which("apt-get")
    if apt is None or os.geteuid() != 0:
        return (f"{CHROMIUM} is missing and cannot be installed here (needs root and apt-get); "
                "install Debian's chromium package (`make browser`)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in ([apt, "update", "-q"], [apt, "install", "-y", "-q", "chromium"]):
        try:
            done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=INSTALL_TIMEOUT)
        except subprocess.TimeoutExpired:
            return f"`{' '.join(command)}` did not finish within {INSTALL_TIMEOUT} s"
        if done.returncode != 0:
            return f"`{' '.join(command)}` failed: {done.stderr.strip().splitlines()[-1:]}"
    return None if os.access(CHROMIUM, os.X_OK) else f"chromium installed but {CHROMIUM} is missing"


def screenshot(page, name: str, publish: bool = False, full_page: bool = True) -> Path:
    """Save a PNG under test-artifacts/dashboard/; `publish` also copies it to
    docs/screenshots/ when JOBTABLE_UPDATE_SCREENSHOTS=1 (`make screenshots`)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    if publish and os.environ.get("JOBTABLE_UPDATE_SCREENSHOTS") == "1":
        DOC_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOC_SCREENSHOTS / path.name)
    return path
