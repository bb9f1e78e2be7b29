"""Start-up: build the engine from options, run uvicorn, shut down cleanly on SIGTERM/SIGINT."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable

from jobtable.clock import Clock, ManualClock
from jobtable.engine import ttl
from jobtable.engine.engine import Engine
from jobtable.server.app import create_app
from jobtable.server.dispatch import ServerOptions

log = logging.getLogger("jobtable.server")

# Called with the engine and the ServerConfig before serving (features add themselves here).
STARTUP_HOOKS: list[Callable[[Engine, "ServerConfig"], None]] = []


@dataclass
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: str | None = "./data"
    in_memory: bool = False
    region: str = "us-east-1"
    account_id: str = "000000000000"
    synchronous: str = "NORMAL"
    manual_clock: bool = False
    throttling: bool = True
    background_interval: float = 1.0
    ttl_interval: float = 5.0
    log_level: str = "warning"
    auth: str | None = None  # "none" | "sigv4"; None: none on loopback, sigv4 elsewhere
    credentials_key_file: str | None = None
    kms_key_file: str | None = None
    tls_cert: str | None = None
    tls_key: str | None = None
    export_root: str | None = None      # S3 stand-in for exports/imports (default <data_dir>/exports)
    pitr_lag_seconds: float = 0.0       # how far LatestRestorableDateTime trails now
    daily_backups: bool = True          # run the BackupSchedule=daily tag schedule in the background
    daily_backup_hour: int = 3          # UTC hour at or after which the day's backups are taken
    integrity_check: str | None = None  # "full": PRAGMA integrity_check at start (`serve --check`)
    metrics_retention_hours: float = 24.0  # CloudWatch metric history kept in memory
    insights_window_minutes: float = 24 * 60.0  # Contributor Insights key counts kept in memory


def _configure_monitoring(engine: Engine, config: ServerConfig) -> None:
    engine.metrics.retention_seconds = int(config.metrics_retention_hours * 3600)
    engine.insights.window_seconds = int(config.insights_window_minutes * 60)


STARTUP_HOOKS.append(_configure_monitoring)


def _configure_ttl(engine: Engine, config: ServerConfig) -> None:
    ttl.set_interval(engine, config.ttl_interval)


STARTUP_HOOKS.append(_configure_ttl)


def build_engine(config: ServerConfig) -> Engine:
    clock: Clock = ManualClock() if config.manual_clock else Clock()
    from jobtable.security.encryption import load_data_key

    engine = Engine(None if config.in_memory else config.data_dir, clock=clock, region=config.region,
                    account_id=config.account_id, synchronous=config.synchronous, throttling=config.throttling,
                    data_key=load_data_key(config.kms_key_file), integrity_check=config.integrity_check)
    engine.extensions["export_root"] = config.export_root
    engine.extensions["pitr_lag_seconds"] = config.pitr_lag_seconds
    return engine


def serve(config: ServerConfig, engine: Engine | None = None,
          on_ready: Callable[[Engine], None] | None = None) -> None:
    """Serve until SIGTERM/SIGINT; the engine is flushed and closed on the way out."""
    import uvicorn

    engine = engine or build_engine(config)
    import jobtable.server.schedules  # noqa: F401  (registers the daily backup scheduler)

    from jobtable.server.dispatch import _load_protocols_once

    _load_protocols_once()  # protocol modules may add startup hooks (e.g. resuming auto scaling)
    for hook in STARTUP_HOOKS:
        hook(engine, config)
    if on_ready is not None:
        on_ready(engine)
    from jobtable.security.wiring import authorize_dynamodb, install_configured_security

    install_configured_security(engine, config)
    options = ServerOptions(host=f"{config.host}:{config.port}", authorize=authorize_dynamodb)
    app = create_app(engine, options, config.background_interval)
    from jobtable.server.one_write import OneWriteHttpToolsProtocol

    uv_config = uvicorn.Config(app, host=config.host, port=config.port, lifespan="on",
                               log_level=config.log_level, access_log=False, http=OneWriteHttpToolsProtocol,
                               loop=_loop_name(), timeout_keep_alive=30, server_header=False,
                               date_header=False, ssl_certfile=config.tls_cert, ssl_keyfile=config.tls_key)
    _GracefulServer(uv_config).run()


def _graceful_server_class() -> type:
    import uvicorn

    class GracefulServer(uvicorn.Server):
        """uvicorn re-raises SIGTERM/SIGINT after shutdown; a clean, flushed stop exits 0 here."""

        def handle_exit(self, sig: int, frame: object) -> None:
            super().handle_exit(sig, frame)
            self._captured_signals.clear()

    return GracefulServer


def _GracefulServer(config: object) -> object:  # noqa: N802 - class factory keeps uvicorn import lazy
    return _graceful_server_class()(config)


def _loop_name() -> str:
    try:
        import uvloop  # noqa: F401

        return "uvloop"
    except ImportError:
        return "asyncio"
