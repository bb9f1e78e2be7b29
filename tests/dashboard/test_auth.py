"""Under `--auth sigv4` the dashboard asks for keys and signs every call with them, so the
user's IAM policies decide what it shows and does; without auth it stays on loopback."""
from __future__ import annotations

from typing import Any, Iterator

import pytest

from jobtable import inprocess
from jobtable.engine.engine import Engine
from jobtable.jobs import JobStore
from jobtable.security.credentials import CredentialStore
from jobtable.security.wiring import build_guard, install_security
from jobtable.server.app import create_app

from tests.dashboard.helpers import LOCAL, TestClient, csrf_of
from tests.dashboard.seeding import JOB_TABLE, create_job_table

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
READ_ONLY = "arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess"


class Secured:
    """An engine guarded as `jobtable serve --auth sigv4` guards it (real clock: SigV4 dates)."""

    def __init__(self, data_dir: str) -> None:
        store = CredentialStore.open(data_dir)
        self.admin = store.add_user("admin")
        store.attach_user_policy("admin", ADMIN)
        self.reader = store.add_user("reader")
        store.attach_user_policy("reader", READ_ONLY)
        self.nobody = store.add_user("nobody")  # valid keys, no policy
        self.engine = Engine(None)
        install_security(self.engine, build_guard("sigv4", data_dir, engine=self.engine, clock=self.engine.clock,
                                                  region="us-east-1"))
        ddb = inprocess.client(engine=self.engine, aws_access_key_id=self.admin.access_key_id,
                               aws_secret_access_key=self.admin.secret_access_key)
        create_job_table(ddb)
        self.engine.run_background_until_idle()
        self.store = JobStore(ddb, JOB_TABLE)
        job = self.store.create_job("alice", "convert")
        self.store.update_status(job.job_id, "processing", worker_id="w")
        self.failed = self.store.fail(job.job_id, "boom", worker_id="w").job_id


@pytest.fixture
def secured(tmp_path) -> Iterator[Secured]:
    made = Secured(str(tmp_path))
    yield made
    made.engine.close()


@pytest.fixture
def browser(secured: Secured) -> TestClient:
    return TestClient(create_app(secured.engine), base_url=LOCAL)


def sign_in(browser: TestClient, key: Any, next_page: str = "/ui/jobs") -> Any:
    return browser.post("/ui/login", data={"access_key_id": key.access_key_id,
                                           "secret_access_key": key.secret_access_key, "next": next_page},
                        follow_redirects=False)


