"""The Tables pages: list, description (keys, GSIs, backfill, TTL, PITR, stream, billing, tags)
and the item browser (Query/Scan on the table or an index, paging)."""
from __future__ import annotations

import re

from tests.dashboard.helpers import supported
from tests.dashboard.seeding import JOB_TABLE


def rows_of(html: str) -> int:
    body = html.split('<table class="grid items">', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return body.count("<tr>") - body.count('class="muted">No items.')


def test_tables_list(ui, seeded):
    html = ui.get("/ui/tables").text
    assert f'href="/ui/tables/{JOB_TABLE}"' in html
    assert '<td class="num">24</td>' in html and "PAY_PER_REQUEST" in html and "StatusIndex, UserIndex" in html


def test_table_description(ui, seeded):
    page = ui.get(f"/ui/tables/{JOB_TABLE}")
    html = page.text
    assert page.status_code == 200
    assert "jobId (S)" in html and "<dd class=\"mono\">none</dd>" in html  # no sort key
    assert re.search(r'StatusIndex</td>\s*<td>global</td>\s*<td class="mono">status / createdAt</td>', html)
    assert html.count('<span class="status active">ACTIVE</span>') == 3  # table + 2 GSIs
    assert "NEW_AND_OLD_IMAGES" in html and "PAY_PER_REQUEST" in html
    assert "<dt>Project</dt><dd>cloud-tools</dd>" in html


def test_table_description_shows_ttl_and_pitr_or_says_unavailable(ui, seeded):
    ddb = seeded.ddb
    html = ui.get(f"/ui/tables/{JOB_TABLE}").text
    if supported(ddb.describe_time_to_live, TableName=JOB_TABLE):
        ddb.update_time_to_live(TableName=JOB_TABLE, TimeToLiveSpecification={"Enabled": True, "AttributeName": "ttl"})
        html = ui.get(f"/ui/tables/{JOB_TABLE}").text
        assert re.search(r"<dt>Status</dt><dd>ENABL(ED|ING)</dd>\s*<dt>Attribute</dt><dd class=\"mono\">ttl</dd>", html)
    else:
        assert "Time to live: not available on this server." in html
    if supported(ddb.describe_continuous_backups, TableName=JOB_TABLE):
        ddb.update_continuous_backups(TableName=JOB_TABLE,
                                      PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
        html = ui.get(f"/ui/tables/{JOB_TABLE}").text
        assert "<dt>Status</dt><dd>ENABLED</dd>" in html and "<dt>Window</dt>" in html
    else:
        assert "Point-in-time recovery: not available on this server." in html


def test_new_gsi_shows_creating_and_backfill_until_the_background_work_runs(ui, seeded):
    seeded.ddb.update_table(TableName=JOB_TABLE, AttributeDefinitions=[{"AttributeName": "jobType", "AttributeType": "S"}],
                            GlobalSecondaryIndexUpdates=[{"Create": {
                                "IndexName": "TypeIndex", "Projection": {"ProjectionType": "KEYS_ONLY"},
                                "KeySchema": [{"AttributeName": "jobType", "KeyType": "HASH"}]}}])
    during = ui.get(f"/ui/tables/{JOB_TABLE}").text
    row = during.split("TypeIndex</td>", 1)[1].split("</tr>", 1)[0]
    assert "CREATING" in row and ("≈" in row or "backfilling" in row)
    seeded.advance(10)
    after = ui.get(f"/ui/tables/{JOB_TABLE}").text.split("TypeIndex</td>", 1)[1].split("</tr>", 1)[0]
    assert "ACTIVE" in after and "—" in after


def test_missing_table_is_a_404_with_dynamodbs_message(ui):
    page = ui.get("/ui/tables/NoSuchTable")
    assert page.status_code == 404
    assert "ResourceNotFoundException" in page.text and "NoSuchTable" in page.text


def test_item_browser_scans_in_pages(ui, seeded):
    html = ui.get(f"/ui/tables/{JOB_TABLE}/items?limit=10").text
    assert "Scan on table: 10 item(s)" in html and rows_of(html) == 10
    next_link = re.search(r'<a rel="next" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    second = ui.get(f"/ui/tables/{JOB_TABLE}/items{next_link}").text
    assert rows_of(second) == 10 and "First page" in second


def test_item_browser_queries_an_index_by_key(ui, seeded):
    html = ui.get(f"/ui/tables/{JOB_TABLE}/items?index=StatusIndex&pk=failed").text
    assert "Query on StatusIndex: 5 item(s)" in html and rows_of(html) == 5
    for job_id in seeded.jobs["failed"]:
        assert job_id in html
    columns = re.findall(r'<th class="mono">([^<]+)</th>', html)
    assert columns[:2] == ["status", "createdAt"]  # the index's keys first (status is a reserved word)


def test_item_browser_sort_key_conditions(ui, seeded):
    created = sorted(seeded.store.get_job(j).created_at for j in seeded.jobs["pending"])
    base = f"/ui/tables/{JOB_TABLE}/items?index=StatusIndex&pk=pending"
    assert rows_of(ui.get(f"{base}&op=>%3D&sk={created[2]}").text) == 3
    assert rows_of(ui.get(f"{base}&op=between&sk={created[1]}&sk2={created[3]}").text) == 3
    assert rows_of(ui.get(f"{base}&op=begins_with&sk=2026-09-21").text) == 5
    newest_first = ui.get(f"{base}&desc=1").text
    shown = re.findall(r'<td class="mono">(2026-09-21T[^<]+)</td>', newest_first)
    assert shown[0] == created[-1]


def test_item_browser_reports_bad_input_in_the_page(ui, seeded):
    no_partition = ui.get(f"/ui/tables/{JOB_TABLE}/items?op=%3D&sk=x").text
    assert "a sort key condition needs a value for the partition key jobId" in no_partition
    no_index = ui.get(f"/ui/tables/{JOB_TABLE}/items?index=Nope").text
    assert "has no index named" in no_index
    damaged = ui.get(f"/ui/tables/{JOB_TABLE}/items?start=%%%").text
    assert "the page token is damaged" in damaged
    no_sort_key = ui.get(f"/ui/tables/{JOB_TABLE}/items?pk=x&op=%3D&sk=y").text
    assert "table has no sort key" in no_sort_key


def test_item_browser_shows_dynamodbs_own_errors(ui, seeded):
    seeded.ddb.create_table(TableName="Numbers", BillingMode="PAY_PER_REQUEST",
                            AttributeDefinitions=[{"AttributeName": "n", "AttributeType": "N"}],
                            KeySchema=[{"AttributeName": "n", "KeyType": "HASH"}])
    seeded.ddb.put_item(TableName="Numbers", Item={"n": {"N": "42"}, "blob": {"B": b"\x00\x01"}})
    html = ui.get("/ui/tables/Numbers/items?pk=not-a-number").text
    assert "ValidationException" in html
    found = ui.get("/ui/tables/Numbers/items?pk=42").text
    assert rows_of(found) == 1 and "b64:AAE=" in found
