"""Exports in DynamoDB's S3 layout, imports from it (and from CSV), round trips byte for byte."""
from __future__ import annotations

import gzip
import json
import os
from typing import Any

import orjson
import pytest
from botocore.exceptions import ClientError

from backup_helpers import align, enable_pitr, error_of, scan_all, simple_table, table_status, when

KEY_SCHEMA = {"AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
              "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}], "BillingMode": "PAY_PER_REQUEST"}

EVERY_TYPE = [
    {"pk": {"S": "scalars"}, "s": {"S": "héllo \u2603 \"quoted\"\n"}, "empty": {"S": ""}, "n": {"N": "-1.5E+3"},
     "tiny": {"N": "1E-130"}, "huge": {"N": "9.9999999999999999999999999999999999999E+125"},
     "digits": {"N": "12345678901234567890123456789012345678"}, "b": {"B": bytes(range(256))},
     "t": {"BOOL": True}, "f": {"BOOL": False}, "null": {"NULL": True}},
    {"pk": {"S": "sets"}, "ss": {"SS": ["a", "b", "\u00e9"]}, "ns": {"NS": ["1", "-0.5", "100"]},
     "bs": {"BS": [b"\x00", b"\xff\xfe"]}},
    {"pk": {"S": "documents"}, "l": {"L": [{"S": "x"}, {"N": "1"}, {"L": []}, {"M": {}}, {"NULL": True}]},
     "m": {"M": {"deep": {"M": {"deeper": {"L": [{"B": b"\x01"}, {"SS": ["z"]}]}}}, "": {"S": "empty name"}}}},
]


def export_now(ddb: Any, backend: Any, table: str, **kwargs: Any) -> dict:
    arn = ddb.describe_table(TableName=table)["Table"]["TableArn"]
    started = ddb.export_table_to_point_in_time(TableArn=arn, S3Bucket="exports", **kwargs)["ExportDescription"]
    assert started["ExportStatus"] in ("IN_PROGRESS", "COMPLETED")
    backend.settle()
    done = ddb.describe_export(ExportArn=started["ExportArn"])["ExportDescription"]
    assert done["ExportStatus"] == "COMPLETED", done
    return done


def import_export(ddb: Any, backend: Any, export: dict, target: str) -> dict:
    data_prefix = export["ExportManifest"].rsplit("/", 1)[0] + "/data/"
    started = ddb.import_table(S3BucketSource={"S3Bucket": "exports", "S3KeyPrefix": data_prefix},
                               InputFormat="DYNAMODB_JSON", InputCompressionType="GZIP",
                               TableCreationParameters={"TableName": target, **KEY_SCHEMA})["ImportTableDescription"]
    assert started["ImportStatus"] == "IN_PROGRESS"
    backend.settle()
    done = ddb.describe_import(ImportArn=started["ImportArn"])["ImportTableDescription"]
    assert done["ImportStatus"] == "COMPLETED", done
    assert table_status(ddb, target) == "ACTIVE"
    return done


def test_export_then_import_round_trips_every_attribute_type(ddb: Any, backend: Any, table_name: str) -> None:
    simple_table(ddb, table_name)
    enable_pitr(ddb, table_name)
    for item in EVERY_TYPE:
        ddb.put_item(TableName=table_name, Item=item)
    backend.advance(60)
    export = export_now(ddb, backend, table_name, S3Prefix="round/trip")
    assert export["ItemCount"] == 3 and export["ExportType"] == "FULL_EXPORT"
    assert export["ExportManifest"].startswith("round/trip/AWSDynamoDB/")
    assert export["BilledSizeBytes"] == ddb.describe_table(TableName=table_name)["Table"]["TableSizeBytes"]
    done = import_export(ddb, backend, export, f"{table_name}-copy")
    assert (done["ProcessedItemCount"], done["ImportedItemCount"], done["ErrorCount"]) == (3, 3, 0)
    original = scan_all(ddb, table_name)
    assert scan_all(ddb, f"{table_name}-copy") == original
    assert original["scalars"]["n"] == {"N": "-1500"} and original["scalars"]["b"] == {"B": bytes(range(256))}
    assert original["sets"]["bs"] == EVERY_TYPE[1]["bs"] and original["documents"] == EVERY_TYPE[2]
    summaries = ddb.list_exports(TableArn=export["TableArn"])["ExportSummaries"]
    assert summaries == [{"ExportArn": export["ExportArn"], "ExportStatus": "COMPLETED", "ExportType": "FULL_EXPORT"}]


def test_round_trip_is_byte_for_byte_in_storage_and_files(local: Any) -> None:
    from jobtable.engine.s3local import export_root

    ddb, engine = local.ddb, local.engine
    simple_table(ddb, "orig")
    enable_pitr(ddb, "orig")
    for item in EVERY_TYPE:
        ddb.put_item(TableName="orig", Item=item)
    local.advance(5)
    first = export_now(ddb, local, "orig")
    import_export(ddb, local, first, "copy")
    enable_pitr(ddb, "copy")
    local.advance(5)
    second = export_now(ddb, local, "copy")
    stored = [engine.storage.conn.execute(f"SELECT pk, doc FROM {engine.catalog.require(t).items_table}"
                                          " ORDER BY pk").fetchall() for t in ("orig", "copy")]
    assert stored[0] == stored[1]

    def data_lines(export: dict) -> list[bytes]:
        folder = os.path.join(export_root(engine), "exports", export["ExportManifest"].rsplit("/", 1)[0])
        entries = [json.loads(line) for line in open(os.path.join(folder, "manifest-files.json"))]
        lines = []
        for entry in entries:
            path = os.path.join(export_root(engine), "exports", entry["dataFileS3Key"])
            body = open(path, "rb").read()
            import base64
            import hashlib

            assert entry["md5Checksum"] == base64.b64encode(hashlib.md5(body, usedforsecurity=False).digest()).decode()
            lines += gzip.decompress(body).splitlines()
        return sorted(lines)

    assert data_lines(first) == data_lines(second) and len(data_lines(first)) == 3
    assert sorted(orjson.loads(line)["Item"]["pk"]["S"] for line in data_lines(first)) == ["documents", "scalars", "sets"]
    folder = os.path.join(export_root(engine), "exports", first["ExportManifest"].rsplit("/", 1)[0])
    assert sorted(os.listdir(folder)) == ["_started", "data", "manifest-files.checksum", "manifest-files.json",
                                          "manifest-summary.checksum", "manifest-summary.json"]
    summary = json.load(open(os.path.join(folder, "manifest-summary.json")))
    assert summary["exportArn"] == first["ExportArn"] and summary["itemCount"] == 3
    assert summary["outputFormat"] == "DYNAMODB_JSON" and summary["manifestFilesS3Key"].endswith("manifest-files.json")


def test_export_at_a_past_second_holds_that_second(ddb: Any, backend: Any, table_name: str) -> None:
    simple_table(ddb, table_name)
    align(backend)
    enable_pitr(ddb, table_name)
    ddb.put_item(TableName=table_name, Item={"pk": {"S": "kept"}, "v": {"N": "1"}})
    ddb.put_item(TableName=table_name, Item={"pk": {"S": "deleted-later"}})
    then = backend.advance(60)
    backend.advance(1)
    ddb.put_item(TableName=table_name, Item={"pk": {"S": "kept"}, "v": {"N": "2"}})
    ddb.delete_item(TableName=table_name, Key={"pk": {"S": "deleted-later"}})
    ddb.put_item(TableName=table_name, Item={"pk": {"S": "added-later"}})
    backend.advance(60)
    export = export_now(ddb, backend, table_name, ExportTime=when(then))
    import_export(ddb, backend, export, f"{table_name}-then")
    assert scan_all(ddb, f"{table_name}-then") == {"kept": {"pk": {"S": "kept"}, "v": {"N": "1"}},
                                                   "deleted-later": {"pk": {"S": "deleted-later"}}}


def test_incremental_export_writes_each_changed_key_once(local: Any) -> None:
    from jobtable.engine.s3local import export_root

    ddb = local.ddb
    simple_table(ddb, "inc")
    enable_pitr(ddb, "inc")
    ddb.put_item(TableName="inc", Item={"pk": {"S": "old"}, "v": {"N": "0"}})
    ddb.put_item(TableName="inc", Item={"pk": {"S": "gone"}})
    start = local.advance(60)
    ddb.put_item(TableName="inc", Item={"pk": {"S": "old"}, "v": {"N": "1"}})
    ddb.put_item(TableName="inc", Item={"pk": {"S": "old"}, "v": {"N": "2"}})
    ddb.delete_item(TableName="inc", Key={"pk": {"S": "gone"}})
    ddb.put_item(TableName="inc", Item={"pk": {"S": "new"}})
    local.advance(3600)
    ddb.put_item(TableName="inc", Item={"pk": {"S": "outside"}})
    local.advance(60)
    spec = {"ExportFromTime": when(start), "ExportToTime": when(start + 1800)}
    lines = {}
    for view in ("NEW_AND_OLD_IMAGES", "NEW_IMAGE"):
        export = export_now(local.ddb, local, "inc", ExportType="INCREMENTAL_EXPORT",
                            IncrementalExportSpecification={**spec, "ExportViewType": view})
        assert export["ItemCount"] == 3
        folder = os.path.join(export_root(local.engine), "exports", export["ExportManifest"].rsplit("/", 1)[0])
        entry = json.loads(open(os.path.join(folder, "manifest-files.json")).readline())
        body = gzip.decompress(open(os.path.join(export_root(local.engine), "exports", entry["dataFileS3Key"]),
                                    "rb").read())
        lines[view] = {json.loads(line)["Keys"]["pk"]["S"]: json.loads(line) for line in body.splitlines()}
    full = lines["NEW_AND_OLD_IMAGES"]
    assert full["old"]["OldImage"] == {"pk": {"S": "old"}, "v": {"N": "0"}}
    assert full["old"]["NewImage"] == {"pk": {"S": "old"}, "v": {"N": "2"}}
    assert full["gone"] == {"Metadata": full["gone"]["Metadata"], "Keys": {"pk": {"S": "gone"}},
                            "OldImage": {"pk": {"S": "gone"}}}
    assert "OldImage" not in full["new"] and int(full["new"]["Metadata"]["WriteTimestampMicros"]["N"]) == start * 10**6
    assert all("OldImage" not in line for line in lines["NEW_IMAGE"].values())


def test_csv_import_types_keys_and_counts_errors(local: Any) -> None:
    from jobtable.engine.s3local import object_path

    path = object_path(local.engine, "incoming", "jobs/part-1.csv")
    os.makedirs(os.path.dirname(path))
    with open(path, "w", newline="") as f:
        f.write('jobId,n,status,note\nj1,1,queued,"multi\nline"\nj2,2,running,\n,3,broken,no key\nj3,x,bad,not a number\n')
    done = local.ddb.import_table(
        S3BucketSource={"S3Bucket": "incoming", "S3KeyPrefix": "jobs/"}, InputFormat="CSV",
        TableCreationParameters={"TableName": "from-csv", "BillingMode": "PAY_PER_REQUEST",
                                 "AttributeDefinitions": [{"AttributeName": "jobId", "AttributeType": "S"},
                                                          {"AttributeName": "n", "AttributeType": "N"}],
                                 "KeySchema": [{"AttributeName": "jobId", "KeyType": "HASH"},
                                               {"AttributeName": "n", "KeyType": "RANGE"}]})["ImportTableDescription"]
    local.settle()
    done = local.ddb.describe_import(ImportArn=done["ImportArn"])["ImportTableDescription"]
    assert (done["ImportStatus"], done["ProcessedItemCount"], done["ImportedItemCount"], done["ErrorCount"]) == (
        "COMPLETED", 4, 2, 2)
    items = local.ddb.scan(TableName="from-csv")["Items"]
    assert sorted(items, key=lambda i: i["jobId"]["S"]) == [
        {"jobId": {"S": "j1"}, "n": {"N": "1"}, "status": {"S": "queued"}, "note": {"S": "multi\nline"}},
        {"jobId": {"S": "j2"}, "n": {"N": "2"}, "status": {"S": "running"}}]
    assert local.ddb.list_imports()["ImportSummaryList"][0]["ImportArn"] == done["ImportArn"]


def test_export_and_import_errors(ddb: Any, backend: Any, table_name: str) -> None:
    simple_table(ddb, table_name)
    arn = ddb.describe_table(TableName=table_name)["Table"]["TableArn"]
    with pytest.raises(ClientError) as excinfo:
        ddb.export_table_to_point_in_time(TableArn=arn, S3Bucket="exports")
    assert error_of(excinfo) == ("PointInTimeRecoveryUnavailableException",
                                 f"Point in time recovery is not enabled for table '{table_name}'")
    align(backend)
    enable_pitr(ddb, table_name)
    now = backend.advance(600)
    with pytest.raises(ClientError) as excinfo:
        ddb.export_table_to_point_in_time(TableArn=arn, S3Bucket="exports", ExportTime=when(now - 7200))
    assert error_of(excinfo)[0] == "InvalidExportTimeException"
    with pytest.raises(ClientError) as excinfo:
        ddb.export_table_to_point_in_time(TableArn=arn, S3Bucket="exports", ExportType="INCREMENTAL_EXPORT",
                                          IncrementalExportSpecification={"ExportFromTime": when(now - 300),
                                                                          "ExportToTime": when(now)})
    assert error_of(excinfo)[0] == "ValidationException"
    with pytest.raises(ClientError) as excinfo:
        ddb.describe_export(ExportArn=arn + "/export/01790000000000-00000000")
    assert error_of(excinfo)[0] == "ExportNotFoundException"
    with pytest.raises(ClientError) as excinfo:
        ddb.import_table(S3BucketSource={"S3Bucket": "exports"}, InputFormat="DYNAMODB_JSON",
                         TableCreationParameters={"TableName": table_name, **KEY_SCHEMA})
    assert error_of(excinfo) == ("ResourceInUseException", f"Table already exists: {table_name}")
    started = ddb.import_table(S3BucketSource={"S3Bucket": "exports", "S3KeyPrefix": "no/such/prefix/"},
                               InputFormat="DYNAMODB_JSON",
                               TableCreationParameters={"TableName": f"{table_name}-none", **KEY_SCHEMA})
    backend.settle()
    failed = ddb.describe_import(ImportArn=started["ImportTableDescription"]["ImportArn"])["ImportTableDescription"]
    assert failed["ImportStatus"] == "FAILED" and failed["FailureCode"]
    assert f"{table_name}-none" not in ddb.list_tables()["TableNames"]
