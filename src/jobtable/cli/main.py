"""The `jobtable` command: one group, one module per command family."""
from __future__ import annotations

import click

from jobtable import __version__
from jobtable.cli.common import OneLineErrorGroup


@click.group(cls=OneLineErrorGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="jobtable")
def cli() -> None:
    """jobtable: a local DynamoDB-compatible database and the job-tracking system on it.

    \b
    Examples:
      jobtable up                      # endpoint on 127.0.0.1:8000 with the job table
      jobtable serve --in-memory       # an empty throwaway endpoint
    """


def _register_commands() -> None:
    """Each command family is a module in jobtable.cli with a `register(cli)` function.

    Discovered rather than listed, so adding a family never edits this file.
    """
    import importlib
    import pkgutil

    import jobtable.cli as package

    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.name in ("main", "common"):
            continue
        module = importlib.import_module(f"jobtable.cli.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(cli)


_register_commands()


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
