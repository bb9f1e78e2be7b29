"""Operations: backups (list, create, restore), restore drills, point-in-time restore,
Contributor Insights top keys, CloudWatch graphs and health, for one table at a time."""
from __future__ import annotations

import datetime as dt
from typing import Any, Mapping

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from jobtable.dashboard import PREFIX, drills, health, metrics
from jobtable.dashboard.backend import Api, Outcome, attempt
from jobtable.dashboard.rendering import api_of, checked_form, query, render
from jobtable.dashboard.tableinfo import list_table_names, table_info

DONE_MESSAGES = {
    "backup": "Backup {name} of {table} requested.",
    "restore": "Restore into table {name} started; it is CREATING until the data is loaded.",
    "drill": "Restore drill of {table} started in the background; reload this page to see its result.",
}


def _chosen_table(api: Api, requested: str | None) -> tuple[Outcome[list], str | None]:
    names = attempt(list_table_names, api.dynamodb)
    if requested:
        return names, requested
    return names, (names.value or [None])[0]


def _window(params: Mapping[str, str]) -> str:
    return params.get("window") if params.get("window") in metrics.WINDOWS else "1h"


def _drills_of(api: Api, table: str, now: float, backups: Outcome[list]) -> Outcome[list]:
    """The table's recent drills from CloudWatch, each backup named from ListBackups."""
    results = attempt(drills.drill_results, api.cloudwatch, table, now)
    if results.ok and backups.ok:
        drills.name_backups(results.value, backups.value)
    return results


def _operations_context(api: Api, params: Mapping[str, str], runner: drills.DrillRunner) -> dict[str, Any]:
    names, table = _chosen_table(api, params.get("table"))
    context: dict[str, Any] = {"names": names, "table": table, "window": _window(params),
                               "windows": list(metrics.WINDOWS), "server_health": health.server_health(api.engine)}
    if table is None:
        return context
    info = table_info(api, table)
    window_seconds = metrics.WINDOWS[context["window"]]
    gsis = [i["IndexName"] for i in info.table.get("GlobalSecondaryIndexes", [])]
    index = params.get("index") if params.get("index") in gsis else None
    now = api.now()
    rules = (info.insights.value or {}).get("ContributorInsightsRuleList", [])
    naming = health.naming_from_tags(table, info.tags.value or [])
    backups = attempt(lambda: api.dynamodb.list_backups(TableName=table).get("BackupSummaries", []))
    context.update(
        info=info, gsis=gsis, index=index, backups=backups,
        drills=_drills_of(api, table, now, backups), drill_run=runner.latest(table),
        metric_charts=attempt(metrics.metric_charts, api.cloudwatch, table, index, now, window_seconds),
        insight_charts=attempt(metrics.top_keys_charts, api.cloudwatch, rules, now, window_seconds)
        if rules else Outcome([]),
        naming=naming, module_health=health.module_health(api, naming) if naming else None,
        restore_default=dt.datetime.fromtimestamp(now, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S"),
    )
    return context


def operations_page(request: Request) -> Response:
    params = request.query_params
    context = _operations_context(api_of(request), params, _runner(request))
    done = DONE_MESSAGES.get(params.get("done", ""))
    context["flash"] = done.format(name=params.get("name", ""), table=context["table"]) if done else None
    context["error"] = None
    return render(request, "operations.html", context, section="operations")


def parse_restore_time(text: str) -> dt.datetime:
    """'2026-09-21T14:13:20' (the form's UTC datetime-local) -> an aware datetime."""
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"'{text}' is not a date and time like 2026-09-21T14:13:20") from None
    return moment.replace(tzinfo=dt.timezone.utc) if moment.tzinfo is None else moment


def _create_backup(api: Api, form: Mapping[str, str]) -> str:
    api.dynamodb.create_backup(TableName=form["table"], BackupName=form.get("backup_name", "").strip())
    return form.get("backup_name", "").strip()


def _restore_backup(api: Api, form: Mapping[str, str]) -> str:
    target = form.get("target", "").strip()
    api.dynamodb.restore_table_from_backup(TargetTableName=target, BackupArn=form["backup_arn"])
    return target


def _restore_point_in_time(api: Api, form: Mapping[str, str]) -> str:
    target = form.get("target", "").strip()
    request: dict[str, Any] = {"SourceTableName": form["table"], "TargetTableName": target}
    if form.get("latest") == "1":
        request["UseLatestRestorableTime"] = True
    else:
        request["RestoreDateTime"] = parse_restore_time(form.get("restore_at", ""))
    api.dynamodb.restore_table_to_point_in_time(**request)
    return target


ACTIONS = {"backup": _create_backup, "restore-backup": _restore_backup, "restore-pitr": _restore_point_in_time}


async def operations_action(request: Request) -> Response:
    form = {k: str(v) for k, v in (await checked_form(request)).items()}
    action = ACTIONS.get(request.path_params["action"])
    if action is None or not form.get("table"):
        return Response("Unknown action.", status_code=404)
    api = api_of(request)
    outcome = await run_in_threadpool(attempt, action, api, form)
    if outcome.ok:
        done = "backup" if request.path_params["action"] == "backup" else "restore"
        return RedirectResponse(PREFIX + "/operations" + query(table=form["table"], done=done, name=outcome.value),
                                status_code=303)
    return await _failed(request, api, form["table"], outcome)


async def _failed(request: Request, api: Api, table: str, outcome: Outcome) -> Response:
    context = await run_in_threadpool(_operations_context, api, {"table": table}, _runner(request))
    context.update(flash=None, error=outcome)
    return render(request, "operations.html", context, status_code=400, section="operations")


def _runner(request: Request) -> drills.DrillRunner:
    return request.app.state.dashboard.drills


async def drill_action(request: Request) -> Response:
    """Start a restore drill in the background (it can take as long as restoring the table)."""
    form = {k: str(v) for k, v in (await checked_form(request)).items()}
    table = form.get("table", "")
    if not table:
        return Response("Unknown action.", status_code=404)
    api = api_of(request)
    # (in the thread pool: making a caller's first boto3 clients takes tens of milliseconds)
    outcome = await run_in_threadpool(lambda: attempt(_runner(request).start, api.dynamodb, api.cloudwatch,
                                                      table, api.now))
    if not outcome.ok:
        return await _failed(request, api, table, outcome)
    return RedirectResponse(PREFIX + "/operations" + query(table=table, done="drill") + "#drills", status_code=303)


routes = [
    Route("/operations", operations_page),
    Route("/operations/drill", drill_action, methods=["POST"]),
    Route("/operations/{action}", operations_action, methods=["POST"]),
]
