"""IAM identity-policy evaluation: Deny wins, then Allow, default deny; wildcards; conditions."""
from __future__ import annotations

import pytest

from jobtable.security.policy import Decision, PolicyError, evaluate, substitute_variables, validate_policy

TABLE = "arn:aws:dynamodb:us-east-1:000000000000:table/Jobs"
INDEX = TABLE + "/index/UserIndex"
ALLOW, DENY, IMPLICIT = Decision.ALLOW, Decision.EXPLICIT_DENY, Decision.IMPLICIT_DENY


def doc(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action, resource="*", **extra):
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action, resource="*", **extra):
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def test_default_is_implicit_deny():
    assert evaluate([], "dynamodb:GetItem", TABLE) is IMPLICIT
    assert evaluate([doc(allow("dynamodb:PutItem", TABLE))], "dynamodb:GetItem", TABLE) is IMPLICIT


def test_explicit_deny_beats_allow_across_policies():
    policies = [doc(allow("dynamodb:*")), doc(deny("dynamodb:DeleteItem", TABLE))]
    assert evaluate(policies, "dynamodb:DeleteItem", TABLE) is DENY
    assert evaluate(policies, "dynamodb:GetItem", TABLE) is ALLOW


@pytest.mark.parametrize("pattern,action,expected", [
    ("dynamodb:*", "dynamodb:GetItem", True),
    ("dynamodb:Get*", "dynamodb:GetItem", True),
    ("dynamodb:Get*", "dynamodb:GetRecords", True),
    ("dynamodb:Get*", "dynamodb:BatchGetItem", False),
    ("DynamoDB:getitem", "dynamodb:GetItem", True),  # actions are case-insensitive
    ("dynamodb:?etItem", "dynamodb:GetItem", True),
    ("dynamodb:GetItem", "dynamodb:GetItems", False),
    ("*", "iam:CreatePolicy", True),
    ("s3:*", "dynamodb:GetItem", False),
])
def test_action_wildcards(pattern, action, expected):
    assert (evaluate([doc(allow(pattern))], action, TABLE) is ALLOW) is expected


def test_not_action_allows_everything_else():
    policies = [doc({"Effect": "Allow", "NotAction": ["dynamodb:Delete*"], "Resource": "*"})]
    assert evaluate(policies, "dynamodb:GetItem", TABLE) is ALLOW
    assert evaluate(policies, "dynamodb:DeleteTable", TABLE) is IMPLICIT


@pytest.mark.parametrize("pattern,resource,expected", [
    (TABLE, TABLE, True),
    (TABLE, INDEX, False),
    (TABLE + "/index/*", INDEX, True),
    (TABLE + "/index/*", TABLE, False),
    ("arn:aws:dynamodb:*:*:table/Jobs", TABLE, True),
    ("arn:aws:dynamodb:us-east-1:000000000000:table/*", INDEX, True),  # * spans slashes
    ("arn:aws:dynamodb:us-east-1:000000000000:table/Job?", TABLE, True),
    ("arn:aws:dynamodb:us-east-1:000000000000:table/jobs", TABLE, False),  # ARNs are case-sensitive
    ("arn:aws:dynamodb:*:table/Jobs", TABLE, False),  # a wildcard never swallows a colon
    (TABLE + "/stream/*", TABLE + "/stream/2026-01-01T00:00:00.000", True),
    ("arn:aws:dynamodb:us-east-1:000000000000:table/Jobs/backup/*",
     "arn:aws:dynamodb:us-east-1:000000000000:table/Jobs/backup/01700000000000-abcdef12", True),
    ("*", "arn:aws:iam::000000000000:user/alice", True),
])
def test_resource_wildcards(pattern, resource, expected):
    assert (evaluate([doc(allow("dynamodb:*", pattern))], "dynamodb:Query", resource) is ALLOW) is expected


def test_not_resource():
    policies = [doc({"Effect": "Deny", "Action": "dynamodb:*", "NotResource": TABLE}), doc(allow("dynamodb:*"))]
    assert evaluate(policies, "dynamodb:GetItem", TABLE) is ALLOW
    assert evaluate(policies, "dynamodb:GetItem", TABLE.replace("Jobs", "Other")) is DENY


