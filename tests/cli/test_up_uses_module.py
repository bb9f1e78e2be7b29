"""`jobtable up` provisions through the module (one provisioning path), as a user sees it."""
import re

from jobtable_cli import run_jobtable
from tests.conftest import ServerProcess

TABLE = "CloudToolsJobs"
LOCAL_MODULE = ("--project-name", "cloud-tools", "--environment", "development", "--resource-suffix", "local",
                "--table-name-override", TABLE)


def start_up(data_dir) -> ServerProcess:
    server = ServerProcess()
    server.args = [*server.args[:3], "up", "--port", str(server.port), "--data-dir", str(data_dir)]
    return server.start()  # `up` provisions before it listens


def test_up_gives_the_table_everything_the_module_promises(tmp_path):
    server = start_up(tmp_path)
    env = {"JOBTABLE_ENDPOINT_URL": server.endpoint, "AWS_ACCESS_KEY_ID": "t", "AWS_SECRET_ACCESS_KEY": "t"}
    try:
        ddb = server.client()
        table = ddb.describe_table(TableName=TABLE)["Table"]
        assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
        assert table["SSEDescription"]["Status"] == "ENABLED"
        assert ddb.describe_time_to_live(TableName=TABLE)["TimeToLiveDescription"] == {
            "TimeToLiveStatus": "ENABLED", "AttributeName": "ttl"}
        pitr = ddb.describe_continuous_backups(TableName=TABLE)["ContinuousBackupsDescription"]
        assert pitr["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
        assert ddb.describe_contributor_insights(TableName=TABLE)["ContributorInsightsStatus"] == "ENABLED"
        tags = {t["Key"]: t["Value"] for t in ddb.list_tags_of_resource(ResourceArn=table["TableArn"])["Tags"]}
        assert tags == {"Project": "cloud-tools", "Environment": "development", "ManagedBy": "jobtable"}
        status = ddb.get_item(TableName=TABLE, Key={"jobId": {"S": "system-status"}})["Item"]
        # the jobs layer's sortable form: fixed width, milliseconds, Z
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", status["createdAt"]["S"])

        # The module sees its own table: nothing to change, and `jobtable health` needs no flags.
        plan = run_jobtable("module", "plan", *LOCAL_MODULE, "-o", "json", env=env).json()
        assert plan == []
        health = run_jobtable("health", "-o", "json", env=env).json()
        assert health["healthy"] and health["table_name"] == TABLE
    finally:
        assert server.stop() == 0

    again = start_up(tmp_path)  # same data: converges, does not re-create
    try:
        assert again.client().describe_table(TableName=TABLE)["Table"]["TableArn"] == table["TableArn"]
        assert run_jobtable("module", "plan", *LOCAL_MODULE, "-o", "json", env={
            **env, "JOBTABLE_ENDPOINT_URL": again.endpoint}).json() == []
    finally:
        again.stop()
    assert b"already present" in again.proc.stderr.read()


def test_health_wants_all_naming_flags_or_none():
    done = run_jobtable("health", "--project-name", "cloud-tools", check=False,
                        env={"JOBTABLE_ENDPOINT_URL": "http://127.0.0.1:9"})
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1
    assert "missing --environment, --resource-suffix" in done.stderr


def test_up_never_takes_anything_away_from_an_existing_table(tmp_path):
    server = start_up(tmp_path)
    try:
        ddb = server.client()
        arn = ddb.describe_table(TableName=TABLE)["Table"]["TableArn"]
        ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "Owner", "Value": "platform-team"}])
        ddb.create_table(TableName="Orders", BillingMode="PAY_PER_REQUEST",
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    finally:
        server.stop()

    again = start_up(tmp_path)  # the user's extra tag would be a "delete" to converge: left alone
    try:
        tags = again.client().list_tags_of_resource(ResourceArn=arn)["Tags"]
        assert {"Key": "Owner", "Value": "platform-team"} in tags
    finally:
        again.stop()
    assert b"left as it is: converging it would - tag Owner" in again.proc.stderr.read()

    orders = ServerProcess()
    orders.args = [*orders.args[:3], "up", "--port", str(orders.port), "--data-dir", str(tmp_path),
                   "--table-name", "Orders"]
    orders.start()
    try:
        table = orders.client().describe_table(TableName="Orders")["Table"]
        assert "GlobalSecondaryIndexes" not in table  # not turned into a job table
    finally:
        orders.stop()
    assert b"Orders left as it is: it is not a job table" in orders.proc.stderr.read()
