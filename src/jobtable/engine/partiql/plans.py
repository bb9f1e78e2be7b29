"""What a PartiQL statement asks of the engine: a key lookup, a Query, a Scan, or one write.

SELECT with an equality on the partition key of the table (or index) is a Query (with a
sort-key range when the WHERE has one, and ORDER BY on the sort key), otherwise a Scan;
the whole WHERE is applied as the filter either way, so results are exact. INSERT is a put
guarded by attribute_not_exists (DuplicateItem), UPDATE an update guarded by
attribute_exists plus the non-key terms of its WHERE, DELETE a delete guarded by those
terms (a missing item is not an error), EXISTS(SELECT ...) a condition check.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional, Sequence

from jobtable.engine import items
from jobtable.engine.catalog import IndexMeta, TableMeta
from jobtable.engine.errors import ResourceNotFoundException, ValidationException
from jobtable.engine.expressions import KeyCondition, ast
from jobtable.engine.expressions.builder import all_of, any_of
from jobtable.engine.expressions.documents import get_path
from jobtable.engine.reads import ReadRequest
from jobtable.engine.transactions import WriteAction
from jobtable.engine.values import check_item_size, validate_value
from jobtable.engine.writes import check_index_keys

from . import nodes
from .literals import bind, is_value
from .translate import Translator, conjuncts

if TYPE_CHECKING:
    from jobtable.engine.engine import Engine

INCOMPLETE_KEY = "Where clause does not contain a mandatory equality on all key attributes"
DUPLICATE_ITEM = "Duplicate primary key exists in table"
RANGE_OPERATORS = {"=": "EQ", "<": "LT", "<=": "LE", ">": "GT", ">=": "GE"}
MIRRORED = {"=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


def require_table(engine: "Engine", name: str) -> TableMeta:
    meta = engine.catalog.get(name)
    if meta is None:
        raise ResourceNotFoundException("Requested resource not found")
    return meta


class Projection:
    """A SELECT list: each path's value, named by its last attribute name (PartiQL's alias)."""

    def __init__(self, paths: Sequence[nodes.Path]) -> None:
        self.paths = [(p.elements, _alias(p)) for p in paths]
        self.top_level_names = frozenset(p.top for p in paths)

    def apply(self, item: dict) -> dict:
        out = {}
        for elements, alias in self.paths:
            value = get_path(item, elements)
            if value is not None:
                out[alias] = value
        return out


def _alias(path: nodes.Path) -> str:
    return next(e for e in reversed(path.elements) if isinstance(e, str))  # type: ignore[return-value]


def _equalities(terms: list[nodes.Condition], params: Sequence[dict]) -> dict[str, tuple[int, dict]]:
    """attribute -> (term index, value) for each top-level `attr = value` term (first one wins)."""
    found: dict[str, tuple[int, dict]] = {}
    for index, term in enumerate(terms):
        if not isinstance(term, nodes.Compare) or term.op != "=":
            continue
        left, right = term.left, term.right
        if is_value(left) and isinstance(right, nodes.Path):
            left, right = right, left
        if isinstance(left, nodes.Path) and len(left.elements) == 1 and is_value(right):
            found.setdefault(left.top, (index, bind(right, params)))  # type: ignore[arg-type]
    return found


def item_key(meta: TableMeta, where: Optional[nodes.Condition], params: Sequence[dict],
             ) -> tuple[dict, list[nodes.Condition]]:
    """The full primary key a WHERE names by equalities, and its other terms."""
    terms = conjuncts(where)
    equalities = _equalities(terms, params)
    key: dict = {}
    used: set[int] = set()
    for name in meta.key_names():
        if name not in equalities:
            raise ValidationException(INCOMPLETE_KEY)
        index, value = equalities[name]
        key[name] = value
        used.add(index)
    return items.check_key(meta, key), [t for i, t in enumerate(terms) if i not in used]


# ---------------------------------------------------------------- writes


def write_action(engine: "Engine", statement: nodes.Statement, params: Sequence[dict],
                 return_old_on_failure: bool = False) -> WriteAction:
    """INSERT, UPDATE, DELETE or EXISTS as one transaction-ready write action."""
    t = Translator(params)
    if isinstance(statement, nodes.Insert):
        meta = require_table(engine, statement.table)
        item = validate_value(bind(statement.item, params))
        if "M" not in item:
            raise ValidationException("Unsupported format in item expression. Please use struct format {...} to "
                                      "express item values for insert statement.")
        item = item["M"]
        items.check_item_keys(meta, item)
        check_index_keys(meta, item)
        check_item_size(item)
        key = {name: item[name] for name in meta.key_names()}
        condition = t.builder.condition(ast.Call("attribute_not_exists", (t.builder.path(meta.hash.name),)))
        return WriteAction("Put", meta, key, item=item, condition=condition, failure_code="DuplicateItem",
                           failure_message=DUPLICATE_ITEM)
    if isinstance(statement, nodes.Exists):
        select = statement.select
        if select.source.index is not None:
            raise ValidationException("Operations on indices are not supported in transactions")
        meta = require_table(engine, select.source.table)
        key, rest = item_key(meta, select.where, params)
        exists = ast.Call("attribute_exists", (t.builder.path(meta.hash.name),))
        tree = all_of([exists] + [t.condition(term) for term in rest])
        return WriteAction("ConditionCheck", meta, key, condition=t.builder.condition(tree),
                           return_old_on_failure=return_old_on_failure)
    meta = require_table(engine, statement.table)  # type: ignore[union-attr]
    key, rest = item_key(meta, statement.where, params)  # type: ignore[union-attr]
    residual = [t.condition(term) for term in rest]
    hash_path = t.builder.path(meta.hash.name)
    if isinstance(statement, nodes.Update):
        update = t.builder.update(t.update_sections(statement.actions))
        touched = update.top_level_names & set(meta.key_names())
        if touched:
            raise ValidationException("One or more parameter values were invalid: Cannot update attribute "
                                      f"{sorted(touched)[0]}. This attribute is part of the key")
        tree = all_of([ast.Call("attribute_exists", (hash_path,))] + residual)
        return WriteAction("Update", meta, key, update=update, condition=t.builder.condition(tree),
                           return_old_on_failure=return_old_on_failure)
    condition = None
    if residual:
        tree = any_of([ast.Call("attribute_not_exists", (hash_path,)), all_of(residual)])
        condition = t.builder.condition(tree)
    return WriteAction("Delete", meta, key, condition=condition, return_old_on_failure=return_old_on_failure)


# ---------------------------------------------------------------- reads


@dataclass
class KeyRead:
    """A SELECT that names one item by its full primary key (batches and transactions)."""

    meta: TableMeta
    key: dict
    projection: Optional[Projection]
    condition: Any  # Condition | None: the WHERE's other terms, applied to the item


def key_read(engine: "Engine", select: nodes.Select, params: Sequence[dict]) -> KeyRead:
    if select.source.index is not None:
        raise ValidationException(INCOMPLETE_KEY)
    meta = require_table(engine, select.source.table)
    key, rest = item_key(meta, select.where, params)
    t = Translator(params)
    condition = t.builder.condition(all_of([t.condition(term) for term in rest])) if rest else None
    projection = Projection(select.projection) if select.projection else None
    return KeyRead(meta, key, projection, condition)


def read_request(engine: "Engine", select: nodes.Select, params: Sequence[dict]) -> ReadRequest:
    """SELECT as a Query (partition key equality) or a Scan, with the WHERE as its filter."""
    meta = require_table(engine, select.source.table)
    index: Optional[IndexMeta] = None
    if select.source.index is not None:
        index = meta.index(select.source.index)
        if index is None:
            raise ValidationException(f"The table does not have the specified index: {select.source.index}")
    t = Translator(params)
    request = ReadRequest(meta=meta, index=index)
    if select.where is not None:
        request.filter = t.builder.condition(t.condition(select.where), "FilterExpression")
    if select.projection:
        request.projection = Projection(select.projection)  # type: ignore[assignment]
        request.select = "SPECIFIC_ATTRIBUTES"
    elif index is not None:
        request.select = "ALL_ATTRIBUTES" if index.kind == "LSI" else "ALL_PROJECTED_ATTRIBUTES"
    hash_attr = index.hash if index else meta.hash
    range_attr = index.range if index else meta.range
    terms = conjuncts(select.where)
    hash_value = _equalities(terms, params).get(hash_attr.name)
    if hash_value is not None and hash_attr.type in hash_value[1]:
        request.key_condition = _key_condition(hash_value[1], range_attr, terms, params)
    _order(request, select, hash_attr.name, range_attr.name if range_attr else None)
    return request


def _key_condition(hash_value: dict, range_attr: Any, terms: list[nodes.Condition],
                   params: Sequence[dict]) -> KeyCondition:
    if range_attr is not None:
        for term in terms:
            found = _range_term(term, range_attr.name, params)
            if found is not None and all(range_attr.type in v for v in found[1]):
                if found[0] != "BEGINS_WITH" or range_attr.type != "N":
                    return KeyCondition(hash_value, found[0], found[1])
    return KeyCondition(hash_value, None, ())


def _range_term(term: nodes.Condition, name: str, params: Sequence[dict]) -> Optional[tuple[str, tuple]]:
    def is_key(node: object) -> bool:
        return isinstance(node, nodes.Path) and node.elements == (name,)

    if isinstance(term, nodes.Compare) and term.op in RANGE_OPERATORS:
        if is_key(term.left) and is_value(term.right):
            return RANGE_OPERATORS[term.op], (bind(term.right, params),)  # type: ignore[arg-type]
        if is_key(term.right) and is_value(term.left):
            return RANGE_OPERATORS[MIRRORED[term.op]], (bind(term.left, params),)  # type: ignore[arg-type]
    if isinstance(term, nodes.Between) and is_key(term.operand) and is_value(term.low) and is_value(term.high):
        return "BETWEEN", (bind(term.low, params), bind(term.high, params))  # type: ignore[arg-type]
    if isinstance(term, nodes.Call) and term.name == "begins_with" and len(term.args) == 2 \
            and is_key(term.args[0]) and is_value(term.args[1]):
        return "BEGINS_WITH", (bind(term.args[1], params),)  # type: ignore[arg-type]
    return None


def _order(request: ReadRequest, select: nodes.Select, hash_name: str, range_name: Optional[str]) -> None:
    if not select.order_by:
        return
    if select.where is None:
        raise ValidationException("Must have WHERE clause in the statement when using ORDER BY clause.")
    if request.key_condition is None:
        raise ValidationException("Must have at least one non-optional hash key condition in WHERE clause when "
                                  "using ORDER BY clause.")
    for path, descending in select.order_by:
        if path.elements not in ((hash_name,), (range_name,)):
            raise ValidationException(f"Variable reference {path.elements[0]} in ORDER BY clause must be part of "
                                      "the primary key")
        if path.elements == (range_name,):
            request.forward = not descending
