"""IAM (query protocol, Version=2010-05-08): the caller's user and customer managed policies.

The subset Terraform's aws_iam_policy and the provider's account lookup use: GetUser,
Create/Get/Delete/ListPolicies, policy versions, tags, ListEntitiesForPolicy. Policies are
stored durably in the engine's database (iam_store). jobtable has no IAM users, groups or
roles to attach policies to, so AttachmentCount is always 0.
"""
from __future__ import annotations

import json
import secrets
import time
import zlib
from typing import Any
from urllib.parse import quote

from jobtable.api.aws.iam_store import ManagedPolicy, PolicyVersion, policy_store
from jobtable.api.aws.query import Action, QueryError, QueryResponse, serve

SERVICE = "iam"
MAX_VERSIONS = 5
MAX_POLICY_SIZE = 6144  # characters, whitespace excluded (customer managed policies)
MAX_TAGS = 50
POLICY_VERSIONS = ("2012-10-17", "2008-10-17")
ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
DEFAULT_USER = "jobtable"


def _error(shape: str, message: str) -> QueryError:
    return QueryError.modeled(SERVICE, shape, message)


def account_id(context: Any) -> str:
    return getattr(getattr(context, "engine", None), "account_id", None) or "000000000000"


def _now(context: Any) -> float:
    clock = getattr(getattr(context, "engine", None), "clock", None)
    return clock.now() if clock is not None else time.time()


def caller_name(context: Any) -> str:
    """The signing user's name when the security layer identified one, else `jobtable`."""
    identity = getattr(context, "identity", None)
    for attr in ("user_name", "name"):
        value = getattr(identity, attr, None)
        if isinstance(value, str) and value:
            return value
    return DEFAULT_USER


def unique_id(prefix: str, seed: str | None = None) -> str:
    """An IAM-style unique id (AIDA... users, ANPA... policies): stable for a seed, random without."""
    if seed is None:
        return prefix + "".join(secrets.choice(ID_ALPHABET) for _ in range(17))
    number = zlib.crc32(seed.encode()) * 0x9E3779B97F4A7C15
    return prefix + "".join(ID_ALPHABET[(number >> (5 * i)) % 32] for i in range(17))


# -- users -------------------------------------------------------------------------------

def get_user(request: dict[str, Any], context: Any) -> dict[str, Any]:
    name = caller_name(context)
    asked = request.get("UserName")
    if asked is not None and asked != name:
        raise _error("NoSuchEntityException", f"The user with name {asked} cannot be found.")
    return {"User": {
        "Path": "/", "UserName": name, "UserId": unique_id("AIDA", name),
        "Arn": f"arn:aws:iam::{account_id(context)}:user/{name}", "CreateDate": 0,
    }}


# -- policies ----------------------------------------------------------------------------

def check_document(document: str) -> None:
    try:
        parsed = json.loads(document)
    except ValueError:
        raise _error("MalformedPolicyDocumentException", "Syntax errors in policy.") from None
    if not isinstance(parsed, dict):
        raise _error("MalformedPolicyDocumentException", "Syntax errors in policy.")
    if "Version" in parsed and parsed["Version"] not in POLICY_VERSIONS:
        raise _error("MalformedPolicyDocumentException", "The policy failed legacy parsing")
    statements = parsed.get("Statement")
    if statements is None:
        raise _error("MalformedPolicyDocumentException", "Missing required field Statement")
    for statement in statements if isinstance(statements, list) else [statements]:
        if not isinstance(statement, dict):
            raise _error("MalformedPolicyDocumentException", "Syntax errors in policy.")
        if statement.get("Effect") not in ("Allow", "Deny"):
            raise _error("MalformedPolicyDocumentException", f"Invalid effect: {statement.get('Effect')}")
        if "Action" not in statement and "NotAction" not in statement:
            raise _error("MalformedPolicyDocumentException", "Policy statement must contain actions.")
    if len("".join(document.split())) > MAX_POLICY_SIZE:
        raise _error("LimitExceededException", f"Cannot exceed quota for PolicySize: {MAX_POLICY_SIZE}")


