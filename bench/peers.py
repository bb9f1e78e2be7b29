"""The servers under test: how to find, start, reach and stop each one.

A peer that cannot be had on this machine (npm missing, jobtable not built yet) is reported
with the reason by ``unavailable_reason`` and skipped by the runner.
"""
from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import boto3
from botocore.config import Config

from bench.dynalite_install import ensure_dynalite
from bench.processes import ManagedProcess, free_port

REPO_ROOT = Path(__file__).resolve().parent.parent
REGION = "us-east-1"
CREDENTIALS = {"aws_access_key_id": "benchkey", "aws_secret_access_key": "benchsecret"}
# No retries: a throttled or failed call must show up as an error, not as a slow call.
CLIENT_CONFIG = Config(
    retries={"total_max_attempts": 1, "mode": "standard"},
    max_pool_connections=32,
    connect_timeout=10,
    read_timeout=300,
)


def http_client(endpoint_url: str) -> Any:
    """A boto3 DynamoDB client for ``endpoint_url`` (create one per thread)."""
    return boto3.session.Session().client(
        "dynamodb", endpoint_url=endpoint_url, region_name=REGION, config=CLIENT_CONFIG, **CREDENTIALS
    )


@dataclass
class RunningPeer:
    """A started peer: boto3 clients for it, its HTTP endpoint (None in-process) and its process."""

    name: str
    endpoint_url: str | None
    process: ManagedProcess | None
    make_client: Callable[[], Any]
    startup_seconds: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def rss_bytes(self) -> int | None:
        if self.process is not None:
            return self.process.rss_bytes()
        return None  # in-process: shares the benchmark's own memory, not comparable

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()
        closer = self.extra.get("close")
        if closer is not None:
            closer()


@dataclass(frozen=True)
class PeerSpec:
    """How to start one peer; ``default_cap`` is the largest N it is loaded with by default."""

    name: str
    family: str
    description: str
    default_cap: int | None
    argv: Callable[[int, Path], list[str]] | None  # (port, scratch dir) -> command line
    in_process: bool = False

    def unavailable_reason(self) -> str | None:
        return _AVAILABILITY[self.family]()

    def launch(self, scratch: Path, log_dir: Path) -> RunningPeer:
        if self.in_process:
            return _launch_in_process(self.name)
        port = free_port()
        env = _child_env()
        extra: dict[str, Any] = {}
        if self.family == "jobtable":
            # ImportTable reads "S3" objects from this directory (jobtable's local S3 stand-in).
            extra["s3_root"] = env["JOBTABLE_EXPORT_ROOT"] = str(scratch / "s3")
        process = ManagedProcess(
            name=self.name,
            argv=self.argv(port, scratch),
            port=port,
            log_path=log_dir / f"{self.name}.log",
            env=env,
        )
        process.start()
        endpoint = f"http://127.0.0.1:{port}"
        return RunningPeer(
            name=self.name,
            endpoint_url=endpoint,
            process=process,
            make_client=lambda: http_client(endpoint),
            startup_seconds=process.startup_seconds,
            extra=extra,
        )


