"""Which IAM actions, resources and condition keys each operation is checked against."""
from __future__ import annotations

from jobtable.security.actions import Scope, access_denied_message, access_requests

SCHEMAS = {("Jobs", None): ("jobId", None), ("Jobs", "UserIndex"): ("userId", "createdAt"),
           ("Jobs", "StatusIndex"): ("status", "createdAt"), ("Other", None): ("pk", "sk")}
SCOPE = Scope("us-east-1", "000000000000", lambda t, i: SCHEMAS.get((t, i)))
JOBS = "arn:aws:dynamodb:us-east-1:000000000000:table/Jobs"
OTHER = "arn:aws:dynamodb:us-east-1:000000000000:table/Other"


def checks(operation, body, service="dynamodb"):
    return [(c.action, c.resource, dict(c.context)) for c in access_requests(service, operation, body, SCOPE, "alice")]


def test_item_operations_check_the_table_with_leading_keys_and_attributes():
    [(action, resource, ctx)] = checks("GetItem", {
        "TableName": "Jobs", "Key": {"jobId": {"S": "j1"}},
        "ProjectionExpression": "#s, createdAt.x", "ExpressionAttributeNames": {"#s": "status"}})
    assert (action, resource) == ("dynamodb:GetItem", JOBS)
    assert ctx["dynamodb:LeadingKeys"] == ["j1"]
    assert sorted(ctx["dynamodb:Attributes"]) == ["createdAt", "status"]

    [(action, _, ctx)] = checks("PutItem", {"TableName": "Jobs", "ReturnValues": "ALL_OLD",
                                            "Item": {"jobId": {"S": "j2"}, "status": {"S": "pending"}}})
    assert action == "dynamodb:PutItem"
    assert ctx == {"dynamodb:LeadingKeys": ["j2"], "dynamodb:Attributes": ["jobId", "status"],
                   "dynamodb:ReturnValues": "ALL_OLD"}

    [(action, _, ctx)] = checks("UpdateItem", {
        "TableName": "Jobs", "Key": {"jobId": {"S": "j3"}},
        "UpdateExpression": "SET #s = :s, updatedAt = :t REMOVE metadata.tmp",
        "ExpressionAttributeNames": {"#s": "status"},
        "ExpressionAttributeValues": {":s": {"S": "done"}, ":t": {"S": "now"}}})
    assert action == "dynamodb:UpdateItem"
    assert ctx["dynamodb:Attributes"] == ["jobId", "metadata", "status", "updatedAt"]


def test_query_on_an_index_checks_the_index_arn_and_its_partition_key():
    [(action, resource, ctx)] = checks("Query", {
        "TableName": "Jobs", "IndexName": "UserIndex", "Select": "ALL_PROJECTED_ATTRIBUTES",
        "KeyConditionExpression": "userId = :u AND createdAt > :t",
        "ExpressionAttributeValues": {":u": {"S": "alice"}, ":t": {"S": "2026"}}})
    assert (action, resource) == ("dynamodb:Query", JOBS + "/index/UserIndex")
    assert ctx["dynamodb:LeadingKeys"] == ["alice"]
    assert ctx["dynamodb:Select"] == "ALL_PROJECTED_ATTRIBUTES"
    legacy = checks("Query", {"TableName": "Jobs", "IndexName": "StatusIndex", "KeyConditions": {
        "status": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "failed"}]}}})
    assert legacy[0][2]["dynamodb:LeadingKeys"] == ["failed"]


def test_scan_has_no_leading_keys_and_unparsable_expressions_add_nothing():
    [(action, resource, ctx)] = checks("Scan", {"TableName": "Jobs", "IndexName": "StatusIndex"})
    assert (action, resource, ctx) == ("dynamodb:Scan", JOBS + "/index/StatusIndex", {})
    [(_, _, ctx)] = checks("Query", {"TableName": "Jobs", "KeyConditionExpression": "jobId = = :x"})
    assert "dynamodb:LeadingKeys" not in ctx


def test_batch_operations_are_checked_per_table():
    result = checks("BatchWriteItem", {"RequestItems": {
        "Jobs": [{"PutRequest": {"Item": {"jobId": {"S": "a"}, "x": {"N": "1"}}}},
                 {"DeleteRequest": {"Key": {"jobId": {"S": "b"}}}}],
        "Other": [{"DeleteRequest": {"Key": {"pk": {"S": "p"}, "sk": {"S": "s"}}}}]}})
    assert [(a, r) for a, r, _ in result] == [("dynamodb:BatchWriteItem", JOBS), ("dynamodb:BatchWriteItem", OTHER)]
    assert result[0][2]["dynamodb:LeadingKeys"] == ["a", "b"]
    gets = checks("BatchGetItem", {"RequestItems": {"Jobs": {"Keys": [{"jobId": {"S": "a"}}]}}})
    assert gets == [("dynamodb:BatchGetItem", JOBS, {"dynamodb:LeadingKeys": ["a"]})]


