"""The CLI (`jobtable backups|pitr|export|import`) against a real server, through boto3 only."""
from __future__ import annotations

import json
import uuid
from typing import Any

from click.testing import CliRunner

from backup_helpers import enable_pitr, scan_all, simple_table, when
from jobtable.cli.main import cli


def run(server: Any, *args: str) -> Any:
    result = CliRunner().invoke(cli, [*args, "--endpoint-url", server.endpoint], catch_exceptions=False)
    return result


def test_backup_pitr_export_and_import_commands(http_server: Any) -> None:
    ddb = http_server.client()
    table = f"cli-{uuid.uuid4().hex[:8]}"
    simple_table(ddb, table)
    http_server.advance(1 - http_server.advance(0) % 1)  # a whole second: the CLI's --to has no fractions
    enable_pitr(ddb, table)
    for n in range(5):
        ddb.put_item(TableName=table, Item={"pk": {"S": f"k{n}"}, "v": {"N": str(n)}})
    before = http_server.advance(60)
    http_server.advance(1)
    ddb.delete_item(TableName=table, Key={"pk": {"S": "k0"}})

    created = run(http_server, "backups", "create", table, "--name", f"{table}-nightly", "-o", "json")
    assert created.exit_code == 0, created.output
    details = json.loads(created.stdout)
    assert details["BackupStatus"] == "AVAILABLE"
    listed = run(http_server, "backups", "list", "--table", table, "-o", "json")
    assert [b["BackupArn"] for b in json.loads(listed.stdout)] == [details["BackupArn"]]
    restored = run(http_server, "backups", "restore", f"{table}-nightly", "--target", f"{table}-b")
    assert restored.exit_code == 0, restored.output
    assert sorted(scan_all(ddb, f"{table}-b")) == ["k1", "k2", "k3", "k4"]

    iso = when(before).strftime("%Y-%m-%dT%H:%M:%SZ")
    at = run(http_server, "pitr", "restore", table, "--target", f"{table}-p", "--to", iso)
    assert at.exit_code == 0, at.output
    assert sorted(scan_all(ddb, f"{table}-p")) == ["k0", "k1", "k2", "k3", "k4"]
    status = run(http_server, "pitr", "status", table)
    assert status.stdout.startswith("ENABLED (35 days)")

    exported = run(http_server, "export", table, "--bucket", "cli-bucket", "--prefix", table, "-o", "json")
    assert exported.exit_code == 0, exported.output
    manifest = json.loads(exported.stdout)["ExportManifest"]
    imported = run(http_server, "import", "--bucket", "cli-bucket", "--prefix", manifest.rsplit("/", 1)[0] + "/data/",
                   "--table-name", f"{table}-i", "--hash-key", "pk:S")
    assert imported.exit_code == 0, imported.output
    assert "imported 4 items, 0 errors" in imported.stdout
    assert scan_all(ddb, f"{table}-i") == scan_all(ddb, table)


def test_cli_errors_are_one_line(http_server: Any) -> None:
    missing = run(http_server, "backups", "restore", "arn:aws:dynamodb:us-east-1:000000000000:table/x/backup/"
                  "01790000000000-00000000", "--target", "nowhere")
    assert missing.exit_code != 0
    assert missing.stderr.strip().splitlines() == [
        "Error: BackupNotFoundException: Backup not found: arn:aws:dynamodb:us-east-1:000000000000:table/x/backup/"
        "01790000000000-00000000"]
    bad_time = run(http_server, "pitr", "restore", "some-table", "--target", "t2", "--to", "yesterday-ish")
    assert bad_time.exit_code != 0 and "ISO 8601" in bad_time.output
