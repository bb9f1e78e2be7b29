"""Static errors of every expression language, with DynamoDB's exact wording."""
import pytest
from expr_wire import N, S

from jobtable.engine.errors import ValidationException
from jobtable.engine.expressions import (
    ExpressionContext,
    compile_condition,
    compile_key_condition,
    compile_projection,
    compile_update,
)



def compile_as(kind: str, text: str, names=None, values=None):
    ctx = ExpressionContext(names, values)
    if kind in ("ConditionExpression", "FilterExpression"):
        result = compile_condition(text, ctx, kind)
    elif kind == "UpdateExpression":
        result = compile_update(text, ctx)
    elif kind == "ProjectionExpression":
        result = compile_projection(text, ctx)
    else:
        result = compile_key_condition(text, ctx, "jobId", "createdAt")
    ctx.check_all_used()
    return result


def error_of(kind: str, text: str, names=None, values=None) -> str:
    with pytest.raises(ValidationException) as info:
        compile_as(kind, text, names, values)
    return info.value.message


SYNTAX_ERRORS = [
    ("ConditionExpression", "a =", '"<EOF>", near: "="'),
    ("ConditionExpression", "a = :v AND", '"<EOF>", near: "AND"'),
    ("ConditionExpression", "begins_with(#t, :type", '"<EOF>", near: ":type"'),
    ("ConditionExpression", "p", '"<EOF>", near: "p"'),
    ("ConditionExpression", "p=:p AND c!=:c", '"!", near: "c!="'),
    ("ConditionExpression", "a IN ()", '")", near: "()"'),
    ("ConditionExpression", "a = = :v", '"=", near: "= = :v"'),
    ("FilterExpression", "a[-1] = :v", '"-", near: "[-1"'),
    ("UpdateExpression", "SET", '"<EOF>", near: "SET"'),
    ("UpdateExpression", "SET a = b + ", '"<EOF>", near: "+ "'),
    ("UpdateExpression", "ADD hits : incr", '":", near: "hits : incr"'),
    ("UpdateExpression", "SET a = b + c + d", '"+", near: "c + d"'),
    ("UpdateExpression", "SET a = :v,", '"<EOF>", near: ","'),
    ("UpdateExpression", "ADD a b", '"b", near: "a b"'),
    ("UpdateExpression", "SET a < :v", '"<", near: "a < :v"'),
    ("ProjectionExpression", "a,", '"<EOF>", near: ","'),
    ("ProjectionExpression", "a b", '"b", near: "a b"'),
    ("KeyConditionExpression", "jobId = ", '"<EOF>", near: "= "'),
]


@pytest.mark.parametrize("kind,text,detail", SYNTAX_ERRORS)
def test_syntax_errors_quote_the_token_and_its_neighbours(kind, text, detail):
    assert error_of(kind, text) == f"Invalid {kind}: Syntax error; token: {detail}"


@pytest.mark.parametrize(
    "kind", ["ConditionExpression", "FilterExpression", "UpdateExpression", "ProjectionExpression", "KeyConditionExpression"]
)
@pytest.mark.parametrize("text", ["", "   "])
def test_empty_expressions_are_rejected(kind, text):
    assert error_of(kind, text) == f"Invalid {kind}: The expression can not be empty;"


@pytest.mark.parametrize(
    "kind,text,word",
    [
        ("ConditionExpression", "status = :v", "status"),
        ("FilterExpression", "a.Name = :v", "Name"),
        ("ConditionExpression", "attribute_exists(SIZE)", "SIZE"),
        ("UpdateExpression", "SET #a = data", "data"),
        ("UpdateExpression", "REMOVE comment", "comment"),
        ("ProjectionExpression", "jobId, user", "user"),
        ("KeyConditionExpression", "status = :v", "status"),
    ],
)
def test_reserved_words_must_be_escaped(kind, text, word):
    names = {"#a": "a"} if "#a" in text else None
    values = {":v": S("x")} if ":v" in text else None
    assert error_of(kind, text, names, values) == (
        f"Invalid {kind}: Attribute name is a reserved keyword; reserved keyword: {word}"
    )


def test_the_seed_key_condition_fails_with_the_reserved_word_message():
    message = error_of("KeyConditionExpression", "status = :status", None, {":status": S("RUNNING")})
    assert message == "Invalid KeyConditionExpression: Attribute name is a reserved keyword; reserved keyword: status"


def test_escaped_reserved_words_are_fine():
    compile_as("ConditionExpression", "#s = :s", {"#s": "status"}, {":s": S("RUNNING")})


