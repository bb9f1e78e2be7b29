"""Evaluation of ConditionExpression / FilterExpression against items."""
import base64
import re

import pytest
from expr_wire import B, N, S

from jobtable.engine.expressions import ExpressionContext, compile_condition


ITEM = {
    "jobId": S("job-1"),
    "status": S("RUNNING"),
    "priority": N("5"),
    "ratio": N("0.25"),
    "bin1": B(b"\x7fhello"),
    "high": B(b"\x80"),
    "flag": {"BOOL": True},
    "nothing": {"NULL": True},
    "tags": {"SS": ["red", "blue"]},
    "scores": {"NS": ["1", "2.50", "-3"]},
    "bins": {"BS": [base64.b64encode(b"ab").decode()]},
    "steps": {"L": [S("fetch"), N("2"), {"M": {"label": S("deep")}}, {"L": [N("7")]}]},
    "meta": {"M": {"owner": S("ana"), "attempts": N("3"), "nested": {"M": {"x": S("é")}}}},
    "unicode": S("é"),
}

VALUES = {
    ":running": S("RUNNING"),
    ":five": N("5"),
    ":five_point_zero": N("5.0"),
    ":six": N("6"),
    ":four": N("4"),
    ":zero": N("0"),
    ":two": N("2"),
    ":three": N("3"),
    ":str5": S("5"),
    ":red": S("red"),
    ":green": S("green"),
    ":one": N("1"),
    ":one_x": N("1.000"),
    ":fetch": S("fetch"),
    ":deep": S("deep"),
    ":ana": S("ana"),
    ":job": S("job"),
    ":jobx": S("jobx"),
    ":ell": S("ell"),
    ":tag_set": {"SS": ["blue", "red"]},
    ":list": {"L": [S("fetch"), N("2.0"), {"M": {"label": S("deep")}}, {"L": [N("7")]}]},
    ":typeS": S("S"),
    ":typeN": S("N"),
    ":typeSS": S("SS"),
    ":typeM": S("M"),
    ":typeNULL": S("NULL"),
    ":typeBOOL": S("BOOL"),
    ":typeL": S("L"),
    ":typeB": S("B"),
    ":typeNS": S("NS"),
    ":typeBS": S("BS"),
    ":true": {"BOOL": True},
    ":null": {"NULL": True},
    ":bin1_prefix": B(b"\x7fhe"),
    ":bin1_inner": B(b"ell"),
    ":b7f": B(b"\x7f"),
    ":b80": B(b"\x80"),
    ":ab": B(b"ab"),
    ":a": S("a"),
    ":z": S("z"),
    ":e_acute": S("é"),
    ":seven_list": {"L": [N("7")]},
}

NAMES = {"#s": "status", "#m": "meta", "#o": "owner", "#dotted": "a.b"}


def evaluate(text: str, item=ITEM) -> bool:
    names = {k: NAMES[k] for k in re.findall(r"#\w+", text)}
    values = {k: VALUES[k] for k in re.findall(r":\w+", text)}
    ctx = ExpressionContext(names, values)
    return compile_condition(text, ctx, "FilterExpression").evaluate(item)


TRUE = [
    "#s = :running",
    "#s = :running AND attribute_exists(jobId)",
    "priority = :five",
    "priority = :five_point_zero",  # numbers compare by value
    "priority <> :six",
    "priority <> :str5",  # different types are "not equal"
    "absent <> :five",  # a absent attribute is not equal to anything
    "absent <> gone",  # ... even another absent attribute
    "priority < :six",
    "priority <= :five",
    "priority > :four",
    "priority >= :five",
    "ratio > :zero",
    ":four < priority",
    "priority BETWEEN :four AND :six",
    "priority BETWEEN :five AND :five",
    "priority IN (:one, :five)",
    "priority IN (:str5, :five)",
    "#s IN (:running)",
    "jobId > :job",
    "jobId < :jobx",
    "unicode > :z",  # code point order (UTF-8 byte order), not locale
    "bin1 > :b7f",
    "high > bin1",  # bytes are unsigned
    "tags = :tag_set",  # sets compare unordered
    "steps = :list",  # lists element-wise, numbers by value
    "flag = :true",
    "nothing = :null",
    "attribute_exists(priority)",
    "attribute_exists(#m.#o)",
    "attribute_exists(steps[2].label)",
    "attribute_not_exists(absent)",
    "attribute_not_exists(meta.absent)",
    "attribute_not_exists(steps[9])",
    "attribute_not_exists(priority.child)",
    "attribute_not_exists(#dotted)",
    "attribute_type(priority, :typeN)",
    "attribute_type(#s, :typeS)",
    "attribute_type(tags, :typeSS)",
    "attribute_type(meta, :typeM)",
    "attribute_type(nothing, :typeNULL)",
    "attribute_type(flag, :typeBOOL)",
    "attribute_type(steps, :typeL)",
    "attribute_type(bin1, :typeB)",
    "attribute_type(scores, :typeNS)",
    "attribute_type(bins, :typeBS)",
    "attribute_type(:five, :typeN)",
    "begins_with(jobId, :job)",
    "begins_with(bin1, :bin1_prefix)",
    "contains(jobId, :job)",
    "contains(#s, :running)",
    "contains(tags, :red)",
    "contains(scores, :one_x)",
    "contains(bins, :ab)",
    "contains(steps, :fetch)",
    "contains(steps, :two)",
    "contains(steps, :seven_list)",
    "contains(bin1, :bin1_inner)",
    "size(jobId) = :five",
    "size(unicode) = :two",  # size counts UTF-8 bytes
    "size(bin1) = :six",
    "size(tags) = :two",
    "size(scores) = :three",
    "size(steps) > :three",
    "size(meta) = :three",
    "size(meta.nested) = :one",
    "steps[0] = :fetch",
    "steps[1] = :two",
    "steps[2].label = :deep",
    "steps[3][0] > :six",
    "meta.attempts = :three",
    "NOT priority = :six",
    "NOT NOT NOT NOT priority = :five",
    "priority = :six OR priority = :five",
    # precedence: NOT binds tighter than AND, AND tighter than OR
    "priority = :five OR priority = :six AND priority = :zero",
    "NOT priority = :six AND priority = :five",
    "priority BETWEEN :four AND :six AND priority = :five",
    "(priority = :six OR priority = :five) AND #s = :running",
]

