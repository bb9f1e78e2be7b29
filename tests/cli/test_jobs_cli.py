"""`jobtable jobs ...` driven as a subprocess against a started server."""
import os

import pytest

from jobtable_cli import run_jobtable
from jobs_endpoints import BIN
from jobtable.clock import ManualClock
from jobtable.jobs import JobStore
from jobtable.module.waits import Waiter, table_and_indexes_active
from tests.conftest import ServerProcess, free_port


def test_a_jobs_whole_life(jobtable):
    job = jobtable("jobs", "create", "--user", "user123", "--type", "convert", "--payload", '{"format": "pdf"}',
                   "--input-file", "in.docx", "-o", "json").json()
    job_id = job["jobId"]
    assert (job["status"], job["userId"], job["payload"]) == ("pending", "user123", {"format": "pdf"})
    assert job_id in jobtable("jobs", "get", job_id).stdout
    listed = jobtable("jobs", "list", "--status", "pending", "-o", "json").json()
    assert [j["jobId"] for j in listed["jobs"]] == [job_id] and listed["cursor"] is None

    claimed = jobtable("jobs", "claim", "--worker", "w1", "-o", "json").json()
    assert (claimed["jobId"], claimed["status"], claimed["workerId"]) == (job_id, "processing", "w1")
    assert jobtable("jobs", "claim", "--worker", "w2").stdout.strip() == "No pending job."
    beat = jobtable("jobs", "heartbeat", job_id, "--worker", "w1", "-o", "json").json()
    assert beat["leaseExpiresAt"] >= claimed["leaseExpiresAt"]

    stolen = jobtable("jobs", "complete", job_id, "--worker", "w2", check=False)
    assert stolen.returncode == 1 and "not held by worker 'w2'" in stolen.stderr
    done = jobtable("jobs", "complete", job_id, "--worker", "w1", "--output-file", "out.pdf",
                    "--result", '{"pages": 3}', "-o", "json").json()
    assert (done["status"], done["outputFile"], done["result"]) == ("completed", "out.pdf", {"pages": 3})
    watched = jobtable("jobs", "watch", job_id)
    assert watched.stdout.split()[-1] == "completed"
    assert jobtable("jobs", "counts", "-o", "json").json()["completed"] == 1


def test_fail_retry_cancel_and_watch(jobtable):
    job_id = jobtable("jobs", "create", "-u", "u", "-t", "compress", "-o", "json").json()["jobId"]
    jobtable("jobs", "claim", "-w", "w1", "-t", "compress")
    failed = jobtable("jobs", "fail", job_id, "--error", "disk full", "-o", "json").json()
    assert (failed["status"], failed["error"]) == ("failed", "disk full")
    watched = jobtable("jobs", "watch", job_id, check=False)
    assert watched.returncode == 1 and watched.stderr.strip() == f"Error: job '{job_id}' failed: disk full"
    retried = jobtable("jobs", "retry", job_id, "-o", "json").json()
    assert (retried["status"], retried["retries"]) == ("pending", 1)
    timed_out = jobtable("jobs", "watch", job_id, "--timeout", "0", check=False)
    assert timed_out.returncode == 1 and "still pending" in timed_out.stderr
    assert jobtable("jobs", "cancel", job_id, "-o", "json").json()["status"] == "cancelled"
    counts = jobtable("jobs", "watch", "--timeout", "0", "-o", "json").stdout
    assert '"cancelled": 1' in counts
    table = jobtable("jobs", "counts").stdout
    assert "cancelled" in table and "total" in table


def test_pages_through_the_cli(jobtable, endpoint, jobs_table):
    clock = ManualClock(start=1_795_600_000.0)
    store = JobStore(endpoint.client(), jobs_table, clock=clock)
    for n in range(120):
        store.create_job("pager" if n % 2 else "other", "convert")
        clock.advance(3600)
    seen, cursor, pages = [], None, 0
    while True:
        args = ["jobs", "list", "--user", "pager", "--limit", "25", "--since", "2026-11-26", "-o", "json"]
        page = jobtable(*args, *(["--cursor", cursor] if cursor else [])).json()
        pages += 1
        seen += [j["createdAt"] for j in page["jobs"]]
        if not (cursor := page["cursor"]):
            break
    # createdAt starts 2026-11-25T09:46:40Z; one job an hour, every other one is pager's.
    expected = sorted((j.created_at for j in store.iter_jobs(user_id="pager") if j.created_at >= "2026-11-26"),
                      reverse=True)
    assert seen == expected and len(seen) == 53 and pages == 3
    everything = jobtable("jobs", "list", "--user", "pager", "--all", "--oldest-first", "-n", "7", "-o", "json").json()
    assert len(everything["jobs"]) == 60 and everything["cursor"] is None
    text = jobtable("jobs", "list", "--status", "pending", "--limit", "3").stdout
    assert "3 job(s). Next page: --cursor " in text


