"""A local stand-in for the S3 buckets that ExportTableToPointInTime and ImportTable name.

Bucket `b`, key `k` is the file `<export root>/b/k`. The export root is, in order: the
server's `--export-root` (engine.extensions["export_root"]), $JOBTABLE_EXPORT_ROOT, or
`<data_dir>/exports/` (a private temp dir for in-memory engines). Keys are S3 keys: `/`
separated, never absolute, never climbing out of the bucket.
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING

from jobtable.engine.errors import ValidationException
from jobtable.engine.localfiles import feature_dir

if TYPE_CHECKING:
    from jobtable.engine.engine import Engine

ROOT_ENV = "JOBTABLE_EXPORT_ROOT"


def export_root(engine: "Engine") -> str:
    root = engine.extensions.get("export_root") or os.environ.get(ROOT_ENV)
    if root:
        os.makedirs(root, exist_ok=True)
        return root
    return feature_dir(engine, "exports")


def _safe_parts(text: str, what: str) -> list[str]:
    parts = [p for p in text.split("/") if p]
    if text.startswith("/") or any(p in (".", "..") for p in parts) or "\\" in text or "\0" in text:
        raise ValidationException(f"Invalid {what}: {text}")
    return parts


def bucket_dir(engine: "Engine", bucket: str) -> str:
    return os.path.join(export_root(engine), *_safe_parts(bucket, "S3Bucket"))


def object_path(engine: "Engine", bucket: str, key: str) -> str:
    return os.path.join(bucket_dir(engine, bucket), *_safe_parts(key, "S3 key"))


def join_key(*parts: str | None) -> str:
    return "/".join(p.strip("/") for p in parts if p and p.strip("/"))


def list_keys(engine: "Engine", bucket: str, prefix: str | None) -> list[str]:
    """Every object key in `bucket` that starts with `prefix` (S3 semantics: a string prefix), sorted."""
    base = bucket_dir(engine, bucket)
    if prefix:
        _safe_parts(prefix, "S3KeyPrefix")
    keys: list[str] = []
    for directory, _dirs, files in os.walk(base):
        for name in files:
            key = os.path.relpath(os.path.join(directory, name), base).replace(os.sep, "/")
            if not prefix or key.startswith(prefix.lstrip("/")):
                keys.append(key)
    return sorted(keys)