@pytest.mark.parametrize(
    "kind,text",
    [
        ("ConditionExpression", "#x = :v"),
        ("UpdateExpression", "SET a.#x = :v"),
        ("ProjectionExpression", "a, #x"),
    ],
)
def test_undefined_names(kind, text):
    values = {":v": S("x")} if ":v" in text else None
    assert error_of(kind, text, None, values) == (
        f"Invalid {kind}: An expression attribute name used in the document path is not defined; "
        "attribute name: #x"
    )


@pytest.mark.parametrize("kind,text", [("ConditionExpression", "a = :x"), ("UpdateExpression", "SET a = :x")])
def test_undefined_values(kind, text):
    assert error_of(kind, text, None, {":y": S("y")}) == (
        f"Invalid {kind}: An expression attribute value used in expression is not defined; attribute value: :x"
    )


def test_unused_names_are_listed():
    message = error_of("ConditionExpression", "#a = :v", {"#a": "a", "#b": "b", "#c": "c"}, {":v": S("x")})
    assert message == "Value provided in ExpressionAttributeNames unused in expressions: keys: {#b, #c}"


def test_unused_values_are_listed():
    message = error_of("ConditionExpression", "a = :v", None, {":v": S("x"), ":x": S("x")})
    assert message == "Value provided in ExpressionAttributeValues unused in expressions: keys: {:x}"


def test_usage_is_tracked_across_the_expressions_of_a_request():
    ctx = ExpressionContext({"#a": "a", "#b": "b"}, {":v": S("x"), ":w": S("y")})
    compile_condition("#a = :v", ctx)
    compile_update("SET #b = :w", ctx)
    ctx.check_all_used()


def test_short_circuit_evaluation_does_not_hide_usage():
    ctx = ExpressionContext({"#a": "a", "#b": "b"}, {":v": S("x"), ":w": S("y")})
    condition = compile_condition("#a = :v OR #b = :w", ctx)
    ctx.check_all_used()
    assert condition.evaluate({"a": S("x")})


FUNCTION_ERRORS = [
    ("attribute_exists(a) = :v", "The function is not allowed to be used this way in an expression; function: attribute_exists"),
    ("begins_with(a, :v) = :v", "The function is not allowed to be used this way in an expression; function: begins_with"),
    ("size(a)", "The function is not allowed to be used this way in an expression; function: size"),
    ("dog(a) = :v", "Invalid function name; function: dog"),
    ("BEGINS_WITH(a, :v)", "Invalid function name; function: BEGINS_WITH"),
    ("if_not_exists(a, a) = :v", "The function is not allowed in a condition expression; function: if_not_exists"),
    ("list_append(a, a) = :v", "The function is not allowed in a condition expression; function: list_append"),
    ("size(a, a) = :v", "Incorrect number of operands for operator or function; operator or function: size, number of operands: 2"),
    ("attribute_exists(a, b)", "Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 2"),
    ("contains(a)", "Incorrect number of operands for operator or function; operator or function: contains, number of operands: 1"),
    ("attribute_exists(:v)", "Operator or function requires a document path; operator or function: attribute_exists"),
    ("attribute_not_exists(:v)", "Operator or function requires a document path; operator or function: attribute_not_exists"),
    ("attribute_type(a, b)", "Incorrect operand type for operator or function; operator or function: attribute_type, operand type: {NS,SS,L,BS,N,M,B,BOOL,NULL,S}"),
    ("attribute_type(a, size(b))", "Incorrect operand type for operator or function; operator or function: attribute_type, operand type: N"),
    ("begins_with(size(a), :v)", "Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"),
    ("size(size(a)) = :v", "Incorrect operand type for operator or function; operator or function: size, operand type: N"),
]


@pytest.mark.parametrize("text,detail", FUNCTION_ERRORS)
def test_function_misuse(text, detail):
    values = {":v": S("x")} if ":v" in text else None
    assert error_of("ConditionExpression", text, None, values) == f"Invalid ConditionExpression: {detail}"


@pytest.mark.parametrize(
    "text,names,operator,path",
    [
        ("a = a", None, "=", "[a]"),
        ("a.b[1] < #a.b[1]", {"#a": "a"}, "<", "[a, b, [1]]"),
        ("contains(#x, #y)", {"#x": "s", "#y": "s"}, "contains", "[s]"),
        ("begins_with(a, a)", None, "begins_with", "[a]"),
    ],
)
def test_operands_must_be_distinct_paths(text, names, operator, path):
    assert error_of("ConditionExpression", text, names) == (
        "Invalid ConditionExpression: The first operand must be distinct from the remaining operands for this "
        f"operator or function; operator: {operator}, first operand: {path}"
    )


def test_size_of_a_constant_is_allowed():
    condition = compile_as("ConditionExpression", "size(:v) = :n", None, {":v": S("abc"), ":n": N("3")})
    assert condition.evaluate({}) is True