def _policy_view(policy: ManagedPolicy, with_tags: bool = True) -> dict[str, Any]:
    view: dict[str, Any] = {
        "PolicyName": policy.name, "PolicyId": policy.policy_id, "Arn": policy.arn, "Path": policy.path,
        "DefaultVersionId": policy.default_version, "AttachmentCount": 0, "PermissionsBoundaryUsageCount": 0,
        "IsAttachable": True, "CreateDate": policy.created, "UpdateDate": policy.updated,
    }
    if policy.description:
        view["Description"] = policy.description
    if with_tags and policy.tags:
        view["Tags"] = policy.tags
    return view


def _version_view(policy: ManagedPolicy, version_id: str, with_document: bool) -> dict[str, Any]:
    version = policy.versions[version_id]
    view: dict[str, Any] = {"VersionId": version_id, "IsDefaultVersion": version_id == policy.default_version,
                            "CreateDate": version.created}
    if with_document:
        view["Document"] = quote(version.document, safe="")  # IAM returns documents URL-encoded
    return view


def _load(context: Any, arn: str) -> ManagedPolicy:
    policy = policy_store(context).get(arn)
    if policy is None:
        raise _error("NoSuchEntityException", f"Policy {arn} does not exist or is not attachable.")
    return policy


def _merge_tags(existing: list[dict[str, str]], new: list[dict[str, str]]) -> list[dict[str, str]]:
    merged = {t["Key"]: t["Value"] for t in existing}
    merged.update({t["Key"]: t.get("Value", "") for t in new})
    if len(merged) > MAX_TAGS:
        raise _error("LimitExceededException", f"Cannot exceed quota for TagsPerPolicy: {MAX_TAGS}")
    return [{"Key": k, "Value": v} for k, v in merged.items()]


def create_policy(request: dict[str, Any], context: Any) -> dict[str, Any]:
    name, path = request["PolicyName"], request.get("Path", "/")
    check_document(request["PolicyDocument"])
    store = policy_store(context)
    now = _now(context)
    with store.transaction():
        if store.find_by_name(name) is not None:
            raise _error("EntityAlreadyExistsException",
                         f"A policy called {name} already exists. Duplicate names are not allowed.")
        policy = ManagedPolicy(
            name=name, policy_id=unique_id("ANPA"), arn=f"arn:aws:iam::{account_id(context)}:policy{path}{name}",
            path=path, description=request.get("Description"), created=now, updated=now,
            default_version="v1", next_version=2, versions={"v1": PolicyVersion(request["PolicyDocument"], now)},
            tags=_merge_tags([], request.get("Tags", [])),
        )
        store.put(policy)
    return {"Policy": _policy_view(policy)}


def get_policy(request: dict[str, Any], context: Any) -> dict[str, Any]:
    return {"Policy": _policy_view(_load(context, request["PolicyArn"]))}


def list_policies(request: dict[str, Any], context: Any) -> dict[str, Any]:
    scope, prefix = request.get("Scope", "All"), request.get("PathPrefix", "/")
    # AWS managed policies are not modelled: scope AWS is empty, OnlyAttached is empty (no attachments).
    found = [] if scope == "AWS" or request.get("OnlyAttached") else [
        _policy_view(p, with_tags=False) for p in policy_store(context).all() if p.path.startswith(prefix)]
    return {"Policies": found, "IsTruncated": False}


def delete_policy(request: dict[str, Any], context: Any) -> None:
    store = policy_store(context)
    with store.transaction():
        policy = _load(context, request["PolicyArn"])
        if len(policy.versions) > 1:
            raise _error("DeleteConflictException",
                         "This policy has more than one version. Before you delete a policy, you must delete the "
                         "policy's versions. The default version is deleted with the policy.")
        store.delete(policy.arn)
    return None