def test_transactions_are_checked_per_action():
    result = checks("TransactWriteItems", {"TransactItems": [
        {"ConditionCheck": {"TableName": "Jobs", "Key": {"jobId": {"S": "a"}}, "ConditionExpression": "x"}},
        {"Put": {"TableName": "Other", "Item": {"pk": {"S": "p"}, "sk": {"S": "s"}}}},
        {"Update": {"TableName": "Jobs", "Key": {"jobId": {"S": "b"}}, "UpdateExpression": "SET y = :y",
                    "ExpressionAttributeValues": {":y": {"N": "1"}}}},
        {"Delete": {"TableName": "Jobs", "Key": {"jobId": {"S": "c"}}}}]})
    assert [(a, r) for a, r, _ in result] == [
        ("dynamodb:ConditionCheckItem", JOBS), ("dynamodb:PutItem", OTHER),
        ("dynamodb:UpdateItem", JOBS), ("dynamodb:DeleteItem", JOBS)]
    gets = checks("TransactGetItems", {"TransactItems": [{"Get": {"TableName": "Jobs", "Key": {"jobId": {"S": "a"}}}}]})
    assert [(a, r) for a, r, _ in gets] == [("dynamodb:GetItem", JOBS)]


def test_table_backup_stream_and_account_level_resources():
    assert checks("DeleteTable", {"TableName": "Jobs"}) == [("dynamodb:DeleteTable", JOBS, {})]
    assert checks("DescribeTable", {"TableName": JOBS}) == [("dynamodb:DescribeTable", JOBS, {})]
    assert checks("ListTables", {}) == [("dynamodb:ListTables", "*", {})]
    backup = JOBS + "/backup/01700000000000-abcdef12"
    assert checks("DescribeBackup", {"BackupArn": backup}) == [("dynamodb:DescribeBackup", backup, {})]
    assert [r for _, r, _ in checks("RestoreTableFromBackup", {"BackupArn": backup, "TargetTableName": "Other"})] \
        == [backup, OTHER]
    stream = JOBS + "/stream/2026-01-01T00:00:00.000"
    assert checks("GetShardIterator", {"StreamArn": stream}, service="dynamodb") == \
        [("dynamodb:GetShardIterator", stream, {})]
    assert checks("GetRecords", {"ShardIterator": "opaque"})[0][1] == "*"
    with_streams = Scope("us-east-1", "000000000000", stream_of_iterator=lambda it: stream)
    assert access_requests("dynamodb", "GetRecords", {"ShardIterator": "x"}, with_streams)[0].resource == stream
    assert checks("UpdateContributorInsights", {"TableName": "Jobs", "IndexName": "StatusIndex"})[0][1] \
        == JOBS + "/index/StatusIndex"


def test_partiql_statements_map_to_partiql_actions():
    result = checks("BatchExecuteStatement", {"Statements": [
        {"Statement": 'SELECT * FROM "Jobs"."UserIndex" WHERE userId = ?'},
        {"Statement": "INSERT INTO Jobs VALUE {'jobId': 'x'}"},
        {"Statement": "UPDATE \"Jobs\" SET a = 1 WHERE jobId = 'x'"},
        {"Statement": "DELETE FROM Other WHERE pk = 'p' AND sk = 's'"}]})
    assert [(a, r) for a, r, _ in result] == [
        ("dynamodb:PartiQLSelect", JOBS + "/index/UserIndex"), ("dynamodb:PartiQLInsert", JOBS),
        ("dynamodb:PartiQLUpdate", JOBS), ("dynamodb:PartiQLDelete", OTHER)]


def test_other_services():
    assert checks("GetCallerIdentity", {}, service="sts") == []
    assert checks("CreatePolicy", {"PolicyName": "jobs", "Path": "/app/"}, service="iam") == \
        [("iam:CreatePolicy", "arn:aws:iam::000000000000:policy/app/jobs", {})]
    assert checks("GetUser", {}, service="iam") == [("iam:GetUser", "arn:aws:iam::000000000000:user/alice", {})]
    assert checks("PutMetricAlarm", {"AlarmName": "hot"}, service="monitoring") == \
        [("cloudwatch:PutMetricAlarm", "arn:aws:cloudwatch:us-east-1:000000000000:alarm:hot", {})]
    assert checks("GetMetricData", {}, service="monitoring") == [("cloudwatch:GetMetricData", "*", {})]


def test_access_denied_messages_follow_iam_wording():
    user = "arn:aws:iam::000000000000:user/alice"
    assert access_denied_message(user, "dynamodb:DeleteTable", JOBS, explicit=False) == (
        "User: arn:aws:iam::000000000000:user/alice is not authorized to perform: dynamodb:DeleteTable "
        "on resource: arn:aws:dynamodb:us-east-1:000000000000:table/Jobs because no identity-based policy "
        "allows the dynamodb:DeleteTable action")
    assert access_denied_message(user, "dynamodb:GetItem", JOBS, explicit=True).endswith(
        "on resource: arn:aws:dynamodb:us-east-1:000000000000:table/Jobs with an explicit deny in an "
        "identity-based policy")
