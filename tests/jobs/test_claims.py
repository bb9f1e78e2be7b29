"""Workers claiming jobs: oldest first, leases, heartbeats, requeue, and real concurrency."""
import threading
from collections import Counter

import pytest

from jobtable.clock import ManualClock
from jobtable.jobs import COMPLETED, PENDING, PROCESSING, JobNotFound, JobStore, LeaseLost


def test_claims_the_oldest_pending_job(store, clock):
    ids = []
    for n in range(5):
        ids.append(store.create_job("u", "t").job_id)
        clock.advance(1)
    claimed = [store.claim_next("w1").job_id for _ in range(5)]
    assert claimed == ids
    assert store.claim_next("w1") is None


def test_claim_sets_the_lease_and_counts_the_attempt(store, clock):
    job = store.create_job("u", "t")
    claimed = store.claim_next("w1", visibility_timeout=60)
    assert (claimed.job_id, claimed.status, claimed.worker_id, claimed.attempts) == (job.job_id, PROCESSING, "w1", 1)
    assert claimed.lease_expires_at == "2026-11-25T09:47:40.000Z"


def test_claim_by_job_type_skips_other_types(store, clock):
    for kind in ["compress"] * 30 + ["convert"]:  # more than one claim page of the wrong type
        store.create_job("u", kind)
        clock.advance(0.001)
    job = store.claim_next("w1", job_type="convert")
    assert job.job_type == "convert"
    assert store.claim_next("w1", job_type="convert") is None
    assert store.claim_next("w1", job_type="compress").job_type == "compress"


def test_claim_on_an_empty_table_returns_none(store):
    assert store.claim_next("w1") is None


def test_expired_lease_returns_the_job_to_pending(store, clock):
    job = store.create_job("u", "t")
    store.claim_next("dead-worker", visibility_timeout=60)  # sweeps (the first claim always does)
    clock.advance(30)
    assert store.claim_next("w2") is None  # swept again, but the lease still runs
    clock.advance(31)
    again = store.claim_next("w2")  # sweeps first: the lease ran out
    assert (again.job_id, again.worker_id, again.attempts) == (job.job_id, "w2", 2)
    with pytest.raises(LeaseLost, match="held by worker 'w2'"):
        store.complete(job.job_id, worker_id="dead-worker")
    assert store.complete(job.job_id, worker_id="w2").status == COMPLETED


def test_requeue_expired_moves_only_expired_leases(store, clock):
    short = store.create_job("u", "t")
    long = store.create_job("u", "t")
    store.update_status(short.job_id, PROCESSING, worker_id="w1")
    store.visibility_timeout = 600
    store.update_status(long.job_id, PROCESSING, worker_id="w2")
    clock.advance(301)
    assert store.requeue_expired() == 1
    requeued = store.get_job(short.job_id)
    assert (requeued.status, requeued.worker_id, requeued.lease_expires_at) == (PENDING, None, None)
    assert store.get_job(long.job_id).status == PROCESSING


def test_heartbeat_keeps_the_job(store, clock):
    job = store.create_job("u", "t")
    store.claim_next("w1", visibility_timeout=60)
    for _ in range(5):
        clock.advance(50)
        beat = store.heartbeat(job.job_id, "w1", visibility_timeout=60)
        assert store.requeue_expired() == 0
    assert beat.lease_expires_at == "2026-11-25T09:51:50.000Z"  # t0 + 250 s + 60 s
    with pytest.raises(LeaseLost):
        store.heartbeat(job.job_id, "w2")
    with pytest.raises(JobNotFound):
        store.heartbeat("ghost", "w1")


def test_sweeps_are_rate_limited(store, clock):
    store.create_job("u", "t")
    store.claim_next("w1", visibility_timeout=10)
    store.create_job("u", "t")
    clock.advance(11)
    assert store.claim_next("w2").worker_id == "w2"  # the first claim swept at t=0; not due yet
    clock.advance(store.sweep_interval)
    assert store.claim_next("w3").attempts == 2  # swept now: the expired job is back


def test_a_lost_race_moves_on_to_the_next_job(store, client, jobs_table, clock):
    """Worker A reads the candidates, B claims the first one before A's conditional write:
    A's write is refused and A takes the next job instead (deterministic contention)."""
    first = store.create_job("u", "t")
    clock.advance(1)
    second = store.create_job("u", "t")
    rival = JobStore(client, jobs_table, clock=clock)
    real_take = store._take
    raced = []

    def take_after_the_rival(job_id, worker_id, lease):
        if not raced:
            raced.append(rival.claim_next("B"))
        return real_take(job_id, worker_id, lease)

    store._take = take_after_the_rival
    mine = store.claim_next("A")
    assert raced[0].job_id == first.job_id and mine.job_id == second.job_id
    assert store.get_job(first.job_id).worker_id == "B"


def test_eight_workers_process_a_thousand_jobs_exactly_once(endpoint, jobs_table):
    """8 threads, each with its own boto3 client, race for 1,000 jobs."""
    if endpoint.kind == "moto":
        pytest.skip("moto: conditional writes are not atomic under concurrent requests (threaded werkzeug "
                    "server, no locking in its DynamoDB backend), so two workers can both claim a job")
    clock = ManualClock(start=1_795_600_000.0)
    seeder = JobStore(endpoint.client(), jobs_table, clock=clock)
    created = []
    for n in range(1000):
        created.append(seeder.create_job(f"user{n % 7}", "convert").job_id)
        clock.advance(0.001)
    processed: list[tuple[str, str]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def work(worker_id: str) -> None:
        store = JobStore(endpoint.client(), jobs_table, clock=clock)
        start.wait()
        try:
            while (job := store.claim_next(worker_id)) is not None:
                store.complete(job.job_id, {"by": worker_id}, worker_id=worker_id)
                with lock:
                    processed.append((job.job_id, worker_id))
        except BaseException as exc:  # reported below, never swallowed
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    times = Counter(job_id for job_id, _ in processed)
    assert len(processed) == 1000 and set(times) == set(created) and max(times.values()) == 1
    assert len({worker for _, worker in processed}) > 1  # the work really was shared
    assert seeder.count_by_status() == {"pending": 0, "processing": 0, "completed": 1000, "failed": 0, "cancelled": 0}
    assert all(job.attempts == 1 and job.result == {"by": job.worker_id} for job in seeder.iter_jobs(status=COMPLETED, limit=1000))