def create_policy_version(request: dict[str, Any], context: Any) -> dict[str, Any]:
    check_document(request["PolicyDocument"])
    store = policy_store(context)
    with store.transaction():
        policy = _load(context, request["PolicyArn"])
        if len(policy.versions) >= MAX_VERSIONS:
            raise _error("LimitExceededException",
                         f"A managed policy can have up to {MAX_VERSIONS} versions. Before you create a new "
                         "version, you must delete an existing version.")
        version_id = f"v{policy.next_version}"
        now = _now(context)
        policy.versions[version_id] = PolicyVersion(request["PolicyDocument"], now)
        policy.next_version += 1
        if request.get("SetAsDefault"):
            policy.default_version = version_id
        policy.updated = now
        store.put(policy)
    return {"PolicyVersion": _version_view(policy, version_id, with_document=False)}


def _version(context: Any, request: dict[str, Any]) -> tuple[ManagedPolicy, str]:
    policy = _load(context, request["PolicyArn"])
    version_id = request["VersionId"]
    if version_id not in policy.versions:
        raise _error("NoSuchEntityException", f"Policy {policy.arn} version {version_id} does not exist or is not "
                                              "attachable.")
    return policy, version_id


def get_policy_version(request: dict[str, Any], context: Any) -> dict[str, Any]:
    policy, version_id = _version(context, request)
    return {"PolicyVersion": _version_view(policy, version_id, with_document=True)}


def list_policy_versions(request: dict[str, Any], context: Any) -> dict[str, Any]:
    policy = _load(context, request["PolicyArn"])
    ordered = sorted(policy.versions, key=lambda v: int(v[1:]), reverse=True)  # newest first, as IAM lists
    return {"Versions": [_version_view(policy, v, with_document=False) for v in ordered], "IsTruncated": False}


def delete_policy_version(request: dict[str, Any], context: Any) -> None:
    store = policy_store(context)
    with store.transaction():
        policy, version_id = _version(context, request)
        if version_id == policy.default_version:
            raise _error("DeleteConflictException", "Cannot delete the default version of a policy.")
        del policy.versions[version_id]
        store.put(policy)


def set_default_policy_version(request: dict[str, Any], context: Any) -> None:
    store = policy_store(context)
    with store.transaction():
        policy, version_id = _version(context, request)
        policy.default_version = version_id
        policy.updated = _now(context)
        store.put(policy)


def list_entities_for_policy(request: dict[str, Any], context: Any) -> dict[str, Any]:
    _load(context, request["PolicyArn"])
    return {"PolicyGroups": [], "PolicyUsers": [], "PolicyRoles": [], "IsTruncated": False}


def tag_policy(request: dict[str, Any], context: Any) -> None:
    store = policy_store(context)
    with store.transaction():
        policy = _load(context, request["PolicyArn"])
        policy.tags = _merge_tags(policy.tags, request["Tags"])
        store.put(policy)


def untag_policy(request: dict[str, Any], context: Any) -> None:
    store = policy_store(context)
    with store.transaction():
        policy = _load(context, request["PolicyArn"])
        removed = set(request["TagKeys"])
        policy.tags = [t for t in policy.tags if t["Key"] not in removed]
        store.put(policy)


def list_policy_tags(request: dict[str, Any], context: Any) -> dict[str, Any]:
    return {"Tags": _load(context, request["PolicyArn"]).tags, "IsTruncated": False}


ACTIONS: dict[str, Action] = {
    "GetUser": get_user,
    "CreatePolicy": create_policy,
    "GetPolicy": get_policy,
    "ListPolicies": list_policies,
    "DeletePolicy": delete_policy,
    "CreatePolicyVersion": create_policy_version,
    "GetPolicyVersion": get_policy_version,
    "ListPolicyVersions": list_policy_versions,
    "DeletePolicyVersion": delete_policy_version,
    "SetDefaultPolicyVersion": set_default_policy_version,
    "ListEntitiesForPolicy": list_entities_for_policy,
    "TagPolicy": tag_policy,
    "UntagPolicy": untag_policy,
    "ListPolicyTags": list_policy_tags,
}


def handle_query(action: str, params: dict[str, str], context: Any) -> QueryResponse:
    """Serve one IAM query request: (status, headers, XML body)."""
    return serve(SERVICE, ACTIONS, action, params, context)


__all__ = ["ACTIONS", "handle_query"]
