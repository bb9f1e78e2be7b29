"""A job's states, against both endpoints (jobtable server and moto)."""
from datetime import timedelta

import pytest
from botocore.exceptions import ClientError
from jobs_endpoints import moto_is_wrong

from jobtable.jobs import (CANCELLED, COMPLETED, FAILED, PENDING, PROCESSING, InvalidTransition, JobExists,
                           JobNotFound, JobStore, LeaseLost)


def test_create_job_writes_the_seed_schema(store, client, jobs_table, clock):
    job = store.create_job("user123", "convert", {"format": "pdf", "quality": 0.8}, input_file="in.docx")
    item = client.get_item(TableName=jobs_table, Key={"jobId": {"S": job.job_id}})["Item"]
    assert item["status"] == {"S": "pending"}
    assert item["userId"] == {"S": "user123"}
    assert item["jobType"] == {"S": "convert"}
    assert item["inputFile"] == {"S": "in.docx"}
    assert item["createdAt"] == item["updatedAt"] == {"S": "2026-11-25T09:46:40.000Z"}
    assert item["ttl"] == {"N": str(int(clock.now()) + 30 * 86400)}
    assert item["payload"] == {"M": {"format": {"S": "pdf"}, "quality": {"N": "0.8"}}}
    assert store.get_job(job.job_id) == job
    assert job.payload == {"format": "pdf", "quality": 0.8}


def test_ids_are_uuid4_and_ttl_is_optional(store):
    import uuid

    job = store.create_job("u", "t", ttl=None)
    assert uuid.UUID(job.job_id).version == 4
    assert job.ttl is None
    assert store.create_job("u", "t", ttl=timedelta(hours=1)).ttl == int(store.now()) + 3600


def test_create_never_overwrites(store):
    first = store.create_job("u1", "convert", job_id="job-1")
    with pytest.raises(JobExists, match="job-1"):
        store.create_job("u2", "compress", job_id="job-1")
    assert store.get_job("job-1") == first


@pytest.mark.parametrize("bad", [dict(user_id=""), dict(job_type=""), dict(user_id=None)])
def test_create_rejects_empty_fields(store, bad):
    args = {"user_id": "u", "job_type": "t", **bad}
    with pytest.raises(ValueError):
        store.create_job(**args)


def test_whole_life(store, clock):
    job = store.create_job("u", "convert")
    clock.advance(1)
    started = store.update_status(job.job_id, PROCESSING, worker_id="w1")
    assert (started.status, started.worker_id, started.attempts) == (PROCESSING, "w1", 1)
    assert started.started_at == started.updated_at == "2026-11-25T09:46:41.000Z"
    assert started.lease_expires_at == "2026-11-25T09:51:41.000Z"
    clock.advance(2)
    done = store.complete(job.job_id, {"pages": 3}, worker_id="w1", output_file="out.pdf")
    assert (done.status, done.result, done.output_file) == (COMPLETED, {"pages": 3}, "out.pdf")
    assert done.finished_at == "2026-11-25T09:46:43.000Z" and done.lease_expires_at is None
    assert done.created_at == job.created_at
    assert store.get_job(job.job_id) == done


def test_failed_jobs_retry_with_counters(store):
    job = store.create_job("u", "convert")
    store.update_status(job.job_id, PROCESSING, worker_id="w1")
    failed = store.fail(job.job_id, "disk full", worker_id="w1")
    assert (failed.status, failed.error, failed.finished_at is not None) == (FAILED, "disk full", True)
    again = store.retry(job.job_id)
    assert (again.status, again.retries, again.attempts, again.worker_id, again.finished_at) == (PENDING, 1, 1, None, None)
    second = store.update_status(job.job_id, PROCESSING, worker_id="w2")
    assert (second.attempts, second.retries) == (2, 1)


@pytest.mark.parametrize("path, target, current", [
    ([], COMPLETED, PENDING),
    ([], FAILED, PENDING),
    ([], PENDING, PENDING),
    ([PROCESSING], PROCESSING, PROCESSING),
    ([PROCESSING], PENDING, PROCESSING),
    ([PROCESSING, COMPLETED], FAILED, COMPLETED),
    ([PROCESSING, COMPLETED], CANCELLED, COMPLETED),
    ([PROCESSING, COMPLETED], PENDING, COMPLETED),
    ([CANCELLED], PROCESSING, CANCELLED),
    ([PROCESSING, FAILED], COMPLETED, FAILED),
])
def test_illegal_transitions_name_the_current_status(store, path, target, current):
    job = store.create_job("u", "t")
    for status in path:
        store.update_status(job.job_id, status, worker_id="w1")
    before = store.get_job(job.job_id)
    with pytest.raises(InvalidTransition) as caught:
        store.update_status(job.job_id, target, worker_id="w1")
    assert (caught.value.current, caught.value.requested) == (current, target)
    assert f"is {current}; cannot move it to {target}" in str(caught.value)
    assert store.get_job(job.job_id) == before  # nothing written


