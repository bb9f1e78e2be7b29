"""No item data reaches a page as markup: job fields, attribute names, ids, tags, table names."""
from __future__ import annotations

from urllib.parse import quote

from markupsafe import escape

from tests.dashboard.seeding import JOB_TABLE, XSS

ESCAPED = str(escape(XSS))  # what Jinja2 autoescape writes
EVIL_ID = '"><img src=x onerror=alert(1)>'  # no "/" so it stays one path segment


def assert_inert(page: str) -> None:
    assert XSS not in page and EVIL_ID not in page
    assert "<img src=x" not in page and "<script>window" not in page
    assert page.count("<script") == page.count('<script src="/ui/static/dashboard.js"')  # only ours


def test_stored_markup_is_escaped_everywhere(ui, seeded):
    job = seeded.store.create_job(XSS, XSS, {"note": XSS}, metadata={XSS: XSS})
    seeded.store.update_status(job.job_id, "processing", worker_id="w")
    seeded.store.fail(job.job_id, XSS, worker_id="w")
    seeded.store.create_job("mallory", "convert", job_id=EVIL_ID)
    seeded.ddb.put_item(TableName=JOB_TABLE, Item={"jobId": {"S": "odd-names"}, XSS: {"S": XSS},
                                                    "list": {"L": [{"S": XSS}, {"M": {XSS: {"S": XSS}}}]}})
    arn = seeded.ddb.describe_table(TableName=JOB_TABLE)["Table"]["TableArn"]
    seeded.ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "owner", "Value": XSS}])

    pages = {
        "list": ui.get(f"/ui/jobs?user={quote(XSS)}"),
        "list-all": ui.get("/ui/jobs?limit=50"),
        "detail": ui.get(f"/ui/jobs/{job.job_id}?table={JOB_TABLE}"),
        "evil-id": ui.get(f"/ui/jobs/{quote(EVIL_ID, safe='')}?table={JOB_TABLE}"),
        "scan": ui.get(f"/ui/tables/{JOB_TABLE}/items?limit=100"),
        "query": ui.get(f"/ui/tables/{JOB_TABLE}/items?index=UserIndex&pk={quote(XSS)}"),
        "table": ui.get(f"/ui/tables/{JOB_TABLE}"),
        "fragment": ui.get(f"/ui/fragments/job-rows?table={JOB_TABLE}&user={quote(XSS)}"),
    }
    for name, page in pages.items():
        assert page.status_code == 200, name
        assert_inert(page.text)
    # The data is shown — as text.
    assert ESCAPED in pages["detail"].text and ESCAPED in pages["list"].text
    assert ESCAPED in pages["scan"].text and ESCAPED in pages["table"].text
    assert str(escape(EVIL_ID)) in pages["evil-id"].text
    assert 'id="job-status">failed<' in pages["detail"].text


def test_reflected_parameters_are_escaped(ui, seeded):
    for path in (f"/ui/jobs?user={quote(XSS)}", f"/ui/tables/{JOB_TABLE}/items?pk={quote(XSS)}",
                 f"/ui/operations?table={quote(XSS)}", f"/ui/tables/{quote(XSS, safe='')}",
                 f"/ui/tables/{quote(XSS, safe='')}/cost", f"/ui/tables/{JOB_TABLE}/cost?days={quote(XSS)}"):
        assert_inert(ui.get(path).text)


def test_pages_forbid_inline_script(ui, seeded):
    policy = ui.get("/ui/jobs").headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
