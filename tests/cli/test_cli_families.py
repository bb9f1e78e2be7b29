"""The `jobtable` group loads command families lazily: `serve`/`up` alone, everything else in full."""
from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import click
from click.testing import CliRunner


def test_fast_path_commands_are_registered_by_their_family_alone() -> None:
    import jobtable.cli as package
    from jobtable.cli.main import SOLE_FAMILY_OF

    registered_by: dict[str, set[str]] = {}
    for info in pkgutil.iter_modules(package.__path__):
        register = getattr(importlib.import_module(f"jobtable.cli.{info.name}"), "register", None)
        if register is None:
            continue
        group = click.Group()
        register(group)
        for name in group.commands:
            registered_by.setdefault(name, set()).add(info.name)
    for command, family in SOLE_FAMILY_OF.items():
        assert registered_by[command] == {family}


def test_serve_resolves_without_loading_boto3_rich_or_other_families() -> None:
    code = ("import sys, click\n"
            "from jobtable.cli.main import cli\n"
            "assert cli.get_command(click.Context(cli), 'serve') is not None\n"
            "loaded = [m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore', 'rich')"
            " or m in ('jobtable.cli.tables', 'jobtable.cli.jobs', 'jobtable.module')]\n"
            "assert not loaded, loaded\n")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_help_and_other_commands_still_see_every_family() -> None:
    from jobtable.cli.main import cli

    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in ("serve", "up", "tables", "jobs", "backups", "import", "export"):
        assert f"  {name} " in result.output
    result = CliRunner().invoke(cli, ["backups", "--help"])
    assert result.exit_code == 0 and "run-schedule" in result.output and "verify" in result.output
    result = CliRunner().invoke(cli, ["no-such-command"])
    assert result.exit_code == 2 and "No such command" in result.output