def _child_env() -> dict[str, str]:
    import os

    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO_ROOT) + (":" + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def _bin(name: str) -> str:
    """An entry-point script of the running venv (next to sys.executable), else from PATH."""
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else (shutil.which(name) or name)


def _moto_argv(port: int, scratch: Path) -> list[str]:
    return [_bin("moto_server"), "-H", "127.0.0.1", "-p", str(port)]


def _dynalite_argv(on_disk: bool) -> Callable[[int, Path], list[str]]:
    def argv(port: int, scratch: Path) -> list[str]:
        cli, _ = ensure_dynalite()
        command = ["node", str(cli), "--host", "127.0.0.1", "--port", str(port)]
        command += ["--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0"]
        if on_disk:
            command += ["--path", str(scratch / "dynalite-data")]
        return command

    return argv


def _jobtable_argv(in_memory: bool) -> Callable[[int, Path], list[str]]:
    def argv(port: int, scratch: Path) -> list[str]:
        command = [_bin("jobtable"), "serve", "--host", "127.0.0.1", "--port", str(port)]
        return command + (["--in-memory"] if in_memory else ["--data-dir", str(scratch / "jobtable-data")])

    return argv


def _trivial_argv(port: int, scratch: Path) -> list[str]:
    return [sys.executable, "-m", "bench.trivial_server", "--port", str(port)]


def _launch_in_process(name: str) -> RunningPeer:
    import time

    import jobtable
    from jobtable.engine.engine import Engine

    started = time.perf_counter()
    engine = Engine(None)  # a fresh in-memory engine per (peer, N), like a fresh server
    engine.start_background()  # as `jobtable serve` does: index backfills, TTL sweeps
    client = jobtable.client(engine=engine, region=REGION, config=CLIENT_CONFIG)
    client.list_tables()
    # One client shared by all threads: boto3 clients are thread-safe, and every call must
    # reach the same in-memory engine.
    return RunningPeer(
        name=name,
        endpoint_url=None,
        process=None,
        make_client=lambda: client,
        startup_seconds=time.perf_counter() - started,
        extra={"close": engine.close},
    )


def _moto_reason() -> str | None:
    if importlib.util.find_spec("moto") is None or not Path(_bin("moto_server")).exists():
        return "moto[server] is not installed (pip install 'moto[server]')"
    return None


def _dynalite_reason() -> str | None:
    cli, reason = ensure_dynalite()
    return None if cli else reason


def _jobtable_reason() -> str | None:
    if importlib.util.find_spec("jobtable") is None:
        return "jobtable is not installed in this environment"
    try:
        done = subprocess.run([_bin("jobtable"), "serve", "--help"], capture_output=True, timeout=60)
    except OSError as exc:
        return f"jobtable CLI cannot run: {exc}"
    if done.returncode != 0:
        return "`jobtable serve` is not available on this build"
    return None


def _inprocess_reason() -> str | None:
    try:
        import jobtable

        jobtable.client  # noqa: B018 - resolves the lazy attribute
    except (ImportError, AttributeError) as exc:
        return f"jobtable.client() is not available: {exc}"
    return None


_AVAILABILITY: dict[str, Callable[[], str | None]] = {
    "moto": _moto_reason,
    "dynalite": _dynalite_reason,
    "jobtable": _jobtable_reason,
    "jobtable-inprocess": _inprocess_reason,
    "trivial": lambda: None,
}

PEERS: dict[str, PeerSpec] = {
    spec.name: spec
    for spec in (
        PeerSpec("moto", "moto", "moto_server (Python, in memory)", 20_000, _moto_argv),
        PeerSpec("dynalite", "dynalite", "dynalite (node, in memory)", 100_000, _dynalite_argv(False)),
        PeerSpec("dynalite-disk", "dynalite", "dynalite --path (node, LevelDB on disk)", 100_000, _dynalite_argv(True)),
        PeerSpec("jobtable", "jobtable", "jobtable serve --data-dir (SQLite WAL on disk)", None, _jobtable_argv(False)),
        PeerSpec("jobtable-memory", "jobtable", "jobtable serve --in-memory", None, _jobtable_argv(True)),
        PeerSpec(
            "jobtable-inprocess",
            "jobtable-inprocess",
            "jobtable.client() (in process, no socket)",
            20_000,
            None,
            in_process=True,
        ),
    )
}
TRIVIAL = PeerSpec("trivial", "trivial", "raw ASGI app on uvicorn answering {} (the client's ceiling)", None, _trivial_argv)

# `--peers dynalite` means both dynalite variants, `--peers jobtable` all three jobtable paths.
FAMILIES: dict[str, list[str]] = {
    "moto": ["moto"],
    "dynalite": ["dynalite", "dynalite-disk"],
    "jobtable": ["jobtable", "jobtable-memory", "jobtable-inprocess"],
}


def expand_peer_names(requested: list[str]) -> list[str]:
    """Family names expand to their variants; exact variant names pass through; order kept."""
    names: list[str] = []
    for item in requested:
        for name in FAMILIES.get(item, [item]):
            if name not in PEERS:
                raise ValueError(f"unknown peer {name!r}; choose from {', '.join([*FAMILIES, *PEERS])}")
            if name not in names:
                names.append(name)
    return names
