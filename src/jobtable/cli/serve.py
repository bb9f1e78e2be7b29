"""`jobtable serve` (an endpoint) and `jobtable up` (an endpoint with the seed's job table)."""
from __future__ import annotations

import contextlib
from typing import Any, Callable, Iterator

import click

from jobtable.cli.common import friendly_errors
from jobtable.cli.metrics import monitoring_options, monitoring_settings
from jobtable.cli.users import security_options, security_settings
from jobtable.server.run import ServerConfig


def server_options(func: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (loopback by default)."),
        click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535)),
        click.option("--data-dir", default="./data", show_default=True, type=click.Path(file_okay=False),
                     help="Where the SQLite database, backups and exports live."),
        click.option("--in-memory", is_flag=True, help="Keep everything in memory (lost on exit)."),
        click.option("--region", default="us-east-1", show_default=True, envvar="JOBTABLE_REGION"),
        click.option("--account-id", default="000000000000", show_default=True, envvar="JOBTABLE_ACCOUNT_ID"),
        click.option("--sync", "synchronous", type=click.Choice(["normal", "full"]), default="normal",
                     show_default=True,
                     help="SQLite synchronous mode: normal survives a process crash (kill -9); "
                          "full also survives power loss, at a write-latency cost."),
        click.option("--manual-clock", is_flag=True,
                     help="Tests: time only moves via POST /_jobtable/clock {\"advance\": seconds}."),
        click.option("--no-throttling", is_flag=True, help="Never throttle (emulator mode)."),
        click.option("--background-interval", default=1.0, show_default=True, type=float,
                     help="Seconds between background passes (TTL sweeps, backfills, schedules)."),
        click.option("--ttl-interval", default=5.0, show_default=True, type=float,
                     help="Seconds between TTL sweeps that delete expired items (AWS: within ~48 hours)."),
        click.option("--export-root", type=click.Path(file_okay=False), envvar="JOBTABLE_EXPORT_ROOT",
                     help="Directory standing in for S3 in exports and imports (bucket = subdirectory; "
                          "default: <data-dir>/exports)."),
        click.option("--pitr-lag", type=float, default=0.0, show_default=True, envvar="JOBTABLE_PITR_LAG_SECONDS",
                     help="Seconds LatestRestorableDateTime trails now (AWS: about 300)."),
        click.option("--daily-backups/--no-daily-backups", default=True, show_default=True,
                     help="Take `{table}-backup-YYYY-MM-DD` backups of tables tagged BackupSchedule=daily "
                          "(the module tags production tables) once per UTC day."),
        click.option("--check", "integrity_check", flag_value="full", default=None,
                     help="Verify the whole data file before serving (a quick check runs by itself "
                          "after an unclean stop)."),
        click.option("--log-level", default="warning", show_default=True,
                     type=click.Choice(["critical", "error", "warning", "info", "debug"])),
        *security_options,
        *monitoring_options,
    ]
    for option in reversed(options):
        func = option(func)
    return func


@contextlib.contextmanager
def storage_errors_as_one_line() -> Iterator[None]:
    from jobtable.cli.common import fail
    from jobtable.engine.storage import StorageError

    try:
        yield
    except StorageError as exc:
        fail(str(exc))


def config_from(**kwargs: Any) -> ServerConfig:
    return ServerConfig(host=kwargs["host"], port=kwargs["port"], data_dir=kwargs["data_dir"],
                        in_memory=kwargs["in_memory"], region=kwargs["region"], account_id=kwargs["account_id"],
                        synchronous=kwargs["synchronous"].upper(), manual_clock=kwargs["manual_clock"],
                        throttling=not kwargs["no_throttling"], background_interval=kwargs["background_interval"],
                        ttl_interval=kwargs["ttl_interval"], log_level=kwargs["log_level"],
                        export_root=kwargs.get("export_root"), pitr_lag_seconds=kwargs.get("pitr_lag") or 0.0,
                        daily_backups=kwargs.get("daily_backups", True),
                        integrity_check=kwargs.get("integrity_check"),
                        **security_settings(kwargs), **monitoring_settings(kwargs))


@click.command()
@server_options
@friendly_errors
def serve(**kwargs: Any) -> None:
    """Run a DynamoDB-compatible endpoint.

    \b
    Examples:
      jobtable serve                          # 127.0.0.1:8000, data in ./data
      jobtable serve --in-memory --port 8001  # throwaway endpoint for tests
      aws dynamodb list-tables --endpoint-url http://127.0.0.1:8000
    """
    from jobtable.server.run import serve as run_server

    config = config_from(**kwargs)
    click.echo(f"jobtable serving DynamoDB on http://{config.host}:{config.port} "
               f"({'in memory' if config.in_memory else 'data dir ' + str(config.data_dir)})", err=True)
    with storage_errors_as_one_line():
        run_server(config)


@click.command()
@server_options
@click.option("--table-name", default="CloudToolsJobs", show_default=True, envvar="JOBTABLE_TABLE",
              help="Name of the job table to provision.")
@friendly_errors
def up(table_name: str, **kwargs: Any) -> None:
    """Run the endpoint with the seed's job table provisioned (what `make run` calls).

    The table is applied with the module (`jobtable module apply`'s code): environment
    development, PITR, TTL, stream, encryption, Contributor Insights and the system status item.

    \b
    Example:
      jobtable up && aws dynamodb describe-table --table-name CloudToolsJobs \\
          --endpoint-url http://127.0.0.1:8000
    """
    from jobtable.server.provision import provision_job_table
    from jobtable.server.run import serve as run_server

    config = config_from(**kwargs)

    def ready(engine: Any) -> None:
        report = provision_job_table(engine, table_name)
        state = "created" if any(c.step == "table" for c in report.applied) else "already present"
        converged = [c.resource for c in report.applied if c.step != "table"]
        click.echo(f"job table {table_name}: {state}" + (f" ({', '.join(converged)})" if converged else ""), err=True)
        for warning in report.warnings:
            click.echo(f"Warning: {warning}", err=True)

    click.echo(f"jobtable serving DynamoDB on http://{config.host}:{config.port}", err=True)
    with storage_errors_as_one_line():
        run_server(config, on_ready=ready)


def register(cli: click.Group) -> None:
    cli.add_command(serve)
    cli.add_command(up)
