"""The `jobtable` command: one group, one module per command family."""
from __future__ import annotations

import click

from jobtable import __version__
from jobtable.cli.common import OneLineErrorGroup

# Commands that one family module registers alone, loaded without the other families so that
# `jobtable serve` starts fast (every family imports its own dependencies: boto3, rich...).
# Anything else (and --help) registers every family first. tests/cli checks this stays true.
SOLE_FAMILY_OF = {"serve": "serve", "up": "serve"}


class FamilyGroup(OneLineErrorGroup):
    """A group whose command families are imported on first need rather than at import time
    (and whose usage errors, like every subcommand's, print one line)."""

    _all_registered = False
    _registered: set[str] = set()

    def register_family(self, name: str) -> None:
        import importlib

        if name in self._registered:
            return
        self._registered = self._registered | {name}
        register = getattr(importlib.import_module(f"jobtable.cli.{name}"), "register", None)
        if register is not None:
            register(self)

    def register_all(self) -> None:
        """Each command family is a module in jobtable.cli with a `register(cli)` function.

        Discovered rather than listed, so adding a family never edits this file.
        """
        import pkgutil

        import jobtable.cli as package

        if self._all_registered:
            return
        self._all_registered = True
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
            if info.name not in ("main", "common"):
                self.register_family(info.name)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        family = SOLE_FAMILY_OF.get(cmd_name)
        if family is not None and not self._all_registered:
            self.register_family(family)
        else:
            self.register_all()
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self.register_all()
        return super().list_commands(ctx)


@click.group(cls=FamilyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="jobtable")
def cli() -> None:
    """jobtable: a local DynamoDB-compatible database and the job-tracking system on it.

    \b
    Examples:
      jobtable up                      # endpoint on 127.0.0.1:8000 with the job table
      jobtable serve --in-memory       # an empty throwaway endpoint
    """


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
