"""Server processes started by the benchmark: free ports, readiness, memory, and clean shutdown.

Every process is started in its own session so that stopping it also stops whatever it
spawned (uvicorn workers, node children) — by its process-group id, never by name.
"""
from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

LIST_TABLES_BODY = b"{}"
# A request every DynamoDB-compatible server answers; the signature is only "signed-looking",
# enough for servers that check the header's shape (dynalite) but do not verify it.
PROBE_HEADERS = {
    "Content-Type": "application/x-amz-json-1.0",
    "X-Amz-Target": "DynamoDB_20120810.ListTables",
    "X-Amz-Date": "20250101T000000Z",
    "Authorization": (
        "AWS4-HMAC-SHA256 Credential=bench/20250101/us-east-1/dynamodb/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" + "0" * 64
    ),
}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers_list_tables(port: int, timeout: float = 1.0) -> bool:
    """True once the server on ``port`` answers a ListTables request (any 2xx/4xx reply)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("POST", "/", body=LIST_TABLES_BODY, headers=PROBE_HEADERS)
        response = conn.getresponse()
        response.read()
        return response.status < 500
    except OSError:
        return False
    finally:
        conn.close()


@dataclass
class ManagedProcess:
    """One server process we started; ``startup_seconds`` is spawn → first answered request."""

    name: str
    argv: list[str]
    port: int
    log_path: Path
    env: dict[str, str] | None = None
    popen: subprocess.Popen | None = field(default=None, repr=False)
    startup_seconds: float | None = None

    def start(self, ready_timeout: float = 60.0) -> None:
        log = open(self.log_path, "ab")
        started = time.perf_counter()
        self.popen = subprocess.Popen(
            self.argv,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env=self.env,
        )
        log.close()
        deadline = started + ready_timeout
        while time.perf_counter() < deadline:
            if self.popen.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with code {self.popen.returncode} before answering; "
                    f"log: {self.log_path}\n{self.log_tail()}"
                )
            if answers_list_tables(self.port, timeout=0.5):
                self.startup_seconds = time.perf_counter() - started
                return
            time.sleep(0.005)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer within {ready_timeout:.0f}s; log: {self.log_path}")

    def log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def rss_bytes(self) -> int | None:
        """Resident memory of the server and all its children (workers), in bytes."""
        if self.popen is None or self.popen.poll() is not None:
            return None
        try:
            root = psutil.Process(self.popen.pid)
            processes = [root, *root.children(recursive=True)]
            return sum(p.memory_info().rss for p in processes if p.is_running())
        except psutil.Error:
            return None

    def stop(self, grace: float = 5.0) -> None:
        """SIGTERM the process group, then SIGKILL whatever is left after ``grace`` seconds."""
        if self.popen is None or self.popen.poll() is not None:
            return
        pgid = self.popen.pid  # start_new_session=True: the group id is our child's pid
        try:
            os.killpg(pgid, signal.SIGTERM)
            self.popen.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            os.killpg(pgid, signal.SIGKILL)
            self.popen.wait(timeout=grace)
        except ProcessLookupError:
            pass
        try:  # workers that outlived their parent
            os.killpg(pgid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
