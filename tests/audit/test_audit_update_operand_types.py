"""ADD/DELETE with a value of the wrong type: DynamoDB names the allowed type set too."""
from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError


@pytest.mark.parametrize("action, value, shown", [
    ("ADD", {"L": [{"S": "x"}]}, "LIST"), ("ADD", {"S": "x"}, "STRING"), ("DELETE", {"N": "1"}, "NUMBER")])
def test_add_delete_operand_type_message(ddb: Any, job_table: str, action: str, value: dict, shown: str) -> None:
    with pytest.raises(ClientError) as info:
        ddb.update_item(TableName=job_table, Key={"jobId": {"S": "j1"}}, UpdateExpression=f"{action} tags :v",
                        ExpressionAttributeValues={":v": value})
    assert info.value.response["Error"]["Message"] == (
        "Invalid UpdateExpression: Incorrect operand type for operator or function; "
        f"operator: {action}, operand type: {shown}, typeSet: ALLOWED_FOR_{action}_OPERAND")
