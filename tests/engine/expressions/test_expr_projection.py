"""ProjectionExpression: selected paths, nesting kept, overlap rules."""
import pytest
from expr_wire import L, M, S

from jobtable.engine.errors import ValidationException
from jobtable.engine.expressions import ExpressionContext, compile_projection


ITEM = {
    "jobId": S("j"),
    "state": S("DONE"),
    "a": M(b=M(c=S("c"), d=S("d")), e=L(S("e0"), M(f=S("f"), g=S("g")), S("e2"), S("e3"))),
    "list": L(S("x0"), L(S("y0"), S("y1")), S("x2")),
    "dotted.name": S("dot"),
}

CASES = [
    ("jobId", {"jobId": S("j")}),
    ("jobId, #s", {"jobId": S("j"), "state": S("DONE")}),
    ("absent", {}),
    ("a.b.c", {"a": M(b=M(c=S("c")))}),
    ("a.b.c, a.b.d", {"a": M(b=M(c=S("c"), d=S("d")))}),
    ("a.e[1].f", {"a": M(e=L(M(f=S("f"))))}),
    ("a.e[3], a.e[0]", {"a": M(e=L(S("e0"), S("e3")))}),  # packed, in index order
    ("a.e[1].g, a.e[1].f", {"a": M(e=L(M(g=S("g"), f=S("f"))))}),
    ("a.e[9], a.b.nope, a.b.c.deeper, jobId[0], #s.x", {}),
    ("#l[1][0]", {"list": L(L(S("y0")))}),
    ("#dot", {"dotted.name": S("dot")}),
    ("a.b, a.e[2]", {"a": M(b=M(c=S("c"), d=S("d")), e=L(S("e2")))}),
]

NAMES = {"#s": "state", "#l": "list", "#dot": "dotted.name"}


@pytest.mark.parametrize("text,expected", CASES)
def test_projection(text, expected):
    names = {k: v for k, v in NAMES.items() if k in text}
    ctx = ExpressionContext(names, None)
    projection = compile_projection(text, ctx)
    ctx.check_all_used()
    assert projection.apply(ITEM) == expected


def test_top_level_names():
    projection = compile_projection("a.b.c, #s, a.e[0]", ExpressionContext({"#s": "state"}, None))
    assert projection.top_level_names == frozenset({"a", "state"})


def test_empty_item_projects_to_nothing():
    assert compile_projection("a", ExpressionContext(None, None)).apply({}) == {}


@pytest.mark.parametrize(
    "text,detail",
    [
        ("a, a", "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]"),
        ("a.b, a", "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a]"),
        ("a[0], a[0].b", "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a, [0]], path two: [a, [0], b]"),
        ("a.b, a[0]", "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a, [0]]"),
    ],
)
def test_overlapping_paths(text, detail):
    with pytest.raises(ValidationException) as info:
        compile_projection(text, ExpressionContext(None, None))
    assert info.value.message == f"Invalid ProjectionExpression: {detail}"


def test_names_resolving_to_the_same_attribute_overlap():
    with pytest.raises(ValidationException, match="overlap"):
        compile_projection("#x, #y", ExpressionContext({"#x": "a", "#y": "a"}, None))
