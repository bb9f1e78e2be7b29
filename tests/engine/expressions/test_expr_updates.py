"""UpdateExpression: validation rules and application to parts."""
import re

import pytest
from expr_wire import L, M, N, S

from jobtable.engine.errors import ValidationException
from jobtable.engine.expressions import ExpressionContext, compile_update


VALUES = {
    ":one": N("1"),
    ":two": N("2"),
    ":half": N("0.5"),
    ":x": S("x"),
    ":y": S("y"),
    ":empty_list": L(),
    ":list": L(S("new")),
    ":red_green": {"SS": ["red", "green"]},
    ":red": {"SS": ["red"]},
    ":blue": {"SS": ["blue"]},
    ":nums": {"NS": ["1.0", "3"]},
    ":map": M(k=S("v")),
    ":big": N("9" * 38),
}


def update(text, item, names=None, *, item_exists=True):
    values = {k: VALUES[k] for k in re.findall(r":\w+", text)}
    ctx = ExpressionContext(names, values)
    compiled = compile_update(text, ctx)
    ctx.check_all_used()
    return compiled.apply(item, item_exists=item_exists)


def update_error(text, item=None, names=None):
    with pytest.raises(ValidationException) as info:
        update(text, item or {}, names)
    return info.value.message


BASE = {
    "id": S("k"),
    "tally": N("5"),
    "label": S("hello"),
    "parts": L(S("a"), S("b"), S("c"), S("d")),
    "doc": M(core=M(deep=N("1")), arr=L(N("1"), M(z=S("z")))),
    "colors": {"SS": ["red", "blue"]},
    "nums": {"NS": ["1", "2"]},
}


APPLY_CASES = [
    ("SET label = :x", {"label": S("x")}),
    ("SET fresh = :x, another = :y", {"fresh": S("x"), "another": S("y")}),
    ("set label = :x", {"label": S("x")}),
    ("SET tally = tally + :one", {"tally": N("6")}),
    ("SET tally = tally - :half", {"tally": N("4.5")}),
    ("SET tally = :one - tally", {"tally": N("-4")}),
    ("SET tally = (tally + :one)", {"tally": N("6")}),
    ("SET tally = (:one) + (tally)", {"tally": N("6")}),
    ("SET dup = (label)", {"dup": S("hello")}),
    ("SET dup = label", {"dup": S("hello")}),
    ("SET dup = doc.core.deep", {"dup": N("1")}),
    ("SET label = tally, tally = label", {"label": N("5"), "tally": S("hello")}),  # reads the old item
    ("SET doc.core.deep = :two", {"doc": M(core=M(deep=N("2")), arr=L(N("1"), M(z=S("z"))))}),
    ("SET doc.added = :x", {"doc": M(core=M(deep=N("1")), arr=L(N("1"), M(z=S("z"))), added=S("x"))}),
    ("SET doc.arr[1].z = :y", {"doc": M(core=M(deep=N("1")), arr=L(N("1"), M(z=S("y"))))}),
    ("SET parts[1] = :x", {"parts": L(S("a"), S("x"), S("c"), S("d"))}),
    ("SET parts[10] = :x", {"parts": L(S("a"), S("b"), S("c"), S("d"), S("x"))}),
    ("SET parts[90] = :x, parts[50] = :y", {"parts": L(S("a"), S("b"), S("c"), S("d"), S("y"), S("x"))}),
    ("SET opt = if_not_exists(opt, :x)", {"opt": S("x")}),
    ("SET label = if_not_exists(label, :x)", {}),
    ("SET tally = if_not_exists(tally, :one) + :one", {"tally": N("6")}),
    ("SET parts = list_append(parts, :list)", {"parts": L(S("a"), S("b"), S("c"), S("d"), S("new"))}),
    ("SET parts = list_append(:list, parts)", {"parts": L(S("new"), S("a"), S("b"), S("c"), S("d"))}),
    ("SET journal = list_append(if_not_exists(journal, :empty_list), :list)", {"journal": L(S("new"))}),
    ("SET m = :map", {"m": M(k=S("v"))}),
    ("REMOVE label", {"label": None}),
    ("REMOVE absent", {}),
    ("REMOVE parts[1], parts[3]", {"parts": L(S("a"), S("c"))}),
    ("REMOVE parts[3], parts[1]", {"parts": L(S("a"), S("c"))}),
    ("REMOVE parts[17]", {}),
    ("REMOVE parts[1] SET parts[3] = :x", {"parts": L(S("a"), S("c"), S("x"))}),  # original indexes
    ("REMOVE doc.core.deep", {"doc": M(core=M(), arr=L(N("1"), M(z=S("z"))))}),
    ("REMOVE doc.core.nope", {}),
    ("REMOVE label SET dup = label", {"label": None, "dup": S("hello")}),
    ("ADD tally :two", {"tally": N("7")}),
    ("ADD sum1 :two", {"sum1": N("2")}),
    ("ADD colors :red_green", {"colors": {"SS": ["red", "blue", "green"]}}),
    ("ADD nums :nums", {"nums": {"NS": ["1", "2", "3"]}}),  # 1.0 is already there as 1
    ("ADD fresh_set :red", {"fresh_set": {"SS": ["red"]}}),
    ("ADD doc.core.deep :one", {"doc": M(core=M(deep=N("2")), arr=L(N("1"), M(z=S("z"))))}),
    ("DELETE colors :red", {"colors": {"SS": ["blue"]}}),
    ("DELETE colors :red_green", {"colors": {"SS": ["blue"]}}),
    ("DELETE nums :nums", {"nums": {"NS": ["2"]}}),
    ("DELETE absent :red", {}),
    ("DELETE colors :blue", {"colors": {"SS": ["red"]}}),
    ("DELETE colors :red_green, nums :nums ADD tally :one", {"colors": {"SS": ["blue"]}, "nums": {"NS": ["2"]}, "tally": N("6")}),
]


