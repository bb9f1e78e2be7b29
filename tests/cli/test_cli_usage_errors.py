"""Every command family answers bad input with one line on stderr and a non-zero exit.

No server is needed: these fail while parsing, before any request is made.
"""
import pytest

from jobtable_cli import run_jobtable

BAD_INPUTS = [
    ("bogus",),                                          # unknown command
    ("--bogus",),                                        # unknown root option
    ("jobs", "bogus"),
    ("jobs", "create", "--user", "u"),                   # missing --type
    ("jobs", "list", "--status", "bogus"),
    ("tables", "list", "--output", "xml"),
    ("pitr", "restore", "--to", "2026-11-20T10:00:00Z"),  # missing SOURCE
    ("backups", "restore"),
    ("module", "plan", "--billing-mode", "FREE"),
    ("export",),
    ("serve", "--port", "99999"),
    ("up", "--port", "abc"),
    ("users", "add"),
    ("metrics",),
    ("insights",),
]


@pytest.mark.parametrize("args", BAD_INPUTS, ids=" ".join)
def test_usage_errors_are_one_line(args):
    done = run_jobtable(*args, check=False, env={"JOBTABLE_ENDPOINT_URL": "http://127.0.0.1:9"})
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, done.stderr
    assert len(lines) == 1 and lines[0].startswith("Error: "), done.stderr
    assert "--help" in lines[0] and "Traceback" not in done.stderr


def test_a_bare_group_still_shows_its_help():
    done = run_jobtable("jobs", check=False)
    assert "Usage: jobtable jobs" in done.stdout + done.stderr and "create" in done.stdout + done.stderr
