"""The credentials store: IAM users, their access keys and their policies, in one file.

`<data-dir>/credentials.json` holds users, access key ids, inline policies and the ARNs of
attached managed policies (AWS managed ones known to jobtable, or customer managed ones
resolved through the IAM API's policy store). Secret access keys and session
tokens are stored encrypted with AES-256-GCM (`RecordCipher`) under a separate key:
SigV4 verification needs the secret itself, so a one-way hash cannot work. The key comes
from `--credentials-key-file` / `$JOBTABLE_CREDENTIALS_KEY`, else
`<data-dir>/credentials.key` (created 0600). Keep that key elsewhere to protect secrets
from someone holding a copy of the data directory (see docs/security.md).

Writers (the CLI, the IAM API) take an exclusive lock, re-read, change and atomically
replace the file; the server notices a changed file within a second and reloads.
"""
from __future__ import annotations

import base64
import contextlib
import dataclasses
import fcntl
import os
import secrets
import string
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

import orjson

from jobtable.clock import Clock
from jobtable.security.encryption import DataKeyError, RecordCipher, parse_key, read_key_file, write_key_file
from jobtable.security.managed_policies import AWS_MANAGED, is_aws_managed
from jobtable.security.policy import PolicyError, validate_policy
from jobtable.security.principal import DEFAULT_ACCOUNT_ID, Principal

FILE_NAME = "credentials.json"
KEY_FILE_NAME = "credentials.key"
KEY_ENV_VAR = "JOBTABLE_CREDENTIALS_KEY"
RELOAD_CHECK_SECONDS = 1.0
_ID_ALPHABET = string.ascii_uppercase + "234567"

# Customer managed policy ARN -> its default version's document (None: no such policy).
# The IAM API keeps those policies; the server passes its lookup here.
ManagedPolicyResolver = Callable[[str], Mapping[str, Any] | None]


class IamError(Exception):
    """An IAM error (rendered by the IAM API as its Error/Code, by the CLI as one line)."""

    code = "ServiceFailure"
    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NoSuchEntity(IamError):
    code = "NoSuchEntity"
    status = 404


class EntityAlreadyExists(IamError):
    code = "EntityAlreadyExists"
    status = 409


class DeleteConflict(IamError):
    code = "DeleteConflict"
    status = 409


class MalformedPolicyDocument(IamError):
    code = "MalformedPolicyDocument"


class InvalidInput(IamError):
    code = "InvalidInput"


@dataclass(frozen=True)
class NewAccessKey:
    """Returned once, at creation: the only time the secret is shown."""

    user_name: str
    access_key_id: str
    secret_access_key: str = field(repr=False)
    session_token: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class UserInfo:
    user_name: str
    user_id: str
    arn: str
    created: str
    access_key_ids: tuple[str, ...]
    inline_policies: tuple[str, ...]
    attached_policies: tuple[str, ...]


def _now_iso(clock: Clock) -> str:
    return datetime.fromtimestamp(clock.now(), timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _random_id(prefix: str, length: int) -> str:
    return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(length))


def new_secret() -> str:
    return base64.b64encode(secrets.token_bytes(30)).decode()  # 40 characters, like AWS's


def _empty(account_id: str) -> dict[str, Any]:
    return {"version": 1, "account_id": account_id, "users": {}}


