"""Restore drills on the Operations page: run one from the page (in the background), see the
results read back from CloudWatch — a passing drill and one of a damaged backup file."""
from __future__ import annotations

import gzip
import re
import threading

import pytest

from jobtable.inprocess import client
from jobtable.ops.drills import DRILL_NAMESPACE
from tests.dashboard.helpers import form_post, supported
from tests.dashboard.seeding import JOB_TABLE

OPS = f"/ui/operations?table={JOB_TABLE}"


@pytest.fixture
def runner(ui, seeded):
    """The dashboard's drill runner; between its DescribeTable polls the drill runs the
    engine's background work (the restore) instead of sleeping."""
    if not supported(seeded.ddb.list_backups, TableName=JOB_TABLE):
        pytest.skip("ListBackups is not on this server yet")
    assert ui.get(OPS).status_code == 200  # the dashboard app is built on its first request
    made = ui.app.mounts["/ui"].app.state.dashboard.drills
    made.sleep = lambda _: seeded.engine.run_background_until_idle()
    return made


def backup(seeded, name: str) -> str:
    arn = seeded.ddb.create_backup(TableName=JOB_TABLE, BackupName=name)["BackupDetails"]["BackupArn"]
    seeded.advance(5)
    return arn


def run_drill(ui, runner) -> None:
    answer = form_post(ui, "/ui/operations/drill", {"table": JOB_TABLE}, OPS)
    assert answer.status_code == 303 and "done=drill" in answer.headers["location"]
    run = runner.wait(JOB_TABLE, timeout=60)
    assert run is not None and not run.thread.is_alive() and run.error is None


def drill_rows(html: str) -> list[str]:
    return re.findall(r'<tr class="drill">(.*?)</tr>', html, re.S)


def test_a_passing_and_a_failing_drill_both_show(ui, seeded, runner):
    backup(seeded, "nightly")
    run_drill(ui, runner)
    page = ui.get(OPS).text
    assert "Last drill from this page" in page and "restore drill passed: 24 items restored" in page
    (passed,) = drill_rows(page)
    assert '<span class="status pass">pass</span>' in passed and ">nightly</span>" in passed
    assert re.search(r'<td class="num">24 / 24</td>', passed) and "not cross-checked" in passed
    assert re.search(r'<td class="num">\d+\.\d s</td>', passed)

    seeded.advance(120)
    damaged = backup(seeded, "damaged")
    from jobtable.engine import backups  # fault injection needs the file's location

    damage_backup_file(backups.get(seeded.engine, damaged).path, seeded.jobs["failed"][0])
    seeded.advance(120)
    run_drill(ui, runner)
    page = ui.get(OPS).text
    assert "restore drill FAILED" in page and "dropped before it became ACTIVE" in page
    failed, passed_again = drill_rows(page)  # newest first
    assert '<span class="status fail">FAIL</span>' in failed and ">damaged</span>" in failed
    assert "— / 24" in failed  # nothing restored of the 24 items the backup recorded
    assert passed_again == passed
    assert seeded.ddb.list_tables()["TableNames"] == [JOB_TABLE]  # scratch tables gone


def damage_backup_file(path: str, job_id: str) -> None:
    """Change one job's id inside the (gzip) backup file, as bit rot or tampering would."""
    raw = gzip.decompress(open(path, "rb").read())
    assert job_id.encode() in raw
    with open(path, "wb") as handle:
        handle.write(gzip.compress(raw.replace(job_id.encode(), b"0" * len(job_id), 1)))


def test_drill_with_pitr_cross_check_shows_the_checksum_match(ui, seeded, runner):
    seeded.ddb.update_continuous_backups(TableName=JOB_TABLE,
                                         PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    seeded.advance(60)
    backup(seeded, "with-pitr")
    run_drill(ui, runner)
    (row,) = drill_rows(ui.get(OPS).text)
    assert '<span class="status pass">matches PITR</span>' in row


def test_results_published_by_the_cli_show_too(ui, seeded):
    """A drill's datapoints, as `backups verify --publish-metric` sends them, are all the page needs."""
    import datetime as dt

    at = dt.datetime.fromtimestamp(seeded.engine.clock.now() - 300, dt.timezone.utc)
    dims = [{"Name": "TableName", "Value": JOB_TABLE}]
    client("cloudwatch", engine=seeded.engine).put_metric_data(Namespace=DRILL_NAMESPACE, MetricData=[
        {"MetricName": name, "Dimensions": dims, "Value": value, "Timestamp": at}
        for name, value in (("RestoreDrillSuccess", 0.0), ("RestoreSeconds", 42.0), ("ExpectedItems", 10.0),
                            ("RestoredItems", 9.0), ("ChecksumMatch", 0.0))])
    (row,) = drill_rows(ui.get(OPS).text)
    assert "FAIL" in row and "9 / 10" in row and "42.0 s" in row and '<span class="status fail">differs</span>' in row


def test_one_drill_per_table_at_a_time(ui, seeded, runner):
    backup(seeded, "nightly")
    release = threading.Event()

    def held(_: float) -> None:
        release.wait(30)
        seeded.engine.run_background_until_idle()

    runner.sleep = held
    first = form_post(ui, "/ui/operations/drill", {"table": JOB_TABLE}, OPS)
    assert first.status_code == 303
    page = ui.get(OPS).text  # the page answers while the drill waits
    assert "A drill of CloudToolsJobs is running" in page
    assert re.search(r'<button type="submit" disabled>Run a drill', page)
    second = form_post(ui, "/ui/operations/drill", {"table": JOB_TABLE}, OPS)
    assert second.status_code == 400 and "A restore drill of CloudToolsJobs is already running." in second.text
    release.set()
    run = runner.wait(JOB_TABLE, timeout=60)
    assert run.report is not None and run.report.ok


def test_drill_needs_the_form_token(ui, seeded):
    answer = ui.post("/ui/operations/drill", data={"table": JOB_TABLE}, follow_redirects=False)
    assert answer.status_code == 403