@pytest.mark.parametrize("text,changes", APPLY_CASES)
def test_apply(text, changes):
    expected = dict(BASE)
    for name, value in changes.items():
        if value is None:
            expected.pop(name)
        else:
            expected[name] = value
    before = {k: v for k, v in BASE.items()}
    assert update(text, BASE) == expected
    assert BASE == before  # the input item is never modified


def test_deleting_every_element_removes_the_attribute():
    item = {"id": S("k"), "colors": {"SS": ["red"]}}
    assert update("DELETE colors :red", item) == {"id": S("k")}


def test_names_resolve_before_application():
    names = {"#a": "label", "#d": "doc", "#i": "core"}
    assert update("SET #a = :x REMOVE #d.#i", BASE, names)["label"] == S("x")


def test_remove_of_nested_path_on_a_new_item_is_ignored():
    assert update("REMOVE a.b, c[0]", {"id": S("k")}, item_exists=False) == {"id": S("k")}


RUNTIME_ERRORS = [
    ("SET dup = absent", "The provided expression refers to an attribute that does not exist in the item"),
    ("SET tally = absent + :one", "The provided expression refers to an attribute that does not exist in the item"),
    ("SET parts = list_append(absent, :list)", "The provided expression refers to an attribute that does not exist in the item"),
    ("SET tally = label + :one", "An operand in the update expression has an incorrect data type"),
    ("SET parts = list_append(label, :list)", "An operand in the update expression has an incorrect data type"),
    ("ADD label :one", "An operand in the update expression has an incorrect data type"),
    ("ADD colors :nums", "An operand in the update expression has an incorrect data type"),
    ("ADD parts :red", "An operand in the update expression has an incorrect data type"),
    ("DELETE colors :nums", "An operand in the update expression has an incorrect data type"),
    ("SET absent.child = :x", "The document path provided in the update expression is invalid for update"),
    ("SET label.child = :x", "The document path provided in the update expression is invalid for update"),
    ("SET label[0] = :x", "The document path provided in the update expression is invalid for update"),
    ("SET doc[0] = :x", "The document path provided in the update expression is invalid for update"),
    ("SET parts.x = :x", "The document path provided in the update expression is invalid for update"),
    ("SET doc.nowhere.deeper = :x", "The document path provided in the update expression is invalid for update"),
    ("REMOVE absent.child", "The document path provided in the update expression is invalid for update"),
    ("REMOVE label.child", "The document path provided in the update expression is invalid for update"),
    ("REMOVE absent[0]", "The document path provided in the update expression is invalid for update"),
    ("REMOVE label[0]", "The document path provided in the update expression is invalid for update"),
]


@pytest.mark.parametrize("text,message", RUNTIME_ERRORS)
def test_runtime_errors(text, message):
    assert update_error(text, BASE) == message


def test_number_results_keep_dynamodb_precision():
    with pytest.raises(ValidationException):
        update("SET tally = :big + :half", BASE)