def leading_keys_policy(operator="ForAllValues:StringEquals"):
    return [doc(allow(["dynamodb:Query", "dynamodb:GetItem"], [TABLE, INDEX],
                      Condition={operator: {"dynamodb:LeadingKeys": ["${aws:username}"]}}))]


def test_for_all_values_leading_keys_with_policy_variable():
    policies = leading_keys_policy()
    ctx = {"aws:username": "alice"}
    assert evaluate(policies, "dynamodb:Query", INDEX, {**ctx, "dynamodb:LeadingKeys": ["alice"]}) is ALLOW
    assert evaluate(policies, "dynamodb:Query", INDEX, {**ctx, "dynamodb:LeadingKeys": ["bob"]}) is IMPLICIT
    assert evaluate(policies, "dynamodb:Query", INDEX,
                    {**ctx, "dynamodb:LeadingKeys": ["alice", "bob"]}) is IMPLICIT
    # IAM's documented pitfall: ForAllValues over a missing key is vacuously true.
    assert evaluate(policies, "dynamodb:Query", INDEX, ctx) is ALLOW


def test_for_any_value_requires_the_key():
    policies = [doc(allow("dynamodb:*", Condition={"ForAnyValue:StringLike": {"dynamodb:Attributes": "job*"}}))]
    assert evaluate(policies, "dynamodb:GetItem", TABLE, {"dynamodb:Attributes": ["x", "jobId"]}) is ALLOW
    assert evaluate(policies, "dynamodb:GetItem", TABLE, {"dynamodb:Attributes": ["x"]}) is IMPLICIT
    assert evaluate(policies, "dynamodb:GetItem", TABLE, {}) is IMPLICIT


def test_attributes_and_select_like_the_developer_guide():
    policies = [doc(allow(["dynamodb:GetItem", "dynamodb:Query"], TABLE, Condition={
        "ForAllValues:StringEquals": {"dynamodb:Attributes": ["jobId", "status", "createdAt"]},
        "StringEqualsIfExists": {"dynamodb:Select": "SPECIFIC_ATTRIBUTES"},
    }))]
    ok = {"dynamodb:Attributes": ["jobId", "status"], "dynamodb:Select": "SPECIFIC_ATTRIBUTES"}
    assert evaluate(policies, "dynamodb:GetItem", TABLE, ok) is ALLOW
    assert evaluate(policies, "dynamodb:GetItem", TABLE, {**ok, "dynamodb:Attributes": ["jobId", "secret"]}) is IMPLICIT
    assert evaluate(policies, "dynamodb:Query", TABLE, {**ok, "dynamodb:Select": "ALL_ATTRIBUTES"}) is IMPLICIT
    assert evaluate(policies, "dynamodb:Query", TABLE, {"dynamodb:Attributes": ["jobId"]}) is ALLOW  # IfExists


def test_negated_operators_hold_when_key_missing():
    policies = [doc(allow("dynamodb:*"),
                    deny("dynamodb:*", Condition={"StringNotEquals": {"dynamodb:ReturnValues": ["NONE"]}}))]
    assert evaluate(policies, "dynamodb:PutItem", TABLE, {"dynamodb:ReturnValues": "NONE"}) is ALLOW
    assert evaluate(policies, "dynamodb:PutItem", TABLE, {"dynamodb:ReturnValues": "ALL_OLD"}) is DENY
    assert evaluate(policies, "dynamodb:PutItem", TABLE, {}) is DENY


def test_source_ip_conditions():
    policies = [doc(allow("dynamodb:*", Condition={"IpAddress": {"aws:SourceIp": ["127.0.0.0/8", "::1/128"]}}))]
    assert evaluate(policies, "dynamodb:GetItem", TABLE, {"aws:SourceIp": "127.0.0.1"}) is ALLOW
    assert evaluate(policies, "dynamodb:GetItem", TABLE, {"aws:SourceIp": "::1"}) is ALLOW
    assert evaluate(policies, "dynamodb:GetItem", TABLE, {"aws:SourceIp": "10.1.2.3"}) is IMPLICIT
    assert evaluate(policies, "dynamodb:GetItem", TABLE, {}) is IMPLICIT
    blocked = [doc(allow("dynamodb:*"), deny("dynamodb:*", Condition={"NotIpAddress": {"aws:SourceIp": "127.0.0.0/8"}}))]
    assert evaluate(blocked, "dynamodb:GetItem", TABLE, {"aws:SourceIp": "192.0.2.7"}) is DENY
    assert evaluate(blocked, "dynamodb:GetItem", TABLE, {"aws:SourceIp": "127.0.0.5"}) is ALLOW


