"""The Jobs pages through the ASGI app: counts, chart, filters, pagination, detail, retry/cancel."""
from __future__ import annotations

import re

from jobtable.jobs import JobStore

from tests.dashboard.helpers import form_post
from tests.dashboard.seeding import JOB_TABLE

ROW = re.compile(r'<tr data-job-id="([^"]+)">')


def listed(html: str) -> list[str]:
    return ROW.findall(html)


def test_jobs_page_counts_every_status(ui, seeded):
    page = ui.get("/ui/jobs")
    assert page.status_code == 200
    counts = dict(re.findall(r'<span class="status (\w+)">\w+</span><span class="count">(\d+)</span>', page.text))
    assert {k: int(v) for k, v in counts.items()} == {s: len(ids) for s, ids in seeded.jobs.items()}


def test_chart_counts_jobs_created_per_hour_by_status(ui, seeded):
    html = ui.get("/ui/jobs").text
    assert "Jobs created per hour, by status" in html
    bars = re.findall(r'<rect class="(\w+)"[^>]*><title>[^<]*: (\d+) (\w+)</title>', html)
    totals: dict[str, int] = {}
    for css, count, status in bars:
        assert css == status
        totals[status] = totals.get(status, 0) + int(count)
    assert totals == {s: len(ids) for s, ids in seeded.jobs.items()}


def test_chart_follows_the_status_filter(ui, seeded):
    html = ui.get(f"/ui/jobs?status=failed").text
    bars = re.findall(r'<rect class="(\w+)"[^>]*><title>[^<]*: (\d+) (\w+)</title>', html)
    assert {b[2] for b in bars} == {"failed"}
    assert sum(int(b[1]) for b in bars) == len(seeded.jobs["failed"])


def test_filter_by_status_lists_only_that_status(ui, seeded):
    for status, ids in seeded.jobs.items():
        assert sorted(listed(ui.get(f"/ui/jobs?status={status}").text)) == sorted(ids)


def test_filter_by_user_and_status(ui, seeded):
    alice = [j.job_id for j in seeded.store.iter_jobs(user_id="alice")]
    assert len(alice) == 8
    assert sorted(listed(ui.get("/ui/jobs?user=alice&limit=50").text)) == sorted(alice)
    failed_alice = set(alice) & set(seeded.jobs["failed"])
    assert set(listed(ui.get("/ui/jobs?user=alice&status=failed").text)) == failed_alice


def test_filter_by_date_range(ui, seeded):
    # START_TIME is 2026-09-21 12:53:20 UTC; the 24 jobs span the next four hours.
    assert len(listed(ui.get("/ui/jobs?from=2026-09-21&to=2026-09-21&limit=50").text)) == 24
    assert listed(ui.get("/ui/jobs?from=2026-09-22").text) == []
    assert listed(ui.get("/ui/jobs?to=2026-09-20").text) == []


def test_pages_follow_the_cursor_without_repeats(ui, seeded):
    seen: list[str] = []
    url = "/ui/jobs?limit=10"
    pages = 0
    while url:
        html = ui.get(url).text
        rows = listed(html)
        seen.extend(rows)
        pages += 1
        found = re.search(r'<a rel="next" href="([^"]+)"', html)
        url = found.group(1).replace("&amp;", "&") if found else None
    assert pages == 3
    assert len(seen) == len(set(seen)) == 24


def test_newest_jobs_come_first(ui, seeded):
    html = ui.get("/ui/jobs?limit=50").text
    created = re.findall(r'<td class="mono small">(\d{4}-\d\d-\d\dT[^<]+)</td>\s*<td class="mono small">', html)
    assert created == sorted(created, reverse=True) and len(created) == 24


def test_live_fragment_is_the_list_alone(ui, seeded):
    fragment = ui.get(f"/ui/fragments/job-rows?table={JOB_TABLE}&status=failed")
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and "<table" in fragment.text
    assert sorted(listed(fragment.text)) == sorted(seeded.jobs["failed"])


