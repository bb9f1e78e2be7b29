"""A retried job starts clean: the failed attempt's error does not stick to its next outcome."""
from jobtable.jobs import CANCELLED, COMPLETED, PENDING, PROCESSING


def test_retry_clears_the_failed_attempts_error(store, client, jobs_table):
    job = store.create_job("u", "convert")
    store.update_status(job.job_id, PROCESSING, worker_id="w1")
    store.fail(job.job_id, "disk full", worker_id="w1")
    again = store.retry(job.job_id)
    assert (again.status, again.error, again.result) == (PENDING, None, None)
    item = client.get_item(TableName=jobs_table, Key={"jobId": {"S": job.job_id}}, ConsistentRead=True)["Item"]
    assert "error" not in item
    store.update_status(job.job_id, PROCESSING, worker_id="w2")
    done = store.complete(job.job_id, {"pages": 3}, worker_id="w2")
    assert (done.status, done.error, done.result, done.retries) == (COMPLETED, None, {"pages": 3}, 1)


def test_cancelling_a_retried_job_reports_no_stale_error(store):
    job = store.create_job("u", "convert")
    store.update_status(job.job_id, PROCESSING, worker_id="w1")
    store.fail(job.job_id, "boom", worker_id="w1")
    store.retry(job.job_id)
    assert (store.cancel(job.job_id).status, store.get_job(job.job_id).error) == (CANCELLED, None)