def test_redundant_parentheses():
    values = {":c": N("1"), ":p": S("p")}
    assert error_of("ConditionExpression", "((c = :c))", None, {":c": N("1")}) == (
        "Invalid ConditionExpression: The expression has redundant parentheses;"
    )
    compile_as("ConditionExpression", "((c = :c) AND (p = :p))", None, values)
    assert "redundant parentheses" in error_of("ConditionExpression", "((c = :c) AND ((p = :p)))", None, values)


def test_in_accepts_up_to_one_hundred_listed_operands():
    values = {f":v{i}": N(str(i)) for i in range(101)}
    hundred = {k: values[k] for k in list(values)[:100]}
    compile_as("ConditionExpression", f"a IN ({', '.join(hundred)})", None, hundred)
    assert error_of("ConditionExpression", f"a IN ({', '.join(values)})", None, values) == (
        "Invalid ConditionExpression: The IN operator is provided with too many operands; number of operands: 101"
    )


def test_document_paths_nest_at_most_32_levels():
    deep = "a" + ".b" * 32
    assert error_of("ProjectionExpression", deep) == (
        "Invalid ProjectionExpression: The document path has too many nesting levels; nesting levels: 33"
    )
    compile_as("ProjectionExpression", "a" + ".b" * 31)


@pytest.mark.parametrize(
    "text,values,detail",
    [
        ("a < :v", {":v": {"L": []}}, "Incorrect operand type for operator or function; operator or function: <, operand type: L"),
        (":v >= a", {":v": {"BOOL": True}}, "Incorrect operand type for operator or function; operator or function: >=, operand type: BOOL"),
        ("a BETWEEN :v AND :w", {":v": {"M": {}}, ":w": {"M": {}}}, "Incorrect operand type for operator or function; operator or function: BETWEEN, operand type: M"),
        ("a BETWEEN :v AND :w", {":v": N("2"), ":w": N("1")}, "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:2}, upper bound operand: AttributeValue: {N:1}"),
        ("a BETWEEN :v AND :w", {":v": N("2"), ":w": S("dog")}, "The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {N:2}, upper bound operand: AttributeValue: {S:dog}"),
        ("begins_with(a, :v)", {":v": N("2")}, "Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"),
        ("begins_with(:v, a)", {":v": {"SS": ["x"]}}, "Incorrect operand type for operator or function; operator or function: begins_with, operand type: SS"),
        ("attribute_type(a, :v)", {":v": S("DOG")}, "Invalid attribute type name found; type: DOG, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}"),
        ("size(:v) = :w", {":v": N("1"), ":w": N("1")}, "Incorrect operand type for operator or function; operator or function: size, operand type: N"),
        ("size(:v) = :w", {":v": {"NULL": True}, ":w": N("1")}, "Incorrect operand type for operator or function; operator or function: size, operand type: NULL"),
        ("attribute_type(a, :v)", {":v": N("1")}, "Incorrect operand type for operator or function; operator or function: attribute_type, operand type: N"),
    ],
)
def test_constant_operands_are_type_checked(text, values, detail):
    assert error_of("FilterExpression", text, None, values) == f"Invalid FilterExpression: {detail}"


def test_cached_expressions_still_report_request_specific_errors():
    compile_as("ConditionExpression", "#a = :v", {"#a": "a"}, {":v": S("x")})
    assert "attribute name: #a" in error_of("ConditionExpression", "#a = :v", None, {":v": S("x")})
    assert "attribute value: :v" in error_of("ConditionExpression", "#a = :v", {"#a": "a"}, None)


@pytest.mark.parametrize("kind", ["ConditionExpression", "UpdateExpression", "ProjectionExpression"])
def test_expressions_are_limited_to_4096_bytes(kind):
    prefix = {"ConditionExpression": "attribute_exists(", "UpdateExpression": "REMOVE ", "ProjectionExpression": ""}[kind]
    suffix = ")" if kind == "ConditionExpression" else ""
    fits = prefix + "a" * (4096 - len(prefix) - len(suffix)) + suffix
    compile_as(kind, fits)
    too_long = prefix + "é" + "a" * (4096 - len(prefix) - len(suffix) - 1) + suffix  # é is 2 bytes
    assert error_of(kind, too_long) == (
        f"Invalid {kind}: Expression size has exceeded the maximum allowed size; expression size: 4097"
    )


def test_expressions_are_limited_to_300_operators():
    values = {":v": S("x")}
    compile_as("FilterExpression", " AND ".join(["a <> :v"] * 150), None, values)  # 150 + 149
    assert error_of("FilterExpression", " AND ".join(["a <> :v"] * 151), None, values) == (
        "Invalid FilterExpression: The expression contains too many operators; operator count: 301"
    )
