"""Tags through boto3: CreateTable tags, TagResource/UntagResource/ListTagsOfResource."""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.conftest import job_table_spec


def test_create_table_tags_round_trip(ddb, table_name):
    arn = ddb.create_table(**job_table_spec(table_name, Tags=[{"Key": "Project", "Value": "cloud-tools"}]))[
        "TableDescription"]["TableArn"]
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == [{"Key": "Project", "Value": "cloud-tools"}]
    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "Owner", "Value": "platform"}, {"Key": "Project", "Value": "x"}])
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == [{"Key": "Owner", "Value": "platform"},
                                                                  {"Key": "Project", "Value": "x"}]
    ddb.untag_resource(ResourceArn=arn, TagKeys=["Owner"])
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == [{"Key": "Project", "Value": "x"}]


def test_tag_limit_and_unknown_resource(ddb, job_table):
    arn = ddb.describe_table(TableName=job_table)["Table"]["TableArn"]
    with pytest.raises(ClientError) as exc:
        ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(51)])
    assert exc.value.response["Error"]["Code"] == "LimitExceededException"
    with pytest.raises(ClientError) as exc:
        ddb.list_tags_of_resource(ResourceArn=arn + "x")
    assert exc.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_tags_removed_with_table(ddb, table_name):
    arn = ddb.create_table(**job_table_spec(table_name, Tags=[{"Key": "a", "Value": "b"}]))["TableDescription"]["TableArn"]
    ddb.delete_table(TableName=table_name)
    ddb.create_table(**job_table_spec(table_name))
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == []
