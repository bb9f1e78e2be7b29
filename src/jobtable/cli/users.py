"""`jobtable users ...` and `jobtable certs ...`: who may call the endpoint, and HTTPS for it.

These commands edit the data directory's credentials store directly (the server picks the
changes up within a second); they work whether or not the server is running.
"""
from __future__ import annotations

import functools
import os
import sys
from pathlib import Path
from typing import Any, Callable

import click
import orjson

from jobtable.cli.common import fail, output_option, print_json
from jobtable.security.credentials import CredentialStore, IamError
from jobtable.security.encryption import DataKeyError


def _store_options(func: Callable[..., Any]) -> Callable[..., Any]:
    @click.option("--data-dir", envvar="JOBTABLE_DATA_DIR", default="./data", show_default=True,
                  type=click.Path(file_okay=False), help="The server's data directory.")
    @click.option("--credentials-key-file", envvar="JOBTABLE_CREDENTIALS_KEY_FILE", default=None,
                  type=click.Path(dir_okay=False),
                  help="Key that encrypts stored secrets (default: <data-dir>/credentials.key).")
    @functools.wraps(func)
    def wrapper(*args: Any, data_dir: str, credentials_key_file: str | None, **kwargs: Any) -> Any:
        try:
            store = CredentialStore.open(data_dir, credentials_key_file)
            return func(*args, store=store, **kwargs)
        except (IamError, DataKeyError, OSError, ValueError) as exc:
            fail(getattr(exc, "message", None) or str(exc))

    return wrapper


def _read_policy(source: str) -> bytes:
    if source == "-":
        return sys.stdin.buffer.read()
    if source.lstrip().startswith("{"):
        return source.encode()
    return Path(source).read_bytes()


@click.group("users")
def users() -> None:
    """Manage the IAM users, access keys and policies `--auth sigv4` checks.

    \b
    Examples:
      jobtable users add alice                          # prints a new access key once
      jobtable users attach-policy alice policy.json    # an inline policy from a file
      jobtable users attach-policy alice arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess
      jobtable users list
    """


@users.command("add")
@click.argument("name")
@click.option("--access-key-id", default=None, help="Use this key id instead of a generated one.")
@click.option("--secret-access-key", default=None, envvar="JOBTABLE_NEW_SECRET_ACCESS_KEY",
              help="Use this secret instead of a generated one (prefer the env var: argv is visible).")
@click.option("--session-token", default=None, help="Also require this session token.")
@click.option("--admin", is_flag=True, help="Attach AdministratorAccess.")
@output_option
@_store_options
def add_user(name: str, access_key_id: str | None, secret_access_key: str | None, session_token: str | None,
             admin: bool, output: str, store: CredentialStore) -> None:
    """Create user NAME with one access key; the secret is shown only now."""
    key = store.add_user(name, access_key_id=access_key_id, secret_access_key=secret_access_key,
                         session_token=session_token)
    if admin:
        store.attach_user_policy(name, "arn:aws:iam::aws:policy/AdministratorAccess")
    data = {"UserName": key.user_name, "Arn": store.user(name).arn, "AccessKeyId": key.access_key_id,
            "SecretAccessKey": key.secret_access_key}
    if key.session_token:
        data["SessionToken"] = key.session_token
    if output == "json":
        print_json(data)
        return
    for label, value in data.items():
        click.echo(f"{label}: {value}")
    click.echo("Store the secret now: it cannot be shown again.", err=True)


@users.command("list")
@output_option
@_store_options
def list_users(output: str, store: CredentialStore) -> None:
    """List users, their key ids and policies (never secrets)."""
    rows = [{"UserName": u.user_name, "Arn": u.arn, "AccessKeyIds": list(u.access_key_ids),
             "InlinePolicies": list(u.inline_policies), "AttachedPolicies": list(u.attached_policies),
             "CreateDate": u.created} for u in store.users()]
    if output == "json":
        print_json(rows)
        return
    if not rows:
        click.echo("No users. Add one with `jobtable users add NAME`.")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("user", "access keys", "policies", "created")
    for row in rows:
        table.add_row(row["UserName"], "\n".join(row["AccessKeyIds"]),
                      "\n".join(row["InlinePolicies"] + row["AttachedPolicies"]), row["CreateDate"])
    Console().print(table)


@users.command("remove")
@click.argument("name")
@_store_options
def remove_user(name: str, store: CredentialStore) -> None:
    """Delete user NAME with its keys and policies."""
    store.remove_user(name)
    click.echo(f"Removed user {name}.")


