"""Options and output helpers every `jobtable` command shares.

Commands talk to an endpoint only through boto3 (`session_for`), so the same command works
against the local server and AWS DynamoDB. Errors become one clear line and a non-zero exit.
"""
from __future__ import annotations

import contextlib
import functools
import json
import os
import sys
from typing import Any, Callable, Iterator

import click

DEFAULT_ENDPOINT = os.environ.get("JOBTABLE_ENDPOINT_URL", "http://127.0.0.1:8000")


class Target:
    """Where a command points: an endpoint URL (local by default) or AWS itself."""

    def __init__(self, endpoint_url: str | None, region: str, profile: str | None, use_aws: bool) -> None:
        self.endpoint_url = None if use_aws else (endpoint_url or DEFAULT_ENDPOINT)
        self.region = region
        self.profile = profile
        self.use_aws = use_aws

    def session(self) -> Any:
        import boto3  # lazy: `jobtable serve` never needs it, and it costs ~0.45 s to import

        if self.use_aws or self.profile:
            return boto3.session.Session(profile_name=self.profile, region_name=self.region)
        # A local endpoint accepts any credentials; do not make users configure some.
        return boto3.session.Session(
            aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "jobtable"),
            aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "jobtable"),
            aws_session_token=os.environ.get("AWS_SESSION_TOKEN"),
            region_name=self.region,
        )

    def client(self, service: str = "dynamodb") -> Any:
        from botocore.config import Config  # lazy, like boto3 above

        config = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=5, read_timeout=60)
        return self.session().client(service, endpoint_url=self.endpoint_url, config=config)


def target_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add --endpoint-url/--region/--profile/--aws and pass a `target: Target` instead."""

    @click.option("--endpoint-url", envvar="JOBTABLE_ENDPOINT_URL", default=None,
                  help="DynamoDB endpoint (default: the local server, http://127.0.0.1:8000).")
    @click.option("--region", envvar="AWS_DEFAULT_REGION", default="us-east-1", show_default=True)
    @click.option("--profile", envvar="AWS_PROFILE", default=None, help="AWS credentials profile.")
    @click.option("--aws", "use_aws", is_flag=True, help="Talk to AWS DynamoDB instead of a local endpoint.")
    @functools.wraps(func)
    def wrapper(*args: Any, endpoint_url: str | None, region: str, profile: str | None,
                use_aws: bool, **kwargs: Any) -> Any:
        return func(*args, target=Target(endpoint_url, region, profile, use_aws), **kwargs)

    return wrapper


def output_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--output", "-o", type=click.Choice(["table", "json"]), default="table",
                        show_default=True, help="Output format.")(func)


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, default=str, ensure_ascii=False))


def fail(message: str, code: int = 1) -> None:
    """Print one line to stderr and exit non-zero (no traceback)."""
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


def _is_botocore_error(exc: BaseException) -> bool:
    """Whether `exc` is a ClientError or BotoCoreError, importing botocore only when it could be
    (`jobtable serve` never loads botocore: it costs ~0.2 s of start-up)."""
    if not any(cls.__module__.startswith("botocore.") for cls in type(exc).__mro__):
        return False
    from botocore.exceptions import BotoCoreError, ClientError

    return isinstance(exc, (ClientError, BotoCoreError))


def describe_error(exc: BaseException) -> str:
    if not _is_botocore_error(exc):
        return f"{type(exc).__name__}: {exc}" if not str(exc) else str(exc)
    from botocore.exceptions import ClientError

    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        return f"{err.get('Code', 'Error')}: {err.get('Message', '')}".rstrip(": ")
    return str(exc)


def friendly_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn expected failures (AWS errors, connection errors, bad values) into one line."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit):
            raise
        except (ValueError, KeyError, OSError, LookupError) as exc:
            fail(describe_error(exc))
        except Exception as exc:  # ClientError, BotoCoreError: matched by module to keep botocore lazy
            if not _is_botocore_error(exc):
                raise
            fail(describe_error(exc))

    return wrapper


class OneLineErrorGroup(click.Group):
    """A group whose usage errors (bad option values, missing arguments, unknown commands)
    print one line and exit 2.

    click would print the usage, a hint and the error on three lines; scripts and people
    both read one line better, and `--help` is one flag away. The root `jobtable` group uses
    it, so every subcommand's usage errors pass through here.
    """

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None,
                     **extra: Any) -> click.Context:
        with one_line_usage_errors(info_name or self.name or ""):
            return super().make_context(info_name, args, parent=parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        with one_line_usage_errors(ctx.command_path):
            return super().invoke(ctx)


@contextlib.contextmanager
def one_line_usage_errors(command_path: str) -> Iterator[None]:
    try:
        yield
    except click.exceptions.NoArgsIsHelpError:
        raise  # a bare group name shows its help, as click intends
    except click.UsageError as exc:
        where = exc.ctx.command_path if exc.ctx else command_path
        fail(f"{exc.format_message()} (see '{where} --help')", code=exc.exit_code)


def command_group(cli: click.Group, name: str, help_text: str) -> click.Group:
    """The group `name` on `cli`, created if no other command family has made it yet.

    Families that add to a shared group (e.g. `backups run-schedule`, `backups verify`)
    call this whatever the registration order.
    """
    group = cli.commands.get(name)
    if not isinstance(group, click.Group):
        group = OneLineErrorGroup(name, help=help_text)
        cli.add_command(group)
    return group