# The messages come from the CLI and the jobs layer, not the endpoint: the jobtable server is enough.
@pytest.mark.parametrize("endpoint", ["jobtable"], indirect=True)
@pytest.mark.parametrize("args, message", [
    (["jobs", "get", "ghost"], "Error: job 'ghost' not found in table '{table}'"),
    (["jobs", "complete", "{pending}"], "Error: job '{pending}' is pending; cannot move it to completed"),
    (["jobs", "retry", "{pending}"], "Error: job '{pending}' is pending; cannot move it to pending"),
    (["jobs", "cancel", "ghost"], "Error: job 'ghost' not found in table '{table}'"),
    (["jobs", "list", "--since", "2026-13-01"], "Error: invalid date '2026-13-01': expected ISO-8601 like "
                                                "2026-11-25 or 2026-11-25T10:00:00Z"),
    (["jobs", "list", "--until", "2026-11-25T10:00:00"], "Error: invalid date '2026-11-25T10:00:00': no timezone"),
    (["jobs", "list", "--status", "done"], "Error: Invalid value for '--status' / '-s': 'done' is not one of"),
    (["jobs", "list", "--cursor", "garbage"], "Error: invalid cursor: not a cursor returned by list_jobs"),
    (["jobs", "create", "-u", "u", "-t", "t", "--payload", "[1,"], "Error: Invalid value for --payload: not valid JSON"),
    (["jobs", "create", "-u", "u"], "Error: Missing option '--type' / '-t'."),
    (["jobs", "get", "x", "--table", "NoSuchTable"], "Error: table 'NoSuchTable' not found at"),
    (["jobs", "get", "x", "--endpoint-url", "http://127.0.0.1:{port}"],
     "Error: cannot reach http://127.0.0.1:{port}: is the server running?"),
    (["tables", "describe", "NoSuchTable"], "Error: table 'NoSuchTable' not found"),
    (["tables", "list", "--endpoint-url", "http://127.0.0.1:{port}"], "Error: Could not connect to the endpoint URL"),
])
def test_bad_input_gives_one_line_and_a_nonzero_exit(jobtable, endpoint, jobs_table, args, message):
    pending = JobStore(endpoint.client(), jobs_table).create_job("u", "t").job_id
    values = {"table": jobs_table, "pending": pending, "port": free_port()}
    result = jobtable(*[a.format(**values) for a in args], check=False)
    assert result.returncode != 0
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stderr.startswith(message.format(**values)), result.stderr


def test_help_has_examples():
    from click.testing import CliRunner

    from jobtable.cli.main import cli

    commands = ["create", "get", "list", "watch", "claim", "heartbeat", "complete", "fail", "retry", "cancel",
                "counts", "requeue-expired"]
    for args in [["jobs"], ["tables"], *(["jobs", c] for c in commands), *(["tables", c] for c in ("list", "describe", "copy"))]:
        text = CliRunner().invoke(cli, [*args, "--help"]).output
        assert "Example" in text and "--help" in text, args
    assert "Examples:" in run_jobtable("jobs", "list", "--help").stdout


def test_shell_completion():
    script = run_jobtable(env={"_JOBTABLE_COMPLETE": "bash_source"}).stdout
    assert "_jobtable_completion" in script and "complete " in script
    words = run_jobtable(env={"_JOBTABLE_COMPLETE": "bash_complete", "COMP_WORDS": "jobtable jobs list --status p",
                              "COMP_CWORD": "4"}).stdout.split()
    assert words == ["plain,pending", "plain,processing"]


def test_against_jobtable_up_with_the_default_table():
    """What a newcomer does: `jobtable up`, then jobs commands with no --table at all."""
    server = ServerProcess()
    server.args = [str(BIN / "jobtable"), "up", "--in-memory", "--port", str(server.port)]
    server.start()
    env = {k: v for k, v in os.environ.items() if k != "JOBTABLE_TABLE"}
    env.update(JOBTABLE_ENDPOINT_URL=server.endpoint, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test")
    try:
        # `up` provisions right after it starts listening.
        Waiter(timeout=30, interval=0.05).until("CloudToolsJobs", table_and_indexes_active(server.client(),
                                                                                           "CloudToolsJobs"))
        run = lambda *args: run_jobtable(*args, env=env, inherit=False)  # noqa: E731
        job_id = run("jobs", "create", "-u", "user123", "-t", "convert", "-o", "json").json()["jobId"]
        assert run("jobs", "claim", "-w", "w1", "-o", "json").json()["jobId"] == job_id
        assert run("jobs", "complete", job_id, "-w", "w1", "-o", "json").json()["status"] == "completed"
        assert run("jobs", "counts", "-o", "json").json()["completed"] == 1  # the system-status item is not a job
        assert "CloudToolsJobs" in run("tables", "list").stdout
    finally:
        server.stop()
