"""Tables: the list, one table's description, and the item browser."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from jobtable.dashboard import browse, costview
from jobtable.dashboard.backend import Outcome, attempt
from jobtable.dashboard.rendering import api_of, render
from jobtable.dashboard.tableinfo import backfill_progress, describe, list_table_names, table_info


def tables_page(request: Request) -> Response:
    api = api_of(request)
    names = attempt(list_table_names, api.dynamodb)
    rows = [(name, attempt(describe, api.dynamodb, name)) for name in (names.value or [])]
    return render(request, "tables.html", {"names": names, "rows": rows}, section="tables")


def table_page(request: Request) -> Response:
    info = table_info(api_of(request), request.path_params["name"])
    status = 404 if info.description.code == "ResourceNotFoundException" else 200
    return render(request, "table.html", {"info": info, "backfill_progress": backfill_progress},
                  status_code=status, section="tables")


def items_page(request: Request) -> Response:
    api = api_of(request)
    name = request.path_params["name"]
    description = attempt(describe, api.dynamodb, name)
    form = browse.BrowseRequest.from_query(request.query_params)
    targets = browse.targets_of(description.value) if description.ok else []
    target = next((t for t in targets if (t.index or "") == form.index), None)
    page: Outcome = Outcome()
    if target is None and description.ok:
        page = Outcome(None, "ValidationException", f"{name} has no index named {form.index!r}")
    elif target is not None:
        page = attempt(browse.run, api.dynamodb, name, target, form)
    status = 404 if description.code == "ResourceNotFoundException" else 200
    return render(request, "items.html", {
        "name": name, "description": description, "targets": targets, "target": target, "form": form,
        "page": page, "operators": list(browse.SORT_OPERATORS),
    }, status_code=status, section="tables")


def cost_page(request: Request) -> Response:
    """Both billing modes' monthly cost from the table's measured usage (see costview.py)."""
    api = api_of(request)
    name = request.path_params["name"]
    form = attempt(costview.CostForm.from_query, request.query_params)
    estimate = attempt(costview.estimate_for, api, name, form.value) if form.ok else Outcome()
    status = 404 if estimate.code == "ResourceNotFoundException" else 200
    return render(request, "cost.html", {
        "name": name, "form": form.value or costview.CostForm(), "problem": form if not form.ok else estimate,
        "estimate": estimate.value, "lines": costview.LINES, "min_days": costview.MIN_DAYS,
        "max_days": costview.MAX_DAYS}, status_code=status, section="tables")


routes = [
    Route("/tables", tables_page),
    Route("/tables/{name}", table_page),
    Route("/tables/{name}/items", items_page),
    Route("/tables/{name}/cost", cost_page),
]
