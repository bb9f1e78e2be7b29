"""Start a local DynamoDB-compatible server (jobtable or moto) as a subprocess on a free port.

Shared by tests/module and tests/terraform: both must work against any endpoint, so the
module's scenarios run against every backend that is available here.
"""
from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def jobtable_server_available() -> bool:
    return importlib.util.find_spec("jobtable.cli.serve") is not None


def moto_available() -> bool:
    return importlib.util.find_spec("moto.server") is not None


@dataclass
class RunningServer:
    name: str
    url: str
    process: subprocess.Popen
    log_path: str

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def log(self) -> str:
        with open(self.log_path, errors="replace") as handle:
            return handle.read()[-5000:]


def command_for(backend: str, port: int) -> list[str]:
    if backend == "jobtable":
        return [sys.executable, "-m", "jobtable.cli.main", "serve", "--in-memory", "--port", str(port)]
    if backend == "moto":
        return [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    raise ValueError(backend)


def start_server(backend: str, timeout: float = 30.0) -> RunningServer:
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix=f"{backend}-server-", suffix=".log", delete=False)
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    process = subprocess.Popen(command_for(backend, port), stdout=log, stderr=subprocess.STDOUT, env=env)
    server = RunningServer(backend, f"http://127.0.0.1:{port}", process, log.name)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{backend} server exited with {process.returncode}:\n{server.log()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.05)
    server.stop()
    raise RuntimeError(f"{backend} server did not listen on port {port} within {timeout}s:\n{server.log()}")


# Operations each kind of test needs, with a harmless probe call (a missing table answers
# ResourceNotFoundException when the operation exists, UnknownOperationException when not).
PROBES = {
    "DescribeTimeToLive": ("describe_time_to_live", {"TableName": "probe-missing-table"}),
    "UpdateTimeToLive": ("update_time_to_live", {"TableName": "probe-missing-table", "TimeToLiveSpecification": {
        "AttributeName": "ttl", "Enabled": True}}),
    "DescribeContinuousBackups": ("describe_continuous_backups", {"TableName": "probe-missing-table"}),
    "UpdateContinuousBackups": ("update_continuous_backups", {"TableName": "probe-missing-table",
                                                             "PointInTimeRecoverySpecification": {
                                                                 "PointInTimeRecoveryEnabled": True}}),
    "ListTagsOfResource": ("list_tags_of_resource", {
        "ResourceArn": "arn:aws:dynamodb:us-east-1:000000000000:table/probe-missing-table"}),
    "CreateBackup": ("create_backup", {"TableName": "probe-missing-table", "BackupName": "probe"}),
    "ListBackups": ("list_backups", {"TableName": "probe-missing-table"}),
    "DeleteBackup": ("delete_backup", {"BackupArn": "arn:aws:dynamodb:us-east-1:000000000000:table/"
                                                    "probe-missing-table/backup/01234567890123-abcdefgh"}),
    "DescribeContributorInsights": ("describe_contributor_insights", {"TableName": "probe-missing-table"}),
    "UpdateContributorInsights": ("update_contributor_insights", {"TableName": "probe-missing-table",
                                                                 "ContributorInsightsAction": "ENABLE"}),
}
MODULE_OPERATIONS = ("DescribeTimeToLive", "UpdateTimeToLive", "DescribeContinuousBackups",
                     "UpdateContinuousBackups", "ListTagsOfResource", "CreateBackup", "ListBackups")
BACKUP_OPERATIONS = ("CreateBackup", "ListBackups", "DeleteBackup")
TERRAFORM_OPERATIONS = ("DescribeTimeToLive", "UpdateTimeToLive", "DescribeContinuousBackups",
                        "UpdateContinuousBackups", "ListTagsOfResource", "DescribeContributorInsights",
                        "UpdateContributorInsights")


def query_services_missing(url: str) -> list[str]:
    """IAM/STS calls the provider makes that the endpoint does not answer in the query protocol."""
    import boto3

    session = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1")
    missing = []
    for service, method in (("iam", "get_user"), ("sts", "get_caller_identity")):
        try:
            getattr(session.client(service, endpoint_url=url), method)()
        except Exception:  # noqa: BLE001 - unrouted requests fail in many ways
            missing.append(f"{service.upper()} {method}")
    return missing


def missing_operations(client, operations) -> list[str]:
    """The operations the endpoint answers with UnknownOperationException."""
    missing = []
    for operation in operations:
        method, kwargs = PROBES[operation]
        try:
            getattr(client, method)(**kwargs)
        except Exception as exc:  # noqa: BLE001 - any answer other than "unknown" means it exists
            code = getattr(exc, "response", {}).get("Error", {}).get("Code")
            if code == "UnknownOperationException":
                missing.append(operation)
    return missing