@pytest.mark.parametrize("start", [[], [PROCESSING]])
def test_cancel_from_pending_or_processing(store, start):
    job = store.create_job("u", "t")
    for status in start:
        store.update_status(job.job_id, status, worker_id="w1")
    assert store.cancel(job.job_id).status == CANCELLED


def test_unknown_status_is_rejected(store):
    job = store.create_job("u", "t")
    with pytest.raises(ValueError, match="unknown status 'done'"):
        store.update_status(job.job_id, "done")


def test_missing_job_raises_and_is_not_created(store, client, jobs_table):
    # The seed's update_job_status() would have upserted a half job here.
    for move in (lambda: store.update_status("ghost", PROCESSING, worker_id="w"), lambda: store.complete("ghost"),
                 lambda: store.cancel("ghost"), lambda: store.retry("ghost"), lambda: store.get_job("ghost")):
        with pytest.raises(JobNotFound, match="job 'ghost' not found"):
            move()
    assert "Item" not in client.get_item(TableName=jobs_table, Key={"jobId": {"S": "ghost"}})


def test_only_the_lease_holder_may_finish(store):
    job = store.create_job("u", "t")
    store.update_status(job.job_id, PROCESSING, worker_id="w1")
    with pytest.raises(LeaseLost) as caught:
        store.complete(job.job_id, worker_id="w2")
    assert (caught.value.holder, caught.value.status) == ("w1", PROCESSING)
    with pytest.raises(LeaseLost):
        store.fail(job.job_id, "boom", worker_id="w2")
    assert store.complete(job.job_id, worker_id="w1").status == COMPLETED


def test_condition_failure_returns_the_old_item(store, client, jobs_table, endpoint):
    """ReturnValuesOnConditionCheckFailure=ALL_OLD is how update_status explains a refusal
    without a second read; check the endpoint really sends it."""
    job = store.create_job("u", "t")
    with pytest.raises(client.exceptions.ConditionalCheckFailedException) as caught:
        client.update_item(TableName=jobs_table, Key={"jobId": {"S": job.job_id}},
                           UpdateExpression="SET #s = :new", ConditionExpression="#s = :old",
                           ExpressionAttributeNames={"#s": "status"},
                           ExpressionAttributeValues={":new": {"S": "x"}, ":old": {"S": "processing"}},
                           ReturnValuesOnConditionCheckFailure="ALL_OLD")
    assert caught.value.response["Item"]["status"] == {"S": "pending"}


def test_status_is_a_reserved_word_the_api_escapes(client, jobs_table, store, endpoint, request):
    """The seed's query pattern `status = :status` is rejected by DynamoDB; we use #status."""
    moto_is_wrong(request, endpoint, "accepts reserved words such as `status` unescaped in KeyConditionExpression")
    store.create_job("u", "t")
    with pytest.raises(client.exceptions.ClientError, match="reserved keyword"):
        client.query(TableName=jobs_table, IndexName="StatusIndex", KeyConditionExpression="status = :status",
                     ExpressionAttributeValues={":status": {"S": "pending"}})
    assert store.list_jobs(status=PENDING).jobs


class WithoutOldItems:
    """A client for an endpoint that ignores ReturnValuesOnConditionCheckFailure."""

    def __init__(self, client):
        self._client = client

    def __getattr__(self, name):
        method = getattr(self._client, name)

        def call(**params):
            try:
                return method(**params)
            except ClientError as exc:
                exc.response.pop("Item", None)
                raise

        return call


def test_refusals_are_explained_without_the_old_item(client, jobs_table, clock):
    store = JobStore(WithoutOldItems(client), jobs_table, clock=clock)
    job = store.create_job("u", "t")
    with pytest.raises(InvalidTransition) as caught:
        store.complete(job.job_id)
    assert caught.value.current == PENDING
    store.claim_next("w1")
    with pytest.raises(LeaseLost, match="held by worker 'w1'"):
        store.heartbeat(job.job_id, "w2")
    with pytest.raises(JobNotFound):
        store.cancel("ghost")
