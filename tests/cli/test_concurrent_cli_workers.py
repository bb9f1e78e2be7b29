"""Shell workers: eight `jobtable jobs claim` processes at once never take the same job."""
from __future__ import annotations

import json
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest

from jobs_endpoints import BIN
from jobtable.jobs import JobStore

JOBS = 12
WORKERS = 8


@pytest.mark.slow
@pytest.mark.parametrize("endpoint", ["jobtable"], indirect=True)
def test_eight_cli_workers_claim_each_job_once(endpoint, jobs_table):
    store = JobStore(endpoint.client(), jobs_table)
    created = {store.create_job("u", "convert").job_id for _ in range(JOBS)}
    env = {**os.environ, "JOBTABLE_ENDPOINT_URL": endpoint.url, "JOBTABLE_TABLE": jobs_table,
           "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}

    def work(worker: str) -> list[str]:
        """Claim and complete until the queue is empty, as a shell loop would."""
        done = []
        while True:
            claim = subprocess.run([str(BIN / "jobtable"), "jobs", "claim", "-w", worker, "-o", "json"],
                                   capture_output=True, text=True, env=env, timeout=120)
            assert claim.returncode == 0, claim.stderr
            if not claim.stdout.strip().startswith("{"):
                return done  # "No pending job."
            job_id = json.loads(claim.stdout)["jobId"]
            finish = subprocess.run([str(BIN / "jobtable"), "jobs", "complete", job_id, "-w", worker],
                                    capture_output=True, text=True, env=env, timeout=120)
            assert finish.returncode == 0, finish.stderr
            done.append(job_id)

    with ThreadPoolExecutor(WORKERS) as pool:
        results = list(pool.map(work, [f"w{n}" for n in range(WORKERS)]))
    claimed = [job for jobs in results for job in jobs]
    assert sorted(claimed) == sorted(created)  # every job once, none twice
    assert store.count_by_status()["completed"] == JOBS