class CredentialStore:
    """Users, keys and policies in `path`, secrets sealed by `cipher`. Thread-safe."""

    def __init__(self, path: Path, cipher: RecordCipher, clock: Clock | None = None,
                 account_id: str = DEFAULT_ACCOUNT_ID, managed_policies: ManagedPolicyResolver | None = None) -> None:
        self.path = Path(path)
        self._resolve_managed = managed_policies
        self._cipher = cipher
        self._clock = clock or Clock()
        self._account_id_default = account_id
        self._lock = threading.Lock()
        self._doc: dict[str, Any] = _empty(account_id)
        self._by_key: dict[str, tuple[Principal, Mapping[str, Any]]] = {}
        self._stamp: tuple[int, int, int] | None = None
        self._checked_at = float("-inf")
        self._load()

    # --- opening --------------------------------------------------------------------------

    @classmethod
    def open(cls, data_dir: str | os.PathLike[str], key_file: str | os.PathLike[str] | None = None,
             environ: Mapping[str, str] | None = None, clock: Clock | None = None,
             managed_policies: ManagedPolicyResolver | None = None) -> "CredentialStore":
        """The store of a data directory, creating its key file on first use."""
        directory = Path(data_dir)
        directory.mkdir(parents=True, exist_ok=True)
        env = os.environ if environ is None else environ
        if key_file is None and env.get(KEY_ENV_VAR):
            key = parse_key(env[KEY_ENV_VAR])
        else:
            path = Path(key_file) if key_file else directory / KEY_FILE_NAME
            if not path.exists() and key_file is None:
                write_key_file(path)
            key = read_key_file(path)
        return cls(directory / FILE_NAME, RecordCipher(key), clock, managed_policies=managed_policies)

    @property
    def account_id(self) -> str:
        return str(self._doc.get("account_id") or self._account_id_default)

    # --- reading --------------------------------------------------------------------------

    def lookup(self, access_key_id: str) -> Principal | None:
        """The principal owning an access key (what the SigV4 verifier asks)."""
        self._maybe_reload()
        entry = self._by_key.get(access_key_id)
        if entry is None:
            return None
        principal, user = entry
        if any(not is_aws_managed(arn) for arn in user["attached_policies"]):
            # Customer managed policies can change under us (new default version): resolve now.
            principal = dataclasses.replace(principal, policies=self._policies_of(user))
        return principal

    def users(self) -> list[UserInfo]:
        self._maybe_reload()
        return [self._user_info(name, user) for name, user in sorted(self._doc["users"].items())]

    def user(self, name: str) -> UserInfo:
        self._maybe_reload()
        return self._user_info(name, self._require_user(self._doc, name))

    def user_policy(self, name: str, policy_name: str) -> dict[str, Any]:
        self._maybe_reload()
        policies = self._require_user(self._doc, name)["inline_policies"]
        if policy_name not in policies:
            raise NoSuchEntity(f"The user policy with name {policy_name} cannot be found.")
        return policies[policy_name]

    # --- users and keys -------------------------------------------------------------------

    def add_user(self, name: str, *, access_key_id: str | None = None, secret_access_key: str | None = None,
                 session_token: str | None = None) -> NewAccessKey:
        """Create a user with one access key (generated unless given)."""
        with self._editing() as doc:
            self._create_user(doc, name)
            return self._add_key(doc, name, access_key_id, secret_access_key, session_token)

    def create_user(self, name: str, path: str = "/") -> UserInfo:
        with self._editing() as doc:
            self._create_user(doc, name, path)
        return self.user(name)

    def create_access_key(self, name: str, *, access_key_id: str | None = None,
                          secret_access_key: str | None = None,
                          session_token: str | None = None) -> NewAccessKey:
        with self._editing() as doc:
            self._require_user(doc, name)
            return self._add_key(doc, name, access_key_id, secret_access_key, session_token)

    def delete_access_key(self, name: str, access_key_id: str) -> None:
        with self._editing() as doc:
            keys = self._require_user(doc, name)["access_keys"]
            remaining = [k for k in keys if k["id"] != access_key_id]
            if len(remaining) == len(keys):
                raise NoSuchEntity(f"The Access Key with id {access_key_id} cannot be found.")
            self._require_user(doc, name)["access_keys"] = remaining

    def remove_user(self, name: str, *, force: bool = True) -> None:
        """Delete a user. IAM refuses while keys/policies remain; the CLI passes force=True."""
        with self._editing() as doc:
            user = self._require_user(doc, name)
            if not force and (user["access_keys"] or user["inline_policies"] or user["attached_policies"]):
                raise DeleteConflict("Cannot delete entity, must delete access keys and detach all "
                                     "policies first.")
            del doc["users"][name]

    # --- policies -------------------------------------------------------------------------

    def put_user_policy(self, name: str, policy_name: str, document: Any) -> None:
        document = _checked_document(document)
        with self._editing() as doc:
            self._require_user(doc, name)["inline_policies"][policy_name] = document

    def delete_user_policy(self, name: str, policy_name: str) -> None:
        with self._editing() as doc:
            policies = self._require_user(doc, name)["inline_policies"]
            if policy_name not in policies:
                raise NoSuchEntity(f"The user policy with name {policy_name} cannot be found.")
            del policies[policy_name]

    def attach_user_policy(self, name: str, arn: str) -> None:
        """Attach a managed policy by ARN: an AWS managed one jobtable knows, or a customer
        managed one the `managed_policies` resolver finds (the IAM API's policy store)."""
        with self._editing() as doc:
            user = self._require_user(doc, name)
            known = arn in AWS_MANAGED if is_aws_managed(arn) else (
                self._resolve_managed is not None and self._resolve_managed(arn) is not None)
            if not known:
                raise NoSuchEntity(f"Policy {arn} does not exist or is not attachable.")
            if arn not in user["attached_policies"]:
                user["attached_policies"].append(arn)

    def detach_user_policy(self, name: str, arn: str) -> None:
        with self._editing() as doc:
            user = self._require_user(doc, name)
            if arn not in user["attached_policies"]:
                raise NoSuchEntity(f"Policy {arn} was not found.")
            user["attached_policies"].remove(arn)

    # --- internals ------------------------------------------------------------------------

    def _create_user(self, doc: dict[str, Any], name: str, path: str = "/") -> None:
        if not name or any(c not in string.ascii_letters + string.digits + "+=,.@_-" for c in name):
            raise InvalidInput(f"The specified value for userName is invalid: {name!r}")
        if name in doc["users"]:
            raise EntityAlreadyExists(f"User with name {name} already exists.")
        doc["users"][name] = {"id": _random_id("AIDA", 17), "path": path, "created": _now_iso(self._clock),
                              "access_keys": [], "inline_policies": {}, "attached_policies": []}

    def _add_key(self, doc: dict[str, Any], name: str, key_id: str | None, secret: str | None,
                 token: str | None) -> NewAccessKey:
        key_id = key_id or _random_id("AKIA", 16)
        secret = secret or new_secret()
        if any(k["id"] == key_id for u in doc["users"].values() for k in u["access_keys"]):
            raise EntityAlreadyExists(f"Access key {key_id} already exists.")
        record = {"id": key_id, "created": _now_iso(self._clock), "status": "Active",
                  "secret": self._seal(secret, key_id, "secret"),
                  "session_token": self._seal(token, key_id, "token") if token else None}
        doc["users"][name]["access_keys"].append(record)
        return NewAccessKey(name, key_id, secret, token)

    def _seal(self, value: str, key_id: str, purpose: str) -> str:
        # AAD binds each ciphertext to its key id: a secret pasted under another key fails.
        sealed = self._cipher.encrypt(value.encode(), f"{purpose}:{key_id}".encode())
        return base64.b64encode(sealed).decode()

    def _unseal(self, value: str, key_id: str, purpose: str) -> str:
        return self._cipher.decrypt(base64.b64decode(value), f"{purpose}:{key_id}".encode()).decode()

    @staticmethod
    def _require_user(doc: dict[str, Any], name: str) -> dict[str, Any]:
        user = doc["users"].get(name)
        if user is None:
            raise NoSuchEntity(f"The user with name {name} cannot be found.")
        return user

    def _user_info(self, name: str, user: Mapping[str, Any]) -> UserInfo:
        return UserInfo(name, user["id"], f"arn:aws:iam::{self.account_id}:user{user.get('path', '/')}{name}",
                        user["created"], tuple(k["id"] for k in user["access_keys"]),
                        tuple(sorted(user["inline_policies"])), tuple(user["attached_policies"]))

    def _policies_of(self, user: Mapping[str, Any]) -> tuple[Mapping[str, Any], ...]:
        documents: list[Mapping[str, Any]] = list(user["inline_policies"].values())
        for arn in user["attached_policies"]:
            document = AWS_MANAGED.get(arn) if is_aws_managed(arn) else (
                self._resolve_managed(arn) if self._resolve_managed is not None else None)
            if document is not None:  # a deleted managed policy grants nothing
                documents.append(document)
        return tuple(documents)

    def _index(self, doc: dict[str, Any]) -> dict[str, tuple[Principal, Mapping[str, Any]]]:
        index: dict[str, tuple[Principal, Mapping[str, Any]]] = {}
        account = str(doc.get("account_id") or self._account_id_default)
        for name, user in doc["users"].items():
            policies = self._policies_of(user)
            for key in user["access_keys"]:
                if key.get("status", "Active") != "Active":
                    continue
                token = key.get("session_token")
                index[key["id"]] = (Principal(
                    user_name=name, access_key_id=key["id"],
                    secret_access_key=self._unseal(key["secret"], key["id"], "secret"),
                    account_id=account, policies=policies, user_id=user["id"],
                    session_token=self._unseal(token, key["id"], "token") if token else None), user)
        return index

    def _file_stamp(self) -> tuple[int, int, int] | None:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def _read(self) -> dict[str, Any]:
        try:
            doc = orjson.loads(self.path.read_bytes())
        except FileNotFoundError:
            return _empty(self._account_id_default)
        except orjson.JSONDecodeError as exc:
            raise IamError(f"the credentials file {self.path} is damaged: {exc}") from None
        doc.setdefault("users", {})
        doc.setdefault("account_id", self._account_id_default)
        return doc

    def _load(self) -> None:
        stamp = self._file_stamp()
        doc = self._read()
        try:
            index = self._index(doc)
        except DataKeyError as exc:
            raise DataKeyError(f"{exc} (credentials file {self.path})") from None
        self._doc, self._by_key, self._stamp = doc, index, stamp

    def _maybe_reload(self) -> None:
        now = self._clock.monotonic()
        if now - self._checked_at < RELOAD_CHECK_SECONDS:
            return
        with self._lock:
            self._checked_at = now
            if self._file_stamp() != self._stamp:
                self._load()

    @contextlib.contextmanager
    def _editing(self) -> Iterator[dict[str, Any]]:
        """Lock the file, hand out a fresh copy to change, write it back atomically."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.path.with_suffix(".lock")
        with self._lock, open(lock_path, "a") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            try:
                doc = self._read()
                yield doc
                _write_private(self.path, orjson.dumps(doc, option=orjson.OPT_INDENT_2))
                self._doc, self._by_key, self._stamp = doc, self._index(doc), self._file_stamp()
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)


def _checked_document(document: Any) -> dict[str, Any]:
    if isinstance(document, (str, bytes)):
        try:
            document = orjson.loads(document)
        except orjson.JSONDecodeError:
            raise MalformedPolicyDocument("Syntax errors in policy.") from None
    try:
        validate_policy(document)
    except PolicyError as exc:
        raise MalformedPolicyDocument(str(exc)) from None
    return dict(document)


def _write_private(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)

