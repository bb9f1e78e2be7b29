"""End to end in headless Chromium against `jobtable serve --in-memory --manual-clock`.

The tests run in order on one server and one browser profile (module scope), as a person
would: look at the jobs, filter, open a failed job, retry it, browse the table, restore
the table to a point in time. Screenshots land in test-artifacts/dashboard/.
"""
from __future__ import annotations

import re
import tempfile
import time
from typing import Any, Iterator

import pytest
from tests.conftest import START_TIME, ServerProcess
from tests.dashboard.browser import CHROMIUM, FLAGS, ensure_chromium, screenshot
from tests.dashboard.helpers import supported
from tests.dashboard.seeding import JOB_TABLE, XSS, create_job_table, seed_jobs

from jobtable.clock import ManualClock
from jobtable.jobs import JobStore

pytestmark = pytest.mark.slow
TIMEOUT_MS = 15_000


class Site:
    """The server under test, its seeded jobs and a clock kept in step with the server's."""

    def __init__(self) -> None:
        self.server = ServerProcess("--manual-clock", "--background-interval", "0.2").start()
        self.server.set_clock(START_TIME)
        self.clock = ManualClock(START_TIME)
        self.ddb = self.server.client()
        create_job_table(self.ddb)
        self.server.advance(0)
        self.store = JobStore(self.ddb, JOB_TABLE, clock=self.clock)
        self.jobs = seed_jobs(self.store, self.advance)
        self.url = self.server.endpoint + "/ui"

    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)
        self.server.advance(seconds)


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    made = Site()
    yield made
    made.server.stop()


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    reason = ensure_chromium()
    if reason:
        pytest.skip(reason)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Playwright for Python is not installed (pip install playwright)")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=CHROMIUM, headless=True,
            args=FLAGS, viewport={"width": 1280, "height": 860})
        context.set_default_timeout(TIMEOUT_MS)
        made = context.new_page()
        errors: list[str] = []
        made.on("pageerror", lambda exc: errors.append(str(exc)))
        made.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        yield made
        context.close()
        assert not [e for e in errors if "Content Security Policy" in e or "Uncaught" in e], errors


def statuses_listed(page: Any) -> list[str]:
    return page.locator("#jobs-table tbody td:nth-child(2) .status").all_inner_texts()


def test_jobs_page_shows_counts_chart_and_list(site, page):
    page.goto(site.url + "/jobs")
    assert page.locator("#counts li").count() == 5
    assert page.locator("#counts li:has(.status.failed) .count").inner_text() == str(len(site.jobs["failed"]))
    assert page.locator("figure.chart svg rect").count() > 0
    assert page.locator("#jobs-table tbody tr").count() == 24
    screenshot(page, "jobs", publish=True, full_page=False)  # chart and the first rows


def test_filter_by_status_and_user(site, page):
    page.goto(site.url + "/jobs")
    page.select_option("select[name=status]", "failed")
    page.click("#job-filters button[type=submit]")
    page.wait_for_url(re.compile(r"status=failed"))
    assert statuses_listed(page) == ["failed"] * len(site.jobs["failed"])
    page.fill("input[name=user]", "alice")
    page.click("#job-filters button[type=submit]")
    page.wait_for_url(re.compile(r"user=alice"))
    users = page.locator("#jobs-table tbody td:nth-child(3)").all_inner_texts()
    assert users and set(users) == {"alice"} and set(statuses_listed(page)) == {"failed"}
    screenshot(page, "jobs-filtered")


def test_open_a_failed_job_and_retry_it(site, page):
    page.goto(site.url + "/jobs?status=failed")
    first = page.locator("#jobs-table tbody tr").first
    job_id = first.get_attribute("data-job-id")
    first.locator("a").click()
    page.wait_for_url(re.compile(re.escape(job_id)))
    assert page.inner_text("#job-status") == "failed"
    if page.locator("#history").count():
        assert page.locator("#history li").count() == 3  # created, claimed, failed (from the stream)
    screenshot(page, "job", publish=True)
    page.click("#retry")
    page.wait_for_url(re.compile(r"done=retried"))
    assert page.inner_text("#job-status") == "pending"
    assert "Job sent back to pending" in page.inner_text("main")
    assert site.store.get_job(job_id).status == "pending"