@users.command("attach-policy")
@click.argument("name")
@click.argument("policy")
@click.option("--policy-name", default=None, help="Name of the inline policy (default: the file's stem).")
@_store_options
def attach_policy(name: str, policy: str, policy_name: str | None, store: CredentialStore) -> None:
    """Give user NAME a POLICY: a JSON file, '-' for stdin, inline JSON, or a managed policy ARN."""
    if policy.startswith("arn:"):
        store.attach_user_policy(name, policy)
        click.echo(f"Attached {policy} to {name}.")
        return
    document = _read_policy(policy)
    label = policy_name or (Path(policy).stem if policy not in ("-",) and not policy.lstrip().startswith("{")
                            else "inline")
    store.put_user_policy(name, label, orjson.loads(document) if document.strip() else {})
    click.echo(f"Attached inline policy {label} to {name}.")


@users.command("detach-policy")
@click.argument("name")
@click.argument("policy")
@_store_options
def detach_policy(name: str, policy: str, store: CredentialStore) -> None:
    """Remove POLICY (an inline policy name or a managed policy ARN) from user NAME."""
    if policy.startswith("arn:"):
        store.detach_user_policy(name, policy)
    else:
        store.delete_user_policy(name, policy)
    click.echo(f"Detached {policy} from {name}.")


@users.command("show-policy")
@click.argument("name")
@click.argument("policy")
@_store_options
def show_policy(name: str, policy: str, store: CredentialStore) -> None:
    """Print user NAME's inline POLICY document."""
    print_json(store.user_policy(name, policy))


@click.group("certs")
def certs() -> None:
    """TLS certificates for `jobtable serve --tls-cert/--tls-key`."""


@certs.command("generate")
@click.option("--cert", "cert_path", default="jobtable-cert.pem", show_default=True, type=click.Path(dir_okay=False))
@click.option("--key", "key_path", default="jobtable-key.pem", show_default=True, type=click.Path(dir_okay=False))
@click.option("--name", "names", multiple=True, help="Host names/IPs to cover (default: localhost, 127.0.0.1, ::1).")
@click.option("--days", default=365, show_default=True, type=click.IntRange(1, 3650))
@click.option("--force", is_flag=True, help="Replace existing files.")
def generate_certs(cert_path: str, key_path: str, names: tuple[str, ...], days: int, force: bool) -> None:
    """Write a self-signed certificate and its private key (0600)."""
    from jobtable.security.certs import DEFAULT_NAMES, generate_self_signed

    try:
        cert, key = generate_self_signed(cert_path, key_path, names or DEFAULT_NAMES, days, overwrite=force)
    except (OSError, ValueError) as exc:
        fail(str(exc))
    click.echo(f"Wrote {cert} and {key} (self-signed, {days} days).")
    click.echo(f"Serve: jobtable serve --tls-cert {cert} --tls-key {key}")
    click.echo(f"Trust it in clients, e.g. AWS_CA_BUNDLE={os.path.abspath(cert)}")


# Options `jobtable serve/up` add for authentication, TLS and encryption at rest.
security_options = [
    click.option("--auth", type=click.Choice(["none", "sigv4"]), default=None,
                 help="Authentication: sigv4 checks AWS signatures and IAM policies of users from "
                      "`jobtable users`; none is only allowed on loopback. Default: none on loopback, "
                      "sigv4 elsewhere."),
    click.option("--credentials-key-file", envvar="JOBTABLE_CREDENTIALS_KEY_FILE", default=None,
                 type=click.Path(dir_okay=False), help="Key for stored secrets (default: <data-dir>/credentials.key)."),
    click.option("--kms-key-file", envvar="JOBTABLE_KMS_KEY_FILE", default=None, type=click.Path(dir_okay=False),
                 help="32-byte data key (base64/hex) encrypting tables created with SSESpecification "
                      "(or set JOBTABLE_KMS_KEY)."),
    click.option("--tls-cert", default=None, type=click.Path(exists=True, dir_okay=False),
                 help="Serve HTTPS with this certificate (PEM); see `jobtable certs generate`."),
    click.option("--tls-key", default=None, type=click.Path(exists=True, dir_okay=False),
                 help="Private key (PEM) for --tls-cert."),
]


def security_settings(options: dict[str, Any]) -> dict[str, Any]:
    """ServerConfig fields from the security options, refusing unsafe combinations early."""
    from jobtable.security.authorizer import check_auth_mode, default_auth_mode

    host = options["host"]
    auth = options.get("auth") or default_auth_mode(host)
    try:
        check_auth_mode(auth, host)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--auth") from None
    if bool(options.get("tls_cert")) != bool(options.get("tls_key")):
        raise click.BadParameter("--tls-cert and --tls-key go together", param_hint="--tls-cert")
    return {"auth": auth, "credentials_key_file": options.get("credentials_key_file"),
            "kms_key_file": options.get("kms_key_file"), "tls_cert": options.get("tls_cert"),
            "tls_key": options.get("tls_key")}


def register(cli: click.Group) -> None:
    cli.add_command(users)
    cli.add_command(certs)
