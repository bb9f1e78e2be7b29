"""The `jobtable` command: one group, one module per command family."""
from __future__ import annotations

import click

from jobtable import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="jobtable")
def cli() -> None:
    """jobtable: a local DynamoDB-compatible database and the job-tracking system on it.

    \b
    Examples:
      jobtable up                      # endpoint on 127.0.0.1:8000 with the job table
      jobtable serve --in-memory       # an empty throwaway endpoint
    """


def _register_commands() -> None:
    # Each family lives in its own module and adds itself here.
    from jobtable.cli import insights, metrics, serve

    serve.register(cli)
    insights.register(cli)
    metrics.register(cli)


_register_commands()


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
