"""Property tests: printing a tree and parsing it back gives the same tree, and the
boolean operators obey their algebra on arbitrary items."""
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from jobtable.engine.errors import ValidationException
from jobtable.engine.expressions import ExpressionContext, ast, compile_condition
from jobtable.engine.expressions.grammar import parse

from expr_wire import N, S

# Names that are neither reserved words nor keywords.
NAMES = st.sampled_from(["x1", "y2", "z3"]).map(ast.Name)
NAME_REFS = st.sampled_from(["#a", "#b"]).map(ast.NameRef)
VALUE_REFS = st.sampled_from([":n1", ":n2", ":s1", ":s2"]).map(ast.ValueRef)


@st.composite
def paths(draw):
    head = draw(st.one_of(NAMES, NAME_REFS))
    rest = draw(st.lists(st.one_of(NAMES, NAME_REFS, st.integers(0, 3)), max_size=2))
    return ast.Path((head, *rest))


OPERANDS = st.one_of(paths(), VALUE_REFS, paths().map(lambda p: ast.Call("size", (p,))))

PREDICATES = st.one_of(
    st.builds(ast.Compare, st.sampled_from(["=", "<>", "<", "<=", ">", ">="]), OPERANDS, OPERANDS),
    st.tuples(OPERANDS, st.sampled_from([(":n1", ":n2"), (":s1", ":s2")])).map(
        lambda a: ast.Between(a[0], ast.ValueRef(a[1][0]), ast.ValueRef(a[1][1]))
    ),
    st.builds(ast.In, OPERANDS, st.lists(OPERANDS, min_size=1, max_size=3).map(tuple)),
    paths().map(lambda p: ast.Call("attribute_exists", (p,))),
    paths().map(lambda p: ast.Call("attribute_not_exists", (p,))),
    st.tuples(paths(), VALUE_REFS).map(lambda a: ast.Call("contains", a)),
)

RAW_CONDITIONS = st.recursive(
    PREDICATES,
    lambda inner: st.one_of(
        st.builds(ast.And, inner, inner), st.builds(ast.Or, inner, inner), st.builds(ast.Not, inner)
    ),
    max_leaves=6,
)

_BINDING = {ast.Or: 0, ast.And: 1}


def bracket(node):
    """Insert the parentheses the printed form needs to parse back into the same tree."""
    if isinstance(node, (ast.And, ast.Or)):
        level = _BINDING[type(node)]
        left, right = bracket(node.left), bracket(node.right)
        if _BINDING.get(type(left), 9) < level:
            left = ast.Parens(left)
        if _BINDING.get(type(right), 9) <= level:  # operators are left-associative
            right = ast.Parens(right)
        return type(node)(left, right)
    if isinstance(node, ast.Not):
        inner = bracket(node.operand)
        return ast.Not(ast.Parens(inner) if isinstance(inner, (ast.And, ast.Or)) else inner)
    return node


@settings(max_examples=150, deadline=None)
@given(RAW_CONDITIONS.map(bracket))
def test_conditions_print_and_parse_back(tree):
    assert parse(ast.render(tree), "condition", "ConditionExpression") == tree


SET_VALUES = st.one_of(
    OPERANDS.filter(lambda o: not isinstance(o, ast.Call)),
    st.builds(ast.Arithmetic, st.sampled_from(["+", "-"]), paths(), VALUE_REFS),
    st.tuples(paths(), VALUE_REFS).map(lambda a: ast.Call("if_not_exists", a)),
    st.tuples(paths(), VALUE_REFS).map(lambda a: ast.Call("list_append", a)),
)


@st.composite
def updates(draw):
    keywords = draw(st.lists(st.sampled_from(["SET", "REMOVE", "ADD", "DELETE"]), min_size=1, max_size=4, unique=True))
    sections = []
    for keyword in keywords:
        count = draw(st.integers(1, 3))
        if keyword == "SET":
            actions = [ast.SetAction(draw(paths()), draw(SET_VALUES)) for _ in range(count)]
        elif keyword == "REMOVE":
            actions = [ast.RemoveAction(draw(paths())) for _ in range(count)]
        elif keyword == "ADD":
            actions = [ast.AddAction(draw(paths()), draw(VALUE_REFS)) for _ in range(count)]
        else:
            actions = [ast.DeleteAction(draw(paths()), draw(VALUE_REFS)) for _ in range(count)]
        sections.append(ast.Section(keyword, tuple(actions)))
    return ast.UpdateTree(tuple(sections))


@settings(max_examples=100, deadline=None)
@given(updates())
def test_updates_print_and_parse_back(tree):
    assert parse(ast.render(tree), "update", "UpdateExpression") == tree


@settings(max_examples=50, deadline=None)
@given(st.lists(paths(), min_size=1, max_size=4).map(lambda ps: ast.ProjectionTree(tuple(ps))))
def test_projections_print_and_parse_back(tree):
    assert parse(ast.render(tree), "projection", "ProjectionExpression") == tree


SCALARS = st.one_of(st.integers(-3, 3).map(lambda i: N(str(i))), st.sampled_from(["", "a", "b", "ab"]).map(S))
ITEMS = st.dictionaries(
    st.sampled_from(["x1", "y2", "z3", "p", "q"]),
    st.one_of(SCALARS, st.lists(SCALARS, max_size=3).map(lambda e: {"L": e}),
              st.dictionaries(st.sampled_from(["x1", "y2", "p", "q"]), SCALARS, max_size=3).map(lambda m: {"M": m})),
    max_size=5,
)
CONTEXT_NAMES = {"#a": "p", "#b": "q"}
CONTEXT_VALUES = {":n1": N("1"), ":n2": N("2"), ":s1": S("a"), ":s2": S("b")}


def compiles(tree) -> bool:
    """Generated trees may compare a path with itself, which DynamoDB refuses."""
    try:
        compile_condition(ast.render(tree), ExpressionContext(CONTEXT_NAMES, CONTEXT_VALUES))
    except ValidationException:
        return False
    return True


def evaluate(tree, item):
    return compile_condition(ast.render(tree), ExpressionContext(CONTEXT_NAMES, CONTEXT_VALUES)).evaluate(item)


@settings(max_examples=150, deadline=None)
@given(RAW_CONDITIONS.map(bracket), RAW_CONDITIONS.map(bracket), ITEMS)
def test_boolean_algebra_holds_on_any_item(first, second, item):
    assume(compiles(first) and compiles(second))
    a, b = evaluate(first, item), evaluate(second, item)
    assert evaluate(ast.Not(ast.Parens(first)), item) is (not a)
    assert evaluate(ast.And(ast.Parens(first), ast.Parens(second)), item) is (a and b)
    assert evaluate(ast.Or(ast.Parens(first), ast.Parens(second)), item) is (a or b)
