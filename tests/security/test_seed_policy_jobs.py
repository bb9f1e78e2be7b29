"""The module's least-privilege policy (the seed's) is enough for the whole jobs API, and no more.

Black-box: a `jobtable serve --auth sigv4` subprocess; the worker's only policy is
`jobtable.module.iam_policy_document(table_arn)`.
"""
from __future__ import annotations

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from tests.conftest import ServerProcess

from jobtable.jobs import JobStore
from jobtable.module import JOB_ACTIONS, iam_policy_document
from jobtable.security.credentials import CredentialStore
from jobtable.server.provision import job_table_definition

TABLE = "CloudToolsJobs"
ARN = f"arn:aws:dynamodb:us-east-1:000000000000:table/{TABLE}"
SEED_ACTIONS = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
                "dynamodb:Query", "dynamodb:Scan"]


def client_for(server: ServerProcess, key) -> object:
    return boto3.client("dynamodb", endpoint_url=server.endpoint, region_name="us-east-1",
                        aws_access_key_id=key.access_key_id, aws_secret_access_key=key.secret_access_key,
                        config=Config(retries={"mode": "standard", "max_attempts": 1}))


@pytest.fixture(scope="module")
def worker_and_admin(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("seed-policy")
    store = CredentialStore.open(data_dir)
    admin = store.add_user("admin")
    store.attach_user_policy("admin", "arn:aws:iam::aws:policy/AdministratorAccess")
    worker = store.add_user("worker")
    store.put_user_policy("worker", "jobs", iam_policy_document(ARN))
    server = ServerProcess("--auth", "sigv4", data_dir=str(data_dir)).start()
    client_for(server, admin).create_table(**job_table_definition(TABLE))
    client_for(server, admin).create_table(**job_table_definition("Other"))
    yield client_for(server, worker), client_for(server, admin)
    server.stop()


def test_the_module_policy_is_the_seeds():
    statement = iam_policy_document(ARN)["Statement"]
    assert len(statement) == 1 and statement[0]["Effect"] == "Allow"
    assert sorted(statement[0]["Action"]) == sorted(SEED_ACTIONS) == sorted(JOB_ACTIONS)
    assert statement[0]["Resource"] == [ARN, f"{ARN}/index/*"]


def test_the_whole_jobs_api_runs_on_the_seed_policy(worker_and_admin):
    worker, _ = worker_and_admin
    jobs = JobStore(worker, TABLE)
    first = jobs.create_job("user123", "convert", {"in": "a.docx"})
    second = jobs.create_job("user123", "convert")
    assert jobs.get_job(first.job_id).status == "pending"
    claimed = jobs.claim_next("w1", job_type="convert")
    assert claimed is not None and claimed.job_id == first.job_id
    jobs.heartbeat(first.job_id, "w1")
    jobs.fail(first.job_id, "boom", worker_id="w1")
    jobs.retry(first.job_id)
    again = jobs.claim_next("w2")
    jobs.complete(again.job_id, {"pages": 2}, worker_id="w2")
    jobs.cancel(second.job_id if again.job_id == first.job_id else first.job_id)
    assert jobs.requeue_expired() == 0
    by_user = jobs.list_jobs(user_id="user123", since="2000-01-01", limit=1)
    assert len(by_user.jobs) == 1 and by_user.cursor
    assert len(jobs.list_jobs(user_id="user123", since="2000-01-01", limit=1, cursor=by_user.cursor).jobs) == 1
    assert len(jobs.list_jobs(status="completed").jobs) == 1
    counts = jobs.count_by_status()
    assert (counts["completed"], counts["cancelled"]) == (1, 1)


def test_nothing_beyond_the_job_table(worker_and_admin):
    worker, admin = worker_and_admin
    for call, kwargs in ((worker.delete_table, {"TableName": TABLE}), (worker.describe_table, {"TableName": TABLE}),
                         (worker.list_tables, {}), (worker.create_backup, {"TableName": TABLE, "BackupName": "nightly"}),
                         (worker.put_item, {"TableName": "Other", "Item": {"jobId": {"S": "x"}}}),
                         (worker.batch_write_item, {"RequestItems": {TABLE: [
                             {"PutRequest": {"Item": {"jobId": {"S": "x"}}}}]}})):
        with pytest.raises(ClientError) as caught:
            call(**kwargs)
        assert caught.value.response["Error"]["Code"] == "AccessDeniedException", call
    with pytest.raises(ClientError):
        JobStore(worker, "Other").create_job("u", "t")
    assert TABLE in admin.list_tables()["TableNames"]
