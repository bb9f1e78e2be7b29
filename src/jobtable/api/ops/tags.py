"""TagResource, UntagResource, ListTagsOfResource: tags on tables (and any ARN that exists).

Tags live in `jt_tags` keyed by ARN, so CreateTable's Tags, Terraform's tag drift checks and
backups share one store.
"""
from __future__ import annotations

from typing import Any, Callable

from jobtable.api.ops.common import page_of
from jobtable.api.protocol import RequestContext
from jobtable.engine.errors import LimitExceededException, ResourceNotFoundException, ValidationException

MAX_TAGS = 50
PAGE_SIZE = 50
# Other resource kinds (backups...) register a checker: arn -> bool (exists).
RESOURCE_EXISTS: list[Callable[[Any, str], bool]] = []


def _require_resource(ctx: RequestContext, arn: str) -> None:
    prefix = f"arn:aws:dynamodb:{ctx.engine.region}:{ctx.engine.account_id}:table/"
    if arn.startswith(prefix):
        name = arn[len(prefix):]
        if "/" not in name and ctx.engine.catalog.get(name) is not None:
            return
    if any(check(ctx.engine, arn) for check in RESOURCE_EXISTS):
        return
    raise ResourceNotFoundException(f"Requested resource not found: ResourcArn: {arn} not found")


def _check_tag(key: str, value: str) -> None:
    if key.lower().startswith("aws:"):
        raise ValidationException("One or more parameter values were invalid: Tag key starts with the reserved "
                                  f"prefix 'aws:': {key}")


def _current(ctx: RequestContext, arn: str) -> dict[str, str]:
    with ctx.engine.storage.read() as c:
        return dict(c.execute("SELECT key, value FROM jt_tags WHERE arn=? ORDER BY key", (arn,)).fetchall())


def tag_resource(req: dict, ctx: RequestContext) -> dict:
    arn = req["ResourceArn"]
    _require_resource(ctx, arn)
    tags = req["Tags"]
    for tag in tags:
        _check_tag(tag["Key"], tag["Value"])
    merged = _current(ctx, arn)
    merged.update({t["Key"]: t["Value"] for t in tags})
    if len(merged) > MAX_TAGS:
        raise LimitExceededException(f"The number of tags on the resource exceeds the limit of {MAX_TAGS}")
    with ctx.engine.storage.transaction() as c:
        c.executemany("INSERT OR REPLACE INTO jt_tags VALUES(?, ?, ?)", [(arn, t["Key"], t["Value"]) for t in tags])
    return {}


def untag_resource(req: dict, ctx: RequestContext) -> dict:
    arn = req["ResourceArn"]
    _require_resource(ctx, arn)
    with ctx.engine.storage.transaction() as c:
        c.executemany("DELETE FROM jt_tags WHERE arn=? AND key=?", [(arn, k) for k in req["TagKeys"]])
    return {}


def list_tags_of_resource(req: dict, ctx: RequestContext) -> dict:
    arn = req["ResourceArn"]
    _require_resource(ctx, arn)
    page, next_token = page_of(sorted(_current(ctx, arn).items()), req.get("NextToken"), PAGE_SIZE)
    out: dict[str, Any] = {"Tags": [{"Key": k, "Value": v} for k, v in page]}
    if next_token:
        out["NextToken"] = next_token
    return out


OPERATIONS = {
    "TagResource": tag_resource,
    "UntagResource": untag_resource,
    "ListTagsOfResource": list_tags_of_resource,
}
