"""CloudWatch in the query protocol (form in, XML out), as the Terraform provider sends it."""
from __future__ import annotations

import datetime as dt
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

from tests.capacity.helpers import item_of_units, provisioned_table

NS = {"cw": "http://monitoring.amazonaws.com/doc/2010-08-01/"}


def iso(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def post_form(backend, params: dict) -> tuple[int, ET.Element]:
    body = urllib.parse.urlencode({"Version": "2010-08-01", **params}).encode()
    headers = {"content-type": "application/x-www-form-urlencoded; charset=utf-8"}
    if backend.name == "http":
        request = urllib.request.Request(backend.endpoint + "/", data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, ET.fromstring(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, ET.fromstring(exc.read())
    from jobtable.server.dispatch import HttpRequest, dispatch

    response = dispatch(backend.engine, HttpRequest("POST", "/", headers=headers, body=body))
    return response.status, ET.fromstring(response.body)


def test_get_metric_statistics_as_a_form_post(ddb, backend, table_name):
    start = backend.advance(0)
    provisioned_table(ddb, table_name, rcu=50, wcu=50)
    for i in range(4):
        ddb.put_item(TableName=table_name, Item=item_of_units(f"k{i}", 3))
    end = backend.advance(60)
    status, root = post_form(backend, {
        "Action": "GetMetricStatistics", "Namespace": "AWS/DynamoDB", "MetricName": "ConsumedWriteCapacityUnits",
        "Dimensions.member.1.Name": "TableName", "Dimensions.member.1.Value": table_name,
        "StartTime": iso(start - 60), "EndTime": iso(end), "Period": "300",
        "Statistics.member.1": "Sum", "Statistics.member.2": "SampleCount"})
    assert status == 200 and root.tag == f"{{{NS['cw']}}}GetMetricStatisticsResponse"
    point = root.find("cw:GetMetricStatisticsResult/cw:Datapoints/cw:member", NS)
    assert float(point.find("cw:Sum", NS).text) == 12.0
    assert float(point.find("cw:SampleCount", NS).text) == 4.0
    assert root.find("cw:ResponseMetadata/cw:RequestId", NS).text


def test_terraform_style_alarm_lifecycle_over_the_query_protocol(backend, table_name):
    name = f"{table_name}-read-throttles"
    status, _ = post_form(backend, {
        "Action": "PutMetricAlarm", "AlarmName": name, "Namespace": "AWS/DynamoDB",
        "MetricName": "ReadThrottleEvents", "Dimensions.member.1.Name": "TableName",
        "Dimensions.member.1.Value": table_name, "Statistic": "Sum", "Period": "300", "EvaluationPeriods": "2",
        "Threshold": "5", "ComparisonOperator": "GreaterThanThreshold", "TreatMissingData": "notBreaching",
        "AlarmActions.member.1": "arn:aws:sns:us-east-1:000000000000:ops", "ActionsEnabled": "true",
        "Tags.member.1.Key": "Project", "Tags.member.1.Value": "cloud-tools"})
    assert status == 200
    backend.advance(0)
    status, root = post_form(backend, {"Action": "DescribeAlarms", "AlarmNames.member.1": name})
    alarm = root.find("cw:DescribeAlarmsResult/cw:MetricAlarms/cw:member", NS)
    assert alarm.find("cw:AlarmName", NS).text == name
    assert alarm.find("cw:StateValue", NS).text == "OK"
    assert float(alarm.find("cw:Threshold", NS).text) == 5.0
    assert alarm.find("cw:AlarmActions/cw:member", NS).text.endswith(":ops")
    assert alarm.find("cw:Dimensions/cw:member/cw:Value", NS).text == table_name
    arn = alarm.find("cw:AlarmArn", NS).text
    status, root = post_form(backend, {"Action": "ListTagsForResource", "ResourceARN": arn})
    assert root.find("cw:ListTagsForResourceResult/cw:Tags/cw:member/cw:Value", NS).text == "cloud-tools"
    assert post_form(backend, {"Action": "DeleteAlarms", "AlarmNames.member.1": name})[0] == 200
    status, root = post_form(backend, {"Action": "DeleteAlarms", "AlarmNames.member.1": name})
    assert status == 404
    assert root.find("cw:Error/cw:Code", NS).text == "ResourceNotFound"


def test_query_protocol_errors(backend):
    status, root = post_form(backend, {"Action": "GetMetricStatistics", "Namespace": "AWS/DynamoDB",
                                       "MetricName": "X", "StartTime": iso(1_790_000_000),
                                       "EndTime": iso(1_790_000_600), "Period": "45",
                                       "Statistics.member.1": "Sum"})
    assert status == 400
    assert root.find("cw:Error/cw:Code", NS).text == "InvalidParameterValue"
    assert root.find("cw:Error/cw:Message", NS).text == "The parameter Period must be a multiple of 60."
    status, root = post_form(backend, {"Action": "Frobnicate"})
    assert status == 400 and root.find("cw:Error/cw:Code", NS).text == "InvalidAction"
