"""Jobs: counts and chart, the live filtered list, a job's detail and history, retry/cancel."""
from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from jobtable.dashboard import PREFIX
from jobtable.dashboard.backend import Api, Outcome, attempt
from jobtable.dashboard.history import job_history
from jobtable.dashboard.jobsview import JobFilters, PAGE_SIZES, default_job_table, job_tables, status_chart, store_for
from jobtable.dashboard.rendering import api_of, checked_form, query, render
from jobtable.jobs import STATUSES, JobError
from jobtable.jobs.schema import JOB_ID

ACTIONS = {"retry": "retried", "cancel": "cancelled"}
DONE_MESSAGES = {"retried": "Job sent back to pending (retry).", "cancelled": "Job cancelled."}


def attempt_job(call: Any, *args: Any, **kwargs: Any) -> Outcome:
    """attempt() that also shows the jobs API's own refusals (InvalidTransition...)."""
    try:
        return attempt(call, *args, **kwargs)
    except JobError as exc:
        return Outcome(None, type(exc).__name__, str(exc))


def _table_choice(api: Api, requested: str | None) -> tuple[Outcome[list], str | None]:
    tables = attempt(job_tables, api.dynamodb)
    if requested:
        return tables, requested
    return tables, default_job_table(tables.value or [])


def _listing_context(api: Api, table: str, filters: JobFilters) -> dict[str, Any]:
    store = store_for(api, table)
    return {"page": attempt_job(store.list_jobs, **filters.listing())}


def jobs_page(request: Request) -> Response:
    api = api_of(request)
    tables, table = _table_choice(api, request.query_params.get("table"))
    filters = JobFilters.from_query(request.query_params)
    context: dict[str, Any] = {"tables": tables, "table": table, "filters": filters, "statuses": STATUSES,
                               "page_sizes": PAGE_SIZES}
    if table:
        store = store_for(api, table)
        context.update(_listing_context(api, table, filters))
        context["counts"] = attempt_job(store.count_by_status, user_id=filters.user or None)
        context["timeline"] = attempt_job(status_chart, store, filters, api.now())
    return render(request, "jobs.html", context, section="jobs")


def job_rows(request: Request) -> Response:
    """The list alone (the page's live refresh fetches it)."""
    api = api_of(request)
    _, table = _table_choice(api, request.query_params.get("table"))  # the same default as the page
    table = table or ""
    filters = JobFilters.from_query(request.query_params)
    context = {"table": table, "filters": filters, **_listing_context(api, table, filters)}
    return render(request, "_job_rows.html", context, section="jobs")


def _job_context(api: Api, table: str, job_id: str) -> dict[str, Any]:
    store = store_for(api, table)
    item = attempt_job(store.read_item, job_id)
    if item.ok and item.value is None:
        item = Outcome(None, "JobNotFound", f"job '{job_id}' not found in table '{table}'")
    return {"table": table, "job_id": job_id, "item": item,
            "history": attempt(job_history, api.dynamodb, api.streams, table, {JOB_ID: {"S": job_id}})
            if item.ok else Outcome(None)}


def job_page(request: Request) -> Response:
    api = api_of(request)
    table = request.query_params.get("table") or default_job_table(job_tables(api.dynamodb)) or ""
    context = _job_context(api, table, request.path_params["job_id"])
    context["flash"] = DONE_MESSAGES.get(request.query_params.get("done", ""))
    context["error"] = None
    status = 404 if context["item"].code in ("JobNotFound", "ResourceNotFoundException") else 200
    return render(request, "job.html", context, status_code=status, section="jobs")


async def job_action(request: Request) -> Response:
    """Retry or cancel through the jobs API (conditional on the job's current status)."""
    form = await checked_form(request)
    action = request.path_params["action"]
    if action not in ACTIONS:
        return Response("Unknown action.", status_code=404)
    api = api_of(request)
    table, job_id = str(form.get("table", "")), request.path_params["job_id"]
    store = store_for(api, table)
    outcome = await run_in_threadpool(attempt_job, getattr(store, action), job_id)
    if outcome.ok:
        return RedirectResponse(f"{PREFIX}/jobs/{job_id}" + query(table=table, done=ACTIONS[action]),
                                status_code=303)
    context = await run_in_threadpool(_job_context, api, table, job_id)
    context.update(flash=None, error=outcome)
    return render(request, "job.html", context, status_code=409, section="jobs")


routes = [
    Route("/jobs", jobs_page),
    Route("/fragments/job-rows", job_rows),
    Route("/jobs/{job_id}", job_page),
    Route("/jobs/{job_id}/{action}", job_action, methods=["POST"]),
]
