"""KeyConditionExpression: the Query key shape and DynamoDB's errors."""
import pytest
from expr_wire import B, N, S

from jobtable.engine.errors import ValidationException
from jobtable.engine.expressions import ExpressionContext, compile_key_condition


VALUES = {":j": S("job-1"), ":c": S("2024"), ":d": S("2025"), ":n": N("3"), ":m": N("1"), ":b": B(b"\x01")}


def key_condition(text, names=None, hash_key="jobId", range_key="createdAt"):
    values = {k: v for k, v in VALUES.items() if k in text}
    ctx = ExpressionContext(names, values)
    result = compile_key_condition(text, ctx, hash_key, range_key)
    ctx.check_all_used()
    return result


def key_error(text, names=None, hash_key="jobId", range_key="createdAt"):
    with pytest.raises(ValidationException) as info:
        key_condition(text, names, hash_key, range_key)
    return info.value.message


@pytest.mark.parametrize(
    "text,op,values",
    [
        ("jobId = :j", None, ()),
        (" jobId  =   :j ", None, ()),
        (":j = jobId", None, ()),
        ("jobId = :j AND createdAt = :c", "EQ", (S("2024"),)),
        ("jobId = :j AND createdAt < :c", "LT", (S("2024"),)),
        ("jobId = :j AND createdAt <= :c", "LE", (S("2024"),)),
        ("jobId = :j AND createdAt > :c", "GT", (S("2024"),)),
        ("jobId = :j AND createdAt >= :c", "GE", (S("2024"),)),
        ("jobId = :j AND :c < createdAt", "GT", (S("2024"),)),
        ("jobId = :j AND :c >= createdAt", "LE", (S("2024"),)),
        ("createdAt BETWEEN :c AND :d AND jobId = :j", "BETWEEN", (S("2024"), S("2025"))),
        ("jobId = :j aNd createdAt bEtWeEn :c AnD :d", "BETWEEN", (S("2024"), S("2025"))),
        ("jobId = :j AND begins_with(createdAt, :c)", "BEGINS_WITH", (S("2024"),)),
        ("jobId = :j AND begins_with(createdAt, :b)", "BEGINS_WITH", (VALUES[":b"],)),
        ("((createdAt = :c) AND (jobId = :j))", "EQ", (S("2024"),)),
    ],
)
def test_key_conditions(text, op, values):
    result = key_condition(text)
    assert (result.hash_value, result.range_op, result.range_values) == (S("job-1"), op, values)


def test_names_are_resolved():
    result = key_condition("#s = :j AND #c > :c", {"#s": "status", "#c": "createdAt"}, hash_key="status")
    assert (result.hash_value, result.range_op) == (S("job-1"), "GT")


def test_hash_only_table():
    assert key_condition("jobId = :j", range_key=None).range_op is None


KEY_ERRORS = [
    ("status = :j", "Invalid KeyConditionExpression: Attribute name is a reserved keyword; reserved keyword: status"),
    ("createdAt = :c", "Query condition missed key schema element: jobId"),
    ("jobId < :j", "Query key condition not supported"),
    ("jobId = :j AND extra < :c", "Query condition missed key schema element: createdAt"),
    ("jobId = :j AND jobId = :j", "KeyConditionExpressions must only contain one condition per key"),
    ("jobId = :j AND createdAt > :c AND createdAt < :d", "Conditions can be of length 1 or 2 only"),
    ("jobId = :j OR createdAt = :c", "Invalid operator used in KeyConditionExpression: OR"),
    ("NOT createdAt = :c AND jobId = :j", "Invalid operator used in KeyConditionExpression: NOT"),
    ("jobId = :j AND createdAt <> :c", "Invalid operator used in KeyConditionExpression: <>"),
    ("jobId = :j AND createdAt IN (:c)", "Invalid operator used in KeyConditionExpression: IN"),
    ("jobId = :j AND attribute_exists(createdAt)", "Invalid operator used in KeyConditionExpression: attribute_exists"),
    ("jobId = :j AND size(createdAt) > :n", "KeyConditionExpressions cannot contain nested operations"),
    ("jobId = :j AND contains(createdAt, :c)", "Invalid operator used in KeyConditionExpression: contains"),
    ("jobId = :j AND :c BETWEEN createdAt AND :d", "Invalid condition in KeyConditionExpression: BETWEEN operator must have the key attribute as its first operand"),
    ("jobId = :j AND begins_with(:c, createdAt)", "Invalid condition in KeyConditionExpression: begins_with operator must have the key attribute as its first operand"),
    ("jobId = :j AND :c = :d", "Invalid condition in KeyConditionExpression: No key attribute specified"),
    ("jobId = :j AND createdAt BETWEEN :c AND jobId", "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"),
    ("jobId = :j AND dog(createdAt, :c)", "Invalid KeyConditionExpression: Invalid function name; function: dog"),
    ("jobId = :j AND BEGINS_WITH(createdAt, :c)", "Invalid KeyConditionExpression: Invalid function name; function: BEGINS_WITH"),
    ("jobId = :j AND createdAt.x < :c", "KeyConditionExpressions cannot have conditions on nested attributes"),
    ("jobId = :j AND begins_with(createdAt, :n)", "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"),
    ("jobId = :j AND createdAt BETWEEN :n AND :m", "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:3}, upper bound operand: AttributeValue: {N:1}"),
    ("jobId = createdAt", "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"),
    ("jobId", 'Invalid KeyConditionExpression: Syntax error; token: "<EOF>", near: "jobId"'),
    ("jobId = :j AND createdAt != :c", 'Invalid KeyConditionExpression: Syntax error; token: "!", near: "createdAt !="'),
    ("((jobId = :j)) AND createdAt = :c", "Invalid KeyConditionExpression: The expression has redundant parentheses;"),
    ("", "Invalid KeyConditionExpression: The expression can not be empty;"),
]


@pytest.mark.parametrize("text,message", KEY_ERRORS)
def test_key_condition_errors(text, message):
    assert key_error(text) == message


def test_second_condition_on_a_hash_only_table():
    assert key_error("jobId = :j AND createdAt = :c", range_key=None) == "Query key condition not supported"


def test_undefined_and_unused_placeholders():
    with pytest.raises(ValidationException, match="attribute value: :j"):
        compile_key_condition("jobId = :j", ExpressionContext(None, None), "jobId", None)
    ctx = ExpressionContext({"#unused": "x"}, {":j": S("j")})
    compile_key_condition("jobId = :j", ctx, "jobId", None)
    with pytest.raises(ValidationException, match=r"keys: \{#unused\}"):
        ctx.check_all_used()