def test_the_list_refreshes_itself(site, page):
    page.goto(site.url + "/jobs?status=cancelled")
    before = page.locator("#jobs-table tbody tr").count()
    target = site.jobs["pending"][-1]
    site.store.cancel(target)  # another client changes a job...
    page.mouse.move(0, 0)  # (refresh pauses while the pointer is over the list)
    page.wait_for_selector(f'#jobs-table tr[data-job-id="{target}"]', timeout=12_000)  # ...the page sees it
    assert page.locator("#jobs-table tbody tr").count() == before + 1


def test_table_description_and_item_browser(site, page):
    page.goto(site.url + f"/tables/{JOB_TABLE}")
    assert "StatusIndex" in page.inner_text("main") and "NEW_AND_OLD_IMAGES" in page.inner_text("main")
    screenshot(page, "table", publish=True)
    page.goto(site.url + f"/tables/{JOB_TABLE}/items")
    page.select_option("select[name=index]", "StatusIndex")
    page.fill("input[name=pk]", "completed")
    page.click("#browse button[type=submit]")
    page.wait_for_url(re.compile(r"pk=completed"))
    assert page.locator("table.items tbody tr").count() == len(site.jobs["completed"])
    screenshot(page, "items", publish=True)


def test_point_in_time_restore_from_the_form(site, page):
    page.goto(site.url + f"/operations?table={JOB_TABLE}")
    screenshot(page, "operations", publish=True)
    if not supported(site.ddb.describe_continuous_backups, TableName=JOB_TABLE):
        pytest.skip("RestoreTableToPointInTime is not on this server yet (the form says so)")
    site.ddb.update_continuous_backups(TableName=JOB_TABLE,
                                       PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    site.advance(120)
    page.goto(site.url + f"/operations?table={JOB_TABLE}")
    page.fill("#pitr-form input[name=target]", "JobsRestored")
    page.check("#pitr-form input[name=latest]")
    page.click("#pitr-form button[type=submit]")
    page.wait_for_url(re.compile(r"done=restore"))
    assert "Restore into table JobsRestored started" in page.inner_text("main")
    site.advance(60)
    page.goto(site.url + "/tables/JobsRestored")
    assert "ACTIVE" in page.inner_text("main")
    assert site.ddb.scan(TableName="JobsRestored", Select="COUNT")["Count"] == 24
    screenshot(page, "operations-restored")


def test_cost_estimate_page(site, page):
    page.goto(site.url + f"/tables/{JOB_TABLE}")
    page.click("text=Cost estimate")
    page.wait_for_url(re.compile(r"/cost"))
    page.fill("#cost-form input[name=days]", "0.5")
    page.click("#cost-form button[type=submit]")
    page.wait_for_url(re.compile(r"days=0.5"))
    assert "12 hours" in page.inner_text("#measured")
    assert page.locator('[data-cost="PAY_PER_REQUEST.total"]').inner_text().startswith("$")
    assert "Recommendation:" in page.inner_text("#recommendation")
    screenshot(page, "cost", publish=True)


def test_restore_drill_from_the_button(site, page):
    if not supported(site.ddb.list_backups, TableName=JOB_TABLE):
        pytest.skip("backups are not on this server yet (the page says so)")
    site.ddb.create_backup(TableName=JOB_TABLE, BackupName="nightly")
    site.advance(60)
    page.goto(site.url + f"/operations?table={JOB_TABLE}")
    page.click("#drill-form button[type=submit]")
    page.wait_for_url(re.compile(r"done=drill"))
    deadline = time.monotonic() + 120  # the drill runs in the background: reload until it reports
    while not page.locator("#drill-last").count() and time.monotonic() < deadline:
        site.advance(0)  # (runs the server's background work: the restore)
        page.wait_for_timeout(250)
        page.reload()
    assert "restore drill passed" in page.inner_text("#drill-last")
    row = page.locator("#drills tr.drill").first.inner_text()
    assert "pass" in row and "nightly" in row
    page.locator("#drills").scroll_into_view_if_needed()
    screenshot(page, "drills", publish=True, full_page=False)


def test_stored_script_does_not_run(site, page):
    job = site.store.create_job(XSS, "convert", {"note": XSS})
    page.goto(site.url + f"/jobs/{job.job_id}?table={JOB_TABLE}")
    assert XSS in page.inner_text("main")  # shown as text
    assert page.evaluate("window.__xss") is None
    page.goto(site.url + "/jobs?user=" + XSS.replace("#", "%23"))
    assert page.evaluate("window.__xss") is None