def test_job_detail_shows_attributes_and_actions(ui, seeded):
    job_id = seeded.jobs["failed"][0]
    html = ui.get(f"/ui/jobs/{job_id}?table={JOB_TABLE}").text
    assert 'id="job-status">failed<' in html
    assert "converter crashed on page" in html
    assert 'id="retry"' in html and 'id="cancel"' not in html
    pending = ui.get(f"/ui/jobs/{seeded.jobs['pending'][0]}").text  # table defaults to CloudToolsJobs
    assert 'id="cancel"' in pending and 'id="retry"' not in pending


def test_job_history_comes_from_the_stream(ui, seeded):
    job_id = seeded.jobs["failed"][0]
    html = ui.get(f"/ui/jobs/{job_id}?table={JOB_TABLE}").text
    if "Stream history: not available on this server" in html:
        return  # the Streams API is not on this server (the notice is the behaviour under test)
    events = re.findall(r"<strong>(INSERT|MODIFY|REMOVE)</strong>", html)
    assert events == ["INSERT", "MODIFY", "MODIFY"]  # created, claimed, failed
    assert re.search(r'status pending">pending</span> → <span class="status processing"', html)
    assert re.search(r'status processing">processing</span> → <span class="status failed"', html)


def test_unknown_job_is_a_404(ui):
    page = ui.get(f"/ui/jobs/no-such-job?table={JOB_TABLE}")
    assert page.status_code == 404 and "JobNotFound" in page.text


def test_retry_moves_a_failed_job_back_to_pending(ui, seeded):
    job_id = seeded.jobs["failed"][0]
    page = f"/ui/jobs/{job_id}?table={JOB_TABLE}"
    answer = form_post(ui, f"/ui/jobs/{job_id}/retry", {"table": JOB_TABLE}, page)
    assert answer.status_code == 303 and answer.headers["location"].endswith("done=retried")
    job = seeded.store.get_job(job_id)
    assert job.status == "pending" and job.retries == 1
    after = ui.get(answer.headers["location"]).text
    assert "Job sent back to pending (retry)." in after and 'id="job-status">pending<' in after


def test_cancel_of_a_pending_job(ui, seeded):
    job_id = seeded.jobs["pending"][0]
    answer = form_post(ui, f"/ui/jobs/{job_id}/cancel", {"table": JOB_TABLE}, f"/ui/jobs/{job_id}")
    assert answer.status_code == 303
    assert seeded.store.get_job(job_id).status == "cancelled"


def test_retry_of_a_completed_job_is_refused_by_the_jobs_api(ui, seeded):
    job_id = seeded.jobs["completed"][0]  # its page has no Retry button: post as a stale page would
    answer = form_post(ui, f"/ui/jobs/{job_id}/retry", {"table": JOB_TABLE}, f"/ui/jobs/{seeded.jobs['failed'][0]}")
    assert answer.status_code == 409
    assert "InvalidTransition" in answer.text and "is completed; cannot move it to pending" in answer.text
    assert seeded.store.get_job(job_id).status == "completed"


def test_no_job_table_says_how_to_make_one(seeded):
    from jobtable.clock import ManualClock
    from jobtable.engine.engine import Engine
    from jobtable.server.app import create_app
    from tests.dashboard.helpers import LOCAL, TestClient

    empty = Engine(None, clock=ManualClock(0))
    try:
        html = TestClient(create_app(empty), base_url=LOCAL).get("/ui/jobs").text
        assert "No job table yet" in html
    finally:
        empty.close()


def test_a_second_store_sees_what_the_dashboard_did(ui, seeded):
    """Retry went through the API: any other client reads the new state."""
    job_id = seeded.jobs["failed"][1]
    form_post(ui, f"/ui/jobs/{job_id}/retry", {"table": JOB_TABLE}, f"/ui/jobs/{job_id}")
    other = JobStore(seeded.ddb, JOB_TABLE)
    assert other.get_job(job_id).status == "pending"