STATIC_ERRORS = [
    ("SET a = :x SET b = :y", 'The "SET" section can only be used once in an update expression;'),
    ("SET a = :x REMOVE b SET c = :y", 'The "SET" section can only be used once in an update expression;'),
    ("REMOVE a REMOVE b", 'The "REMOVE" section can only be used once in an update expression;'),
    ("ADD a :one ADD b :one", 'The "ADD" section can only be used once in an update expression;'),
    ("DELETE a :red DELETE b :red", 'The "DELETE" section can only be used once in an update expression;'),
    ("SET a = :x REMOVE a", "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]"),
    ("SET a = :x, a = :y", "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]"),
    ("SET a = :x REMOVE a.b", "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]"),
    ("SET a[1][1] = :x, a[1] = :y", "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a, [1], [1]], path two: [a, [1]]"),
    ("ADD a :one DELETE a :red", "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]"),
    ("SET a.b = :x, a[1] = :y", "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a, [1]]"),
    ("SET a.b.c = :x, a.b[2] = :y", "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, b, c], path two: [a, b, [2]]"),
    ("ADD a :x", "Incorrect operand type for operator or function; operator: ADD, operand type: STRING, typeSet: ALLOWED_FOR_ADD_OPERAND"),
    ("ADD a :list", "Incorrect operand type for operator or function; operator: ADD, operand type: LIST, typeSet: ALLOWED_FOR_ADD_OPERAND"),
    ("ADD a :map", "Incorrect operand type for operator or function; operator: ADD, operand type: MAP, typeSet: ALLOWED_FOR_ADD_OPERAND"),
    ("DELETE a :one", "Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER, typeSet: ALLOWED_FOR_DELETE_OPERAND"),
    ("DELETE a :x", "Incorrect operand type for operator or function; operator: DELETE, operand type: STRING, typeSet: ALLOWED_FOR_DELETE_OPERAND"),
    ("SET a = :x + :one", "Incorrect operand type for operator or function; operator or function: +, operand type: S"),
    ("SET a = :one - :list", "Incorrect operand type for operator or function; operator or function: -, operand type: L"),
    ("SET a = list_append(:list, :x)", "Incorrect operand type for operator or function; operator or function: list_append, operand type: S"),
    ("SET a = list_append(:list)", "Incorrect number of operands for operator or function; operator or function: list_append, number of operands: 1"),
    ("SET a = LIST_APPEND(:list, :list)", "Invalid function name; function: LIST_APPEND"),
    ("SET a = f(b, c, d)", "Invalid function name; function: f"),
    ("SET a = if_not_exists(:x, :y)", "Operator or function requires a document path; operator or function: if_not_exists"),
    ("SET a = if_not_exists(if_not_exists(a, :x), :y)", "Operator or function requires a document path; operator or function: if_not_exists"),
    ("SET a = list_append(list_append(:list, :list), :list)", "The function is not allowed to be used this way in an expression; function: list_append"),
    ("SET a = size(b)", "The function is not allowed in an update expression; function: size"),
    ("SET a = attribute_exists(b)", "The function is not allowed in an update expression; function: attribute_exists"),
]


@pytest.mark.parametrize("text,detail", STATIC_ERRORS)
def test_static_errors(text, detail):
    assert update_error(text) == f"Invalid UpdateExpression: {detail}"


def test_overlap_is_checked_after_names_resolve():
    message = update_error("SET #a1 = :x, #a2 = :y", names={"#a1": "a", "#a2": "a"})
    assert "Two document paths overlap" in message


@pytest.mark.parametrize(
    "text",
    ["SET _123 = :x", "SET 123a = :x", "SET hi-there = :x", "SET :x = :y", "SET a[:x] = :y", "SET a = _f(b)", "HELLO b = :x", "SET c = if_not_exists(c, :one + :two)"],
)
def test_syntax_errors(text):
    assert "Syntax error" in update_error(text)


def test_leading_underscore_is_quoted_as_the_bad_token():
    assert update_error("SET _123 = :x") == 'Invalid UpdateExpression: Syntax error; token: "_", near: "SET _123"'


def test_updated_paths_and_top_level_names():
    ctx = ExpressionContext({"#d": "doc"}, {":x": S("x"), ":one": N("1")})
    compiled = compile_update("SET label = :x, #d.core.deep = :one REMOVE parts[0] ADD tally :one", ctx)
    assert compiled.top_level_names == frozenset({"label", "doc", "parts", "tally"})
    assert compiled.paths == [("label",), ("doc", "core", "deep"), ("parts", 0), ("tally",)]
    new = compiled.apply(BASE)
    assert compiled.project_updated(BASE) == {
        "label": S("hello"), "doc": M(core=M(deep=N("1"))), "parts": L(S("a")), "tally": N("5"),
    }
    assert compiled.project_updated(new) == {
        "label": S("x"), "doc": M(core=M(deep=N("1"))), "parts": L(S("b")), "tally": N("6"),
    }
