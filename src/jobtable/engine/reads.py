"""Query and Scan: key-ordered range reads over the base table or an index, paged at 1 MB.

Query is always a range read on (partition, sort) bytes; Scan walks the partition-hash
order so parallel-scan segments are contiguous ranges. Limit and the 1 MB page cap count
items *read*, before the filter, as in DynamoDB.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterator

import orjson

from jobtable.engine.capacity import READ_UNIT_BYTES, Consumed
from jobtable.engine.catalog import IndexMeta, TableMeta
from jobtable.engine.errors import ValidationException
from jobtable.engine.keys import encode_key_value
from jobtable.engine.writes import encoded_key, partition_hash

if TYPE_CHECKING:
    from jobtable.engine.engine import Engine
    from jobtable.engine.expressions import Condition, KeyCondition, Projection

PAGE_BYTES = 1024 * 1024
HASH_SPACE = 0x10000
OUTSIDE_QUERY_BOUNDARIES = "The provided starting key is outside query boundaries based on provided conditions"


@dataclass
class ReadRequest:
    meta: TableMeta
    index: IndexMeta | None = None
    filter: "Condition | None" = None
    projection: "Projection | None" = None
    select: str = "ALL_ATTRIBUTES"
    limit: int | None = None
    exclusive_start_key: dict | None = None
    consistent: bool = False
    # Query only
    key_condition: "KeyCondition | None" = None
    forward: bool = True
    # Scan only
    segment: int | None = None
    total_segments: int | None = None


@dataclass
class ReadPage:
    items: list[Any] = field(default_factory=list)  # dicts, or orjson.Fragment when untouched
    count: int = 0
    scanned_count: int = 0
    last_evaluated_key: dict | None = None
    consumed: Consumed | None = None


def _prefix_successor(prefix: bytes) -> bytes | None:
    """Smallest byte string greater than every string starting with `prefix` (None: no bound)."""
    stripped = prefix.rstrip(b"\xff")
    if not stripped:
        return None
    return stripped[:-1] + bytes([stripped[-1] + 1])


def _range_sql(column: str, op: str | None, values: tuple[dict, ...]) -> tuple[str, list[bytes]]:
    if op is None:
        return "", []
    enc = [encode_key_value(v) for v in values]
    if op == "EQ":
        return f" AND {column} = ?", enc
    if op in ("LT", "LE", "GT", "GE"):
        sym = {"LT": "<", "LE": "<=", "GT": ">", "GE": ">="}[op]
        return f" AND {column} {sym} ?", enc
    if op == "BETWEEN":
        return f" AND {column} >= ? AND {column} <= ?", enc
    if op == "BEGINS_WITH":
        upper = _prefix_successor(enc[0])
        if upper is None:
            return f" AND {column} >= ?", enc
        return f" AND {column} >= ? AND {column} < ?", [enc[0], upper]
    raise ValidationException(f"Unsupported key condition operator {op}")


def _key_attrs(req: ReadRequest) -> list[str]:
    names = req.meta.key_names()
    if req.index is not None:
        names = names + [n for n in req.index.key_names() if n not in names]
    return names


def _check_start_key(req: ReadRequest) -> dict | None:
    start = req.exclusive_start_key
    if start is None:
        return None
    wanted = _key_attrs(req)
    if set(start) != set(wanted) or any(len(start[n]) != 1 for n in wanted):
        raise ValidationException("The provided starting key is invalid: The provided key element does not match the schema")
    return start


def _rows(engine: "Engine", req: ReadRequest) -> Iterator[tuple[bytes, int]]:
    """Yield (doc, size) rows in DynamoDB order, after ExclusiveStartKey."""
    meta, index = req.meta, req.index
    start = _check_start_key(req)
    c = engine.storage.conn
    if req.key_condition is not None:  # Query
        kc = req.key_condition
        hash_value = encode_key_value(kc.hash_value)
        if index is None:
            table, pcol, scol, order_cols = meta.items_table, "pk", "sk", ["sk"]
        else:
            table, pcol, scol, order_cols = index.sql_table, "ipk", "isk", ["isk", "pk", "sk"]
        where, params = _range_sql(scol, kc.range_op, tuple(kc.range_values))
        sql_params: list[Any] = [hash_value] + params
        if start is not None:
            cmp = ">" if req.forward else "<"
            if index is None:
                spk, ssk = encoded_key(meta, start)
                if encode_key_value(start[meta.hash.name]) != hash_value:
                    raise ValidationException(OUTSIDE_QUERY_BOUNDARIES)
                where += f" AND sk {cmp} ?"
                sql_params.append(ssk)
            else:
                spk, ssk = encoded_key(meta, start)
                sisk = encode_key_value(start[index.range.name]) if index.range else b""
                if encode_key_value(start[index.hash.name]) != hash_value:
                    raise ValidationException(OUTSIDE_QUERY_BOUNDARIES)
                where += f" AND (isk, pk, sk) {cmp} (?, ?, ?)"
                sql_params += [sisk, spk, ssk]
        direction = "ASC" if req.forward else "DESC"
        order = ", ".join(f"{col} {direction}" for col in order_cols)
        sql = f"SELECT doc, size FROM {table} WHERE {pcol} = ?{where} ORDER BY {order}"
        yield from c.execute(sql, sql_params)
        return
    # Scan
    lo, hi = 0, HASH_SPACE
    if req.total_segments:
        lo = req.segment * HASH_SPACE // req.total_segments
        hi = (req.segment + 1) * HASH_SPACE // req.total_segments
    if index is None:
        params2: list[Any] = [lo, hi]
        where = "h >= ? AND h < ?"
        if start is not None:
            # The row value alone is the range's lower bound: with `h >= ?` beside it SQLite
            # seeks to the segment start and filters, re-walking the table on every page.
            spk, ssk = encoded_key(meta, start)
            where = "(h, pk, sk) > (?, ?, ?) AND h < ?"
            params2 = [partition_hash(spk), spk, ssk, hi]
        yield from c.execute(f"SELECT doc, size FROM {meta.items_table} WHERE {where} ORDER BY h, pk, sk", params2)
        return
    params3: list[Any] = []
    where = "1"
    if start is not None:
        spk, ssk = encoded_key(meta, start)
        sipk = encode_key_value(start[index.hash.name])
        sisk = encode_key_value(start[index.range.name]) if index.range else b""
        where = "(ipk, isk, pk, sk) > (?, ?, ?, ?)"
        params3 = [sipk, sisk, spk, ssk]
    for doc, size, ipk in c.execute(f"SELECT doc, size, ipk FROM {index.sql_table} WHERE {where}"
                                    " ORDER BY ipk, isk, pk, sk", params3):
        if lo <= partition_hash(ipk) < hi:
            yield doc, size


def read_page(engine: "Engine", req: ReadRequest) -> ReadPage:
    """One Query/Scan page: at most Limit items read and about 1 MB, then filter and project."""
    page = ReadPage()
    needs_item = req.filter is not None or req.projection is not None
    fetch_base = _needs_base_fetch(req)
    read_bytes = 0
    last_doc: bytes | None = None
    stopped_early = False
    with engine.storage.read():
        iterator = _rows(engine, req)
        open_doc = engine.sealer.open
        for doc, size in iterator:
            doc = open_doc(doc)
            if read_bytes and read_bytes + size > PAGE_BYTES:
                stopped_early = True
                break
            read_bytes += size
            page.scanned_count += 1
            last_doc = doc
            item: Any = None
            if needs_item or fetch_base:
                item = orjson.loads(doc)
                if fetch_base:
                    item, extra = _base_item(engine, req.meta, item)
                    read_bytes += extra
            if req.filter is None or req.filter.evaluate(item):
                page.count += 1
                if req.select != "COUNT":
                    if req.projection is not None:
                        page.items.append(req.projection.apply(item))
                    else:
                        page.items.append(item if item is not None else orjson.Fragment(doc))
            if req.limit is not None and page.scanned_count >= req.limit:
                stopped_early = True
                break
        if stopped_early and last_doc is not None:
            last = orjson.loads(last_doc)
            page.last_evaluated_key = {n: last[n] for n in _key_attrs(req) if n in last}
    units = max(1, math.ceil(read_bytes / READ_UNIT_BYTES))
    units_f = float(units) if req.consistent else units / 2
    consumed = Consumed(req.meta.name, gsi_names=frozenset(i.name for i in req.meta.gsis))
    if req.index is None:
        consumed.read = units_f
    else:
        consumed.add_index_read(req.index.name, units_f)
    page.consumed = consumed
    return page


def _needs_base_fetch(req: ReadRequest) -> bool:
    """LSI reads of attributes the index does not project fetch the base item (as DynamoDB)."""
    index = req.index
    if index is None or index.kind != "LSI" or index.projection_type == "ALL":
        return False
    if req.select == "ALL_ATTRIBUTES":
        return True
    if req.projection is not None:
        projected = set(req.meta.key_names()) | set(index.key_names()) | set(index.non_key_attributes or [])
        return not req.projection.top_level_names <= projected
    return False


def _base_item(engine: "Engine", meta: TableMeta, entry: dict) -> tuple[dict, int]:
    pk, sk = encoded_key(meta, entry)
    row = engine.storage.conn.execute(f"SELECT doc, size FROM {meta.items_table} WHERE pk=? AND sk=?",
                                      (pk, sk)).fetchone()
    if row is None:
        return entry, 0
    return orjson.loads(engine.sealer.open(row[0])), row[1]