FALSE = [
    "#s = :five",
    "priority = :str5",  # different types are never equal
    "absent = :five",
    "absent = gone",
    "priority <> :five",
    "priority < :str5",  # different types never compare
    "absent < :five",
    "absent < gone",
    "absent >= gone",
    "tags < :red",  # item values of unordered types just compare false
    "priority > :five",
    "priority BETWEEN :six AND :six",
    "absent BETWEEN :four AND :six",
    "priority IN (:one, :six)",
    "absent IN (:five)",
    "attribute_exists(absent)",
    "attribute_exists(meta.absent)",
    "attribute_exists(steps[4])",
    "attribute_exists(#m.#o.deeper)",
    "attribute_not_exists(priority)",
    "attribute_type(priority, :typeS)",
    "attribute_type(absent, :typeS)",
    "begins_with(jobId, :jobx)",
    "begins_with(priority, :job)",
    "begins_with(bin1, :job)",
    "contains(jobId, :jobx)",
    "contains(tags, :green)",
    "contains(tags, :five)",
    "contains(priority, :five)",
    "contains(absent, :red)",
    "size(priority) = :one",
    "size(flag) = :one",
    "size(nothing) = :one",
    "size(jobId) = :str5",
    "size(absent) = :zero",
    "NOT priority = :five",
    "priority = :six OR priority = :zero",
    "priority = :five AND priority = :six",
    # precedence: OR last, so this is (a AND b) OR c
    "priority = :six AND priority = :five OR priority = :zero",
    "NOT priority = :five OR priority = :six",
    "(priority = :five OR priority = :six) AND #s = :five",
]


@pytest.mark.parametrize("text", TRUE)
def test_true_conditions(text):
    assert evaluate(text) is True


@pytest.mark.parametrize("text", FALSE)
def test_false_conditions(text):
    assert evaluate(text) is False


def test_no_item_behaves_as_an_empty_item():
    assert evaluate("attribute_not_exists(jobId)", None) is True
    assert evaluate("jobId <> :job", None) is True
    assert evaluate("attribute_exists(jobId)", None) is False
    assert evaluate("size(jobId) = :zero", None) is False


def test_function_names_are_case_sensitive_but_keywords_are_not():
    assert evaluate("priority between :four aNd :six and NoT priority in (:one)") is True


def test_names_that_start_with_keywords_are_names():
    item = {"android": S("x"), "order_id": S("y"), "notes": S("z"), "inx": S("w")}
    ctx = ExpressionContext(None, {":x": S("x"), ":y": S("y"), ":z": S("z"), ":w": S("w")})
    condition = compile_condition("android = :x AND order_id = :y AND notes = :z AND inx = :w", ctx)
    assert condition.evaluate(item) is True


def test_one_compiled_text_serves_different_values_and_names():
    first = compile_condition("#a = :v", ExpressionContext({"#a": "priority"}, {":v": N("5")}))
    second = compile_condition("#a = :v", ExpressionContext({"#a": "status"}, {":v": S("RUNNING")}))
    third = compile_condition("#a = :v", ExpressionContext({"#a": "status"}, {":v": S("DONE")}))
    assert (first.evaluate(ITEM), second.evaluate(ITEM), third.evaluate(ITEM)) == (True, True, False)
