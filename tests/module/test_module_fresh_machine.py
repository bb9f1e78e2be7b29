"""The README's module snippet on a machine with no AWS configuration at all."""
from __future__ import annotations

import pytest
from tests.conftest import ServerProcess

from jobtable.module import TableModule


@pytest.fixture
def no_aws_configuration(monkeypatch, tmp_path):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION",
                 "AWS_REGION", "AWS_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def test_a_local_endpoint_needs_no_region_or_credentials(no_aws_configuration):
    server = ServerProcess().start()
    try:
        module = TableModule(project_name="cloud-tools", environment="development", resource_suffix="fresh",
                             endpoint_url=server.endpoint)
        assert module.plan()  # reaches the endpoint: a full plan for a missing table
        assert module.client.meta.region_name == "us-east-1"
    finally:
        server.stop()


def test_aws_itself_keeps_its_own_errors(no_aws_configuration):
    from botocore.exceptions import NoRegionError

    with pytest.raises(NoRegionError):
        TableModule(project_name="cloud-tools", environment="development", resource_suffix="fresh")
