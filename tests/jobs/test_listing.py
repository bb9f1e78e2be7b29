"""Listing thousands of jobs by status and by user, with date ranges and cursors."""
import uuid
from collections import Counter
from dataclasses import dataclass

import pytest

from jobtable.clock import ManualClock
from jobtable.jobs import COMPLETED, FAILED, PENDING, PROCESSING, STATUSES, InvalidCursor, JobStore, create_jobs_table
from jobtable.jobs.timestamps import format_timestamp

# moto's Query reads its whole table per page (~130 ms at 500 items), so it gets fewer jobs.
SIZES = {"jobtable": 3000, "moto": 600}
START = 1_795_600_000.0  # 2026-11-25T09:46:40Z
USERS = [f"user{n}" for n in range(5)]


@dataclass(frozen=True)
class Row:
    job_id: str
    status: str
    user_id: str
    created_at: str


@pytest.fixture(scope="module")
def dataset(endpoint):
    """Jobs over ~35 days: 5 users, all statuses, and runs of jobs sharing a createdAt."""
    client = endpoint.client()
    table = f"list-{uuid.uuid4().hex[:10]}"
    create_jobs_table(client, table, enable_ttl=False)
    clock = ManualClock(start=START)
    store = JobStore(client, table, clock=clock)
    rows = []
    size = SIZES[endpoint.kind]
    for n in range(size):
        if n % 10:  # every 10th job shares its predecessor's millisecond
            clock.advance(3_000_000 / size)
        job = store.create_job(USERS[n % 5], "convert")
        status = STATUSES[(n // 5) % 4]  # pending, processing, completed, failed (per user too)
        if status != PENDING:
            store.update_status(job.job_id, PROCESSING, worker_id="w")
        if status in (COMPLETED, FAILED):
            store.update_status(job.job_id, status, worker_id="w")
        rows.append(Row(job.job_id, status, job.user_id, job.created_at))
    yield store, rows
    client.delete_table(TableName=table)


def walk(store, **filters):
    pages, cursor, jobs = 0, None, []
    while True:
        page = store.list_jobs(cursor=cursor, **filters)
        pages += 1
        assert len(page.jobs) <= filters.get("limit", 50)
        jobs.extend(page.jobs)
        if page.cursor is None:
            return jobs, pages
        assert len(page.jobs) == filters.get("limit", 50)  # only the last page may be short
        cursor = page.cursor


def check(jobs, expected, newest_first=True):
    ids = [j.job_id for j in jobs]
    assert len(ids) == len(set(ids)), "a job appeared twice"
    assert set(ids) == {r.job_id for r in expected}
    times = [j.created_at for j in jobs]
    assert times == sorted(times, reverse=newest_first)


def test_by_status_newest_first(dataset):
    store, rows = dataset
    expected = [r for r in rows if r.status == COMPLETED]
    jobs, pages = walk(store, status=COMPLETED, limit=100)
    check(jobs, expected)
    assert pages == -(-len(expected) // 100) and all(j.status == COMPLETED for j in jobs)


def test_by_user_in_a_date_range_oldest_first(dataset):
    store, rows = dataset
    since, until = rows[len(rows) // 4].created_at, rows[3 * len(rows) // 4].created_at
    expected = [r for r in rows if r.user_id == "user3" and since <= r.created_at < until]
    jobs, _ = walk(store, user_id="user3", since=since, until=until, limit=37, newest_first=False)
    check(jobs, expected, newest_first=False)
    assert expected and all(j.user_id == "user3" for j in jobs)


def test_by_status_since_a_day(dataset):
    store, rows = dataset
    day = rows[len(rows) // 2].created_at[:10]
    expected = [r for r in rows if r.status == FAILED and r.created_at >= day]
    jobs, _ = walk(store, status=FAILED, since=day, limit=64)
    check(jobs, expected)


def test_by_status_until_a_time_is_exclusive(dataset):
    store, rows = dataset
    until = rows[len(rows) // 3].created_at
    expected = [r for r in rows if r.status == PENDING and r.created_at < until]
    jobs, _ = walk(store, status=PENDING, until=until, limit=200)
    check(jobs, expected)
    assert all(j.created_at < until for j in jobs)


def test_by_user_and_status(dataset):
    store, rows = dataset
    expected = [r for r in rows if r.user_id == "user1" and r.status == PROCESSING]
    jobs, _ = walk(store, user_id="user1", status=PROCESSING, limit=25)
    check(jobs, expected)


def test_everything_merges_statuses_by_time(dataset):
    store, rows = dataset
    jobs, _ = walk(store, limit=250)
    check(jobs, rows)
    jobs, _ = walk(store, limit=999, newest_first=False, since=rows[100].created_at)
    check(jobs, [r for r in rows if r.created_at >= rows[100].created_at], newest_first=False)


def test_counts(dataset):
    store, rows = dataset
    assert store.count_by_status() == {s: Counter(r.status for r in rows)[s] for s in STATUSES}
    mine = Counter(r.status for r in rows if r.user_id == "user2")
    assert store.count_by_status("user2") == {s: mine[s] for s in STATUSES}


def test_empty_and_inverted_windows(dataset):
    store, rows = dataset
    assert store.list_jobs(status=PENDING, since="2030-01-01").jobs == []
    page = store.list_jobs(status=PENDING, since="2026-12-10", until="2026-12-01")
    assert (page.jobs, page.cursor) == ([], None)
    assert store.list_jobs(user_id="nobody").cursor is None


def test_cursors_are_tied_to_their_query(dataset):
    store, _ = dataset
    cursor = store.list_jobs(status=PENDING, limit=5).cursor
    with pytest.raises(InvalidCursor, match="other filters"):
        store.list_jobs(status=COMPLETED, limit=5, cursor=cursor)
    with pytest.raises(InvalidCursor, match="not a cursor"):
        store.list_jobs(status=PENDING, cursor="bm9wZQ")
    assert store.list_jobs(status=PENDING, limit=7, cursor=cursor).jobs  # the limit may change


@pytest.mark.parametrize("bad", [dict(limit=0), dict(limit=1001), dict(status="done"), dict(since="2026-02-30")])
def test_bad_arguments(dataset, bad):
    store, _ = dataset
    with pytest.raises(ValueError):
        store.list_jobs(**bad)


def test_timestamps_in_listings_are_the_canonical_format(dataset):
    store, rows = dataset
    assert rows[0].created_at == format_timestamp(START)
    assert all(len(j.created_at) == 24 and j.created_at.endswith("Z") for j in store.list_jobs(limit=20).jobs)
