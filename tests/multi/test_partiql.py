"""PartiQL (ExecuteStatement, BatchExecuteStatement, ExecuteTransaction) through boto3."""
from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from .helpers import error_of

NOT_WELL_FORMED = "Statement wasn't well formed, can't be processed: "


def S(text: str) -> dict:
    return {"S": text}


def N(number: int) -> dict:
    return {"N": str(number)}


def run(ddb: Any, statement: str, **kwargs: Any) -> dict:
    return ddb.execute_statement(Statement=statement, **kwargs)


def rejected(ddb: Any, statement: str, **kwargs: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as excinfo:
        run(ddb, statement, **kwargs)
    return error_of(excinfo)


@pytest.fixture
def orders(ddb: Any, make_table: Any) -> str:
    """A composite-key table holding customer 'c1' orders 1..6 (total = 10 * order number)."""
    table = make_table("composite")
    for n in range(1, 7):
        run(ddb, f"INSERT INTO \"{table}\" VALUE {{'pk': 'c1', 'sk': {n}, 'total': {10 * n}, "
                 f"'info': {{'tags': ['t{n}', 'x'], 'rush': {'true' if n % 2 else 'false'}}}, "
                 f"'labels': <<'a', 'b'>>}}")
    run(ddb, f"INSERT INTO \"{table}\" VALUE {{'pk': 'c2', 'sk': 1, 'total': 5}}")
    return table


def test_insert_then_select_by_key_query_and_scan(ddb: Any, orders: str) -> None:
    one = run(ddb, f"SELECT * FROM \"{orders}\" WHERE pk = 'c1' AND sk = 2")["Items"]
    assert one == [{"pk": S("c1"), "sk": N(2), "total": N(20), "labels": {"SS": ["a", "b"]},
                    "info": {"M": {"tags": {"L": [S("t2"), S("x")]}, "rush": {"BOOL": False}}}}]
    ranged = run(ddb, f"SELECT sk, total FROM \"{orders}\" WHERE pk = ? AND sk BETWEEN ? AND ? ORDER BY sk DESC",
                 Parameters=[S("c1"), N(2), N(4)])["Items"]
    assert ranged == [{"sk": N(4), "total": N(40)}, {"sk": N(3), "total": N(30)}, {"sk": N(2), "total": N(20)}]
    scanned = run(ddb, f"SELECT pk, sk FROM \"{orders}\" WHERE total < 15")["Items"]
    assert sorted((i["pk"]["S"], i["sk"]["N"]) for i in scanned) == [("c1", "1"), ("c2", "1")]
    nested = run(ddb, f"SELECT info.tags[0] FROM \"{orders}\" WHERE pk = 'c1' AND info.rush = true "
                      "AND contains(info.tags, 'x') AND labels IS NOT MISSING AND nothing IS MISSING")["Items"]
    assert nested == [{"tags": S("t1")}, {"tags": S("t3")}, {"tags": S("t5")}]


def test_limit_and_next_token_page_through_a_query(ddb: Any, orders: str) -> None:
    statement = f"SELECT sk FROM \"{orders}\" WHERE pk = 'c1' AND total >= 20"
    seen, token, pages = [], None, 0
    while True:
        kwargs = {"Limit": 2} if token is None else {"Limit": 2, "NextToken": token}
        page = run(ddb, statement, **kwargs)
        seen += [int(i["sk"]["N"]) for i in page["Items"]]
        pages += 1
        token = page.get("NextToken")
        if token is None:
            break
    assert seen == [2, 3, 4, 5, 6] and pages == 4  # the page that reaches Limit last still has a token
    assert rejected(ddb, statement, NextToken="not-a-token") == ("ValidationException", "Invalid NextToken")
    first = run(ddb, statement, Limit=1)
    other = f"SELECT * FROM \"{orders}\" WHERE pk = 'c2'"
    assert rejected(ddb, other, NextToken=first["NextToken"]) == ("ValidationException",
                                                                   "NextToken does not match request")


def test_insert_update_delete_semantics(ddb: Any, orders: str) -> None:
    assert rejected(ddb, f"INSERT INTO \"{orders}\" VALUE {{'pk': 'c1', 'sk': 1}}") == (
        "DuplicateItemException", "Duplicate primary key exists in table")
    out = run(ddb, f"UPDATE \"{orders}\" SET total = total + 1 SET info.note = ? "
                   "SET labels = set_add(labels, <<'c'>>) REMOVE info.tags[1] "
                   "WHERE pk = 'c1' AND sk = 1 RETURNING ALL NEW *", Parameters=[S("gift")])
    assert out["Items"][0]["total"] == N(11)
    assert out["Items"][0]["info"]["M"]["note"] == S("gift")
    assert out["Items"][0]["info"]["M"]["tags"] == {"L": [S("t1")]}
    assert sorted(out["Items"][0]["labels"]["SS"]) == ["a", "b", "c"]
    modified = run(ddb, f"UPDATE \"{orders}\" SET total = 0 WHERE pk = 'c1' AND sk = 1 RETURNING MODIFIED OLD *")
    assert modified["Items"] == [{"total": N(11)}]
    assert rejected(ddb, f"UPDATE \"{orders}\" SET total = 1 WHERE pk = 'c9' AND sk = 1") == (
        "ConditionalCheckFailedException", "The conditional request failed")
    with pytest.raises(ClientError) as excinfo:
        run(ddb, f"UPDATE \"{orders}\" SET total = 1 WHERE pk = 'c1' AND sk = 2 AND total > 100",
            ReturnValuesOnConditionCheckFailure="ALL_OLD")
    assert excinfo.value.response["Item"]["total"] == N(20)
    assert run(ddb, f"DELETE FROM \"{orders}\" WHERE pk = 'c1' AND sk = 99")["Items"] == []
    assert rejected(ddb, f"DELETE FROM \"{orders}\" WHERE pk = 'c1' AND sk = 3 AND total = 1")[0] == \
        "ConditionalCheckFailedException"
    gone = run(ddb, f"DELETE FROM \"{orders}\" WHERE pk = 'c1' AND sk = 3 RETURNING ALL OLD *")
    assert gone["Items"][0]["total"] == N(30)
    assert run(ddb, f"SELECT * FROM \"{orders}\" WHERE pk = 'c1' AND sk = 3")["Items"] == []


def test_statement_errors_use_dynamodbs_wording(ddb: Any, orders: str) -> None:
    table = f"\"{orders}\""
    cases = {
        f"SELECT * FROM {table} WHERE pk = 'c1' foo": NOT_WELL_FORMED + "Unexpected token after expression",
        f"SELECT * FROM {table} WHERE": NOT_WELL_FORMED + "Unexpected term",
        f"SELECT * FROM {table} WHERE pk = 'c1' AND": NOT_WELL_FORMED + "Missing right-hand side expression of "
                                                                          "infix operator",
        f"SLECT * FROM {table}": NOT_WELL_FORMED + "Expected data manipulation",
        f"SELECT * FROM {table} t WHERE pk = 'x'": "Aliasing is not supported",
        f"UPDATE {table} SET total = 1 WHERE pk = 'c1'": "Where clause does not contain a mandatory equality on all "
                                                        "key attributes",
        f"DELETE FROM {table} WHERE pk = 'c1' AND sk = 1 RETURNING ALL NEW *":
            "Invalid returning clause: RETURNING ALL NEW *. Only RETURNING ALL OLD * is allowed in DELETE statements.",
        f"SELECT * FROM {table} WHERE pk = ?": "Number of parameters in request and statement don't match.",
        f"INSERT INTO {table} VALUE {{'pk': 'z', 'sk': 1e126}}": "Number overflow. Attempting to store a number with "
                                                                 "magnitude larger than supported range under root.sk",
        f"EXISTS(SELECT * FROM {table} WHERE pk = 'c1' AND sk = 1)": "EXISTS can only be used in ExecuteTransaction "
                                                                     "write requests.",
        f"SELECT * FROM {table} ORDER BY sk": "Must have WHERE clause in the statement when using ORDER BY clause.",
        f"INSERT INTO {table} VALUE {{'pk': 'z', 'sk': 2, 's': <<>>}}": "Empty bags are not supported",
    }
    for statement, message in cases.items():
        assert rejected(ddb, statement) == ("ValidationException", message), statement
    assert rejected(ddb, "SELECT * FROM \"no-such-table\"") == ("ResourceNotFoundException",
                                                               "Requested resource not found")


def test_batch_execute_statement_reports_each_statement(ddb: Any, orders: str) -> None:
    t = f"\"{orders}\""
    reads = ddb.batch_execute_statement(Statements=[
        {"Statement": f"SELECT total FROM {t} WHERE pk = 'c1' AND sk = 1"},
        {"Statement": f"SELECT * FROM {t} WHERE pk = 'c1'"},
        {"Statement": f"SELECT * FROM {t} WHERE pk = 'c1' AND sk = 77"},
        {"Statement": f"SELECT * FROM {t} WHERE"},
    ], ReturnConsumedCapacity="TOTAL")
    responses = reads["Responses"]
    assert responses[0] == {"TableName": orders, "Item": {"total": N(10)}}
    assert responses[1]["Error"] == {"Code": "ValidationError", "Message": "Where clause does not contain a "
                                                                           "mandatory equality on all key attributes"}
    assert responses[2] == {"TableName": orders}
    assert responses[3] == {"Error": {"Code": "ValidationError", "Message": NOT_WELL_FORMED + "Unexpected term"}}
    assert reads["ConsumedCapacity"][0]["TableName"] == orders
    writes = ddb.batch_execute_statement(Statements=[
        {"Statement": f"INSERT INTO {t} VALUE {{'pk': 'c3', 'sk': 1}}"},
        {"Statement": f"INSERT INTO {t} VALUE {{'pk': 'c1', 'sk': 1}}"},
        {"Statement": f"UPDATE {t} SET total = 0 WHERE pk = 'c1' AND sk = 2 AND total = 5",
         "ReturnValuesOnConditionCheckFailure": "ALL_OLD"},
    ])["Responses"]
    assert writes[0] == {"TableName": orders}
    assert writes[1]["Error"] == {"Code": "DuplicateItem", "Message": "Duplicate primary key exists in table"}
    assert writes[2]["Error"]["Code"] == "ConditionalCheckFailed"
    assert writes[2]["Error"]["Item"]["total"] == N(20)
    assert run(ddb, f"SELECT * FROM {t} WHERE pk = 'c3' AND sk = 1")["Items"] == [{"pk": S("c3"), "sk": N(1)}]


def test_execute_transaction_writes_all_or_nothing_with_a_token(backend: Any, ddb: Any, orders: str) -> None:
    t = f"\"{orders}\""
    statements = [
        {"Statement": f"UPDATE {t} SET total = total - ? WHERE pk = 'c1' AND sk = 1", "Parameters": [N(5)]},
        {"Statement": f"EXISTS(SELECT * FROM {t} WHERE pk = 'c2' AND sk = 1 AND total = 5)"},
        {"Statement": f"INSERT INTO {t} VALUE {{'pk': 'c4', 'sk': 1}}"},
        {"Statement": f"DELETE FROM {t} WHERE pk = 'c1' AND sk = 6"},
    ]
    out = ddb.execute_transaction(TransactStatements=statements, ClientRequestToken="pq-1",
                                  ReturnConsumedCapacity="TOTAL")
    assert out["Responses"] == []
    assert out["ConsumedCapacity"][0]["CapacityUnits"] == 8.0
    ddb.execute_transaction(TransactStatements=statements, ClientRequestToken="pq-1")  # a retry: no second write
    assert run(ddb, f"SELECT total FROM {t} WHERE pk = 'c1' AND sk = 1")["Items"] == [{"total": N(5)}]
    with pytest.raises(ClientError) as excinfo:
        ddb.execute_transaction(TransactStatements=statements[:2], ClientRequestToken="pq-1")
    assert error_of(excinfo)[0] == "IdempotentParameterMismatchException"
    with pytest.raises(ClientError) as excinfo:
        ddb.execute_transaction(TransactStatements=[
            {"Statement": f"UPDATE {t} SET total = 1 WHERE pk = 'c1' AND sk = 2"},
            {"Statement": f"INSERT INTO {t} VALUE {{'pk': 'c4', 'sk': 1}}"}])
    assert error_of(excinfo)[1].endswith("[None, DuplicateItem]")
    assert excinfo.value.response["CancellationReasons"][1] == {
        "Code": "DuplicateItem", "Message": "Duplicate primary key exists in table"}
    assert run(ddb, f"SELECT total FROM {t} WHERE pk = 'c1' AND sk = 2")["Items"] == [{"total": N(20)}]


def test_execute_transaction_reads_and_its_errors(ddb: Any, orders: str) -> None:
    t = f"\"{orders}\""
    out = ddb.execute_transaction(TransactStatements=[
        {"Statement": f"SELECT total FROM {t} WHERE pk = 'c1' AND sk = 4"},
        {"Statement": f"SELECT * FROM {t} WHERE pk = 'nobody' AND sk = 1"}])
    assert out["Responses"] == [{"Item": {"total": N(40)}}, {}]
    cases = [
        ([f"SELECT * FROM {t} WHERE pk = 'c1'"],
         "Validation failed in TransactStatements[0]: Select statements within ExecuteTransaction must specify the "
         "primary key in the where clause."),
        ([f"SELECT * FROM {t} WHERE pk = 'c1' AND sk = 1", f"UPDATE {t} SET a = 1 WHERE pk = 'c1' AND sk = 1 "
                                                            "RETURNING ALL NEW *"],
         "Validation failed in TransactStatements[1]: RETURNING clause is not supported in ExecuteTransaction."),
        ([f"SELECT * FROM {t} WHERE"],
         f"Validation failed in TransactStatements[0]: {NOT_WELL_FORMED}Unexpected term"),
    ]
    for statements, message in cases:
        with pytest.raises(ClientError) as excinfo:
            ddb.execute_transaction(TransactStatements=[{"Statement": s} for s in statements])
        assert error_of(excinfo) == ("ValidationException", message)