def test_bool_null_and_condition_keys_are_case_insensitive():
    policies = [doc(deny("*", Condition={"Bool": {"AWS:SecureTransport": "false"}}), allow("*"))]
    assert evaluate(policies, "dynamodb:GetItem", TABLE, {"aws:securetransport": False}) is DENY
    assert evaluate(policies, "dynamodb:GetItem", TABLE, {"aws:securetransport": True}) is ALLOW
    null = [doc(allow("*", Condition={"Null": {"dynamodb:LeadingKeys": "false"}}))]
    assert evaluate(null, "dynamodb:Query", TABLE, {"dynamodb:LeadingKeys": ["a"]}) is ALLOW
    assert evaluate(null, "dynamodb:Scan", TABLE, {}) is IMPLICIT


def test_all_operators_and_keys_must_hold():
    policies = [doc(allow("dynamodb:*", Condition={
        "StringEquals": {"aws:username": "alice", "aws:RequestedRegion": "us-east-1"},
        "StringLike": {"dynamodb:Select": "*ATTRIBUTES"}}))]
    ctx = {"aws:username": "alice", "aws:RequestedRegion": "us-east-1", "dynamodb:Select": "ALL_ATTRIBUTES"}
    assert evaluate(policies, "dynamodb:Query", TABLE, ctx) is ALLOW
    assert evaluate(policies, "dynamodb:Query", TABLE, {**ctx, "aws:RequestedRegion": "eu-west-1"}) is IMPLICIT
    assert evaluate(policies, "dynamodb:Query", TABLE, {**ctx, "dynamodb:Select": "COUNT"}) is IMPLICIT


def test_policy_variable_in_resource():
    policies = [doc(allow("dynamodb:*", "arn:aws:dynamodb:*:*:table/${aws:username}-*"))]
    assert evaluate(policies, "dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:1:table/alice-jobs",
                    {"aws:username": "alice"}) is ALLOW
    assert evaluate(policies, "dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:1:table/bob-jobs",
                    {"aws:username": "alice"}) is IMPLICIT
    assert evaluate(policies, "dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:1:table/alice-jobs", {}) is IMPLICIT


def test_substitute_variables_specials_and_defaults():
    ctx = {"aws:username": ["alice"]}
    assert substitute_variables("a${*}b${?}c${$}", ctx) == "a*b?c$"
    assert substitute_variables("${aws:userid, 'anon'}", ctx) == "anon"
    assert substitute_variables("${aws:userid}", ctx) is None


def test_numeric_operators_and_single_statement_documents():
    policy = {"Statement": allow("*", Condition={"NumericLessThan": {"aws:EpochTime": "100"}})}
    assert evaluate([policy], "dynamodb:GetItem", TABLE, {"aws:EpochTime": "99"}) is ALLOW
    assert evaluate([policy], "dynamodb:GetItem", TABLE, {"aws:EpochTime": "100"}) is IMPLICIT


@pytest.mark.parametrize("document,message", [
    ({"Statement": []}, "Missing required field Statement"),
    ({"Statement": [{"Effect": "Maybe", "Action": "*", "Resource": "*"}]}, "Invalid effect"),
    ({"Statement": [{"Effect": "Allow", "Resource": "*"}]}, "must contain actions"),
    ({"Statement": [{"Effect": "Allow", "Action": "*"}]}, "must contain resources"),
    ({"Statement": [allow("*", Condition={"StringSortOf": {"a": "b"}})]}, "Invalid Condition type"),
    ({"Statement": [allow("*", Condition={"ForSomeValues:StringLike": {"a": "b"}})]}, "Invalid Condition type"),
    ("not a policy", "Syntax errors"),
])
def test_validate_policy_rejects_what_iam_rejects(document, message):
    with pytest.raises(PolicyError, match=message):
        validate_policy(document)


def test_seed_policy_validates():
    validate_policy(doc(allow(["dynamodb:GetItem", "dynamodb:PutItem"], [TABLE, INDEX])))
