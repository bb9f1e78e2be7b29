"""The seed's DynamoDB module as a Python API (boto3 only; works against any endpoint).

    from jobtable.module import TableModule
    module = TableModule("cloud-tools", "development", "abc123", endpoint_url="http://127.0.0.1:8000")
    print(module.plan()); module.apply(); print(module.outputs())
"""
from jobtable.module.apply import ApplyReport
from jobtable.module.backups import ScheduleReport, run_backup_schedule
from jobtable.module.config import ModuleConfig, table_name_for
from jobtable.module.health import HealthReport
from jobtable.module.plan import Change, format_plan
from jobtable.module.policy import JOB_ACTIONS, iam_policy_document
from jobtable.module.table_module import DeletionProtectedError, DestroyReport, TableModule

__all__ = [
    "ApplyReport", "Change", "DeletionProtectedError", "DestroyReport", "HealthReport", "JOB_ACTIONS",
    "ModuleConfig", "ScheduleReport", "TableModule", "format_plan", "iam_policy_document",
    "run_backup_schedule", "table_name_for",
]
