"""The live-refresh fragment picks the same default job table as the Jobs page."""
from __future__ import annotations

import re


def test_job_rows_without_a_table_lists_the_default_job_table(ui, seeded):
    html = ui.get("/ui/fragments/job-rows?status=failed").text
    assert "ParamValidationError" not in html
    assert sorted(re.findall(r'<tr data-job-id="([^"]+)">', html)) == sorted(seeded.jobs["failed"])
