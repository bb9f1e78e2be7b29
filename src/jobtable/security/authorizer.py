"""What the server calls around each request: authenticate it, then authorize each check.

    guard = Guard.for_mode("sigv4", store, clock=clock, region="us-east-1", key_schema_of=...)
    who = guard.authenticate(incoming)                  # raises MissingAuthenticationToken...
    guard.authorize(who, "dynamodb", "Query", body, source_ip="127.0.0.1", secure=False)
    status, headers, body = api.handle(...)

With `--auth none` there is no caller: `authenticate` returns None and `authorize` allows
everything, which is why the server only accepts that mode on a loopback address.
"""
from __future__ import annotations

import ipaddress
import time
from typing import Any, Mapping

from jobtable.clock import Clock
from jobtable.engine.errors import AccessDeniedException
from jobtable.security.actions import (
    AccessRequest,
    KeySchemaOf,
    Scope,
    StreamOfIterator,
    access_denied_message,
    access_requests,
)
from jobtable.security.credentials import CredentialStore
from jobtable.security.policy import Decision, PolicySet
from jobtable.security.sigv4 import Authenticated, IncomingRequest, SigV4Verifier

AUTH_MODES = ("none", "sigv4")


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and 'localhost' (the only places `--auth none` may listen)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def default_auth_mode(host: str) -> str:
    return "none" if is_loopback(host) else "sigv4"


def check_auth_mode(mode: str, host: str) -> None:
    """Refuse to serve without authentication anywhere but loopback."""
    if mode not in AUTH_MODES:
        raise ValueError(f"--auth must be one of {', '.join(AUTH_MODES)}, not {mode!r}")
    if mode == "none" and not is_loopback(host):
        raise ValueError(f"--auth none is only allowed on a loopback address, not {host}; "
                         "use --auth sigv4 and `jobtable users add`")


class Guard:
    """Authentication plus IAM authorization for one server."""

    def __init__(self, verifier: SigV4Verifier | None, scope: Scope, clock: Clock | None = None) -> None:
        self.verifier = verifier
        self.scope = scope
        self._clock = clock or Clock()
        # id(policy tuple) -> (the tuple, kept alive so the id stays unique; its PolicySet)
        self._policy_sets: dict[int, tuple[tuple[Mapping[str, Any], ...], PolicySet]] = {}
        self._time_keys: tuple[int, str, str] = (-1, "", "")

    @classmethod
    def for_mode(cls, mode: str, store: CredentialStore | None, *, clock: Clock | None = None,
                 region: str = "us-east-1", key_schema_of: KeySchemaOf | None = None,
                 stream_of_iterator: StreamOfIterator | None = None) -> "Guard":
        account = store.account_id if store is not None else "000000000000"
        scope = Scope(region, account, key_schema_of, stream_of_iterator)
        if mode == "none":
            return cls(None, scope, clock)
        if store is None:
            raise ValueError("--auth sigv4 needs a credentials store (a data directory)")
        return cls(SigV4Verifier(store.lookup, clock), scope, clock)

    @property
    def enabled(self) -> bool:
        return self.verifier is not None

    def authenticate(self, request: IncomingRequest) -> Authenticated | None:
        return self.verifier.verify(request) if self.verifier is not None else None

    def authorize(self, who: Authenticated | None, service: str, operation: str, body: Mapping[str, Any],
                  *, source_ip: str | None = None, secure: bool = False) -> list[AccessRequest]:
        """Raise AccessDeniedException unless every check the operation needs is allowed."""
        if who is None:
            return []
        checks = access_requests(service, operation, body, self.scope, caller=who.principal.user_name)
        common = self._global_keys(who, source_ip, secure)
        policies = self._compiled(who.principal.policies)
        for check in checks:
            decision = policies.evaluate(check.action, check.resource,
                                         {**common, **check.context} if check.context else common)
            if decision is not Decision.ALLOW:
                raise AccessDeniedException(access_denied_message(
                    who.principal.arn, check.action, check.resource,
                    explicit=decision is Decision.EXPLICIT_DENY))
        return checks

    def _compiled(self, policies: tuple[Mapping[str, Any], ...]) -> PolicySet:
        """Compile each distinct policy tuple once (the store hands out the same tuple per load)."""
        entry = self._policy_sets.get(id(policies))
        if entry is None or entry[0] is not policies:
            if len(self._policy_sets) > 1024:
                self._policy_sets.clear()
            entry = (policies, PolicySet(policies))
            self._policy_sets[id(policies)] = entry
        return entry[1]

    def _global_keys(self, who: Authenticated, source_ip: str | None, secure: bool) -> dict[str, Any]:
        second = int(self._clock.now())
        if self._time_keys[0] != second:  # formatting the time costs more than the rest: once a second
            self._time_keys = (second, str(second), time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(second)))
        keys: dict[str, Any] = {
            "aws:username": who.principal.user_name,
            "aws:userid": who.principal.user_id,
            "aws:PrincipalArn": who.principal.arn,
            "aws:PrincipalAccount": who.principal.account_id,
            "aws:PrincipalType": "User",
            "aws:RequestedRegion": who.region,
            "aws:SecureTransport": secure,
            "aws:EpochTime": self._time_keys[1],
            "aws:CurrentTime": self._time_keys[2],
        }
        if source_ip:
            keys["aws:SourceIp"] = source_ip
        return keys