def test_anonymous_visitors_are_sent_to_the_login_page(browser):
    answer = browser.get("/ui/jobs?status=failed", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/ui/login?next=%2Fui%2Fjobs%3Fstatus%3Dfailed"
    for path in ("/ui/tables", "/ui/operations", f"/ui/tables/{JOB_TABLE}/items", "/ui/fragments/job-rows"):
        assert browser.get(path, follow_redirects=False).status_code == 303
    assert browser.post("/ui/jobs/x/retry", data={}, follow_redirects=False).status_code == 303
    assert browser.get("/ui/static/dashboard.css").status_code == 200


def test_wrong_keys_are_refused(browser, secured):
    wrong = browser.post("/ui/login", data={"access_key_id": secured.admin.access_key_id,
                                            "secret_access_key": "not-the-secret"})
    assert wrong.status_code == 401 and "The access key ID or secret access key is not valid." in wrong.text
    unknown = browser.post("/ui/login", data={"access_key_id": "AKIANOBODY", "secret_access_key": "x"})
    assert unknown.status_code == 401
    assert "jobtable_ui" not in browser.cookies


def test_admin_signs_in_and_sees_jobs(browser, secured):
    answer = sign_in(browser, secured.admin, "/ui/jobs?status=failed")
    assert answer.status_code == 303 and answer.headers["location"] == "/ui/jobs?status=failed"
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict") and "Path=/ui" in cookie
    page = browser.get("/ui/jobs?status=failed")
    assert page.status_code == 200 and secured.failed in page.text
    assert f'<span class="user">{secured.admin.access_key_id}</span>' in page.text


def test_iam_policies_apply_to_dashboard_actions(browser, secured):
    sign_in(browser, secured.reader)
    page = browser.get(f"/ui/jobs/{secured.failed}?table={JOB_TABLE}")
    assert page.status_code == 200 and 'id="retry"' in page.text  # may read...
    refused = browser.post(f"/ui/jobs/{secured.failed}/retry", follow_redirects=False,
                           data={"csrf": csrf_of(page.text), "table": JOB_TABLE})
    assert refused.status_code == 409 and "AccessDeniedException" in refused.text  # ...not write
    assert "dynamodb:UpdateItem" in refused.text
    assert secured.store.get_job(secured.failed).status == "failed"


def test_admin_retry_goes_through(browser, secured):
    sign_in(browser, secured.admin)
    page = browser.get(f"/ui/jobs/{secured.failed}?table={JOB_TABLE}")
    done = browser.post(f"/ui/jobs/{secured.failed}/retry", follow_redirects=False,
                        data={"csrf": csrf_of(page.text), "table": JOB_TABLE})
    assert done.status_code == 303
    assert secured.store.get_job(secured.failed).status == "pending"


def test_keys_without_any_policy_sign_in_but_see_access_denied(browser, secured):
    assert sign_in(browser, secured.nobody).status_code == 303
    html = browser.get("/ui/tables").text
    assert "AccessDeniedException" in html and "dynamodb:ListTables" in html


def test_sign_out_ends_the_session(browser, secured):
    sign_in(browser, secured.admin)
    token = csrf_of(browser.get("/ui/jobs").text)
    out = browser.post("/ui/logout", data={"csrf": token}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/ui/login"
    assert browser.get("/ui/jobs", follow_redirects=False).status_code == 303


def test_forms_need_the_sessions_token(browser, secured):
    sign_in(browser, secured.admin)
    for data in ({"table": JOB_TABLE}, {"table": JOB_TABLE, "csrf": "guessed"}):
        refused = browser.post(f"/ui/jobs/{secured.failed}/retry", data=data, follow_redirects=False)
        assert refused.status_code == 403
    assert secured.store.get_job(secured.failed).status == "failed"


def test_login_only_redirects_to_dashboard_pages(browser, secured):
    for target in ("https://evil.example/", "//evil.example/ui/", "/ui\\..\\x", "/elsewhere"):
        assert sign_in(browser, secured.admin, target).headers["location"] == "/ui/jobs"


def test_sessions_expire_when_idle():
    from jobtable.clock import ManualClock
    from jobtable.dashboard.auth import Sessions
    from jobtable.dashboard.backend import Credentials

    clock = ManualClock(0)
    sessions = Sessions(clock, idle_seconds=60)
    session = sessions.start(Credentials("AKIA1", "s"))
    clock.advance(59)
    assert sessions.find(session.token) is session
    clock.advance(61)
    assert sessions.find(session.token) is None
    assert "s'" not in repr(session.credentials)


# --- servers without authentication ----------------------------------------------------

def test_without_auth_only_loopback_host_names_are_answered(ui):
    assert ui.get("/ui/jobs").status_code == 200
    for host in ("localhost:8000", "[::1]:8000", "127.0.0.2"):
        assert ui.get("/ui/jobs", headers={"host": host}).status_code == 200
    rebound = ui.get("/ui/jobs", headers={"host": "attacker.example"})
    assert rebound.status_code == 403 and "loopback" in rebound.text


def test_cross_origin_posts_are_refused(ui, seeded):
    job_id = seeded.jobs["failed"][0]
    token = csrf_of(ui.get(f"/ui/jobs/{job_id}").text)
    for headers in ({"origin": "http://evil.example"}, {"sec-fetch-site": "cross-site"}):
        refused = ui.post(f"/ui/jobs/{job_id}/retry", data={"csrf": token, "table": JOB_TABLE}, headers=headers,
                          follow_redirects=False)
        assert refused.status_code == 403
    same = ui.post(f"/ui/jobs/{job_id}/retry", data={"csrf": token, "table": JOB_TABLE},
                   headers={"origin": LOCAL}, follow_redirects=False)
    assert same.status_code == 303


def test_no_login_page_without_auth(ui):
    answer = ui.get("/ui/login?next=/ui/tables", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/ui/tables"
