"""Verify AWS Signature Version 4 on an incoming request.

The expected signature is computed by botocore's own signer (`SigV4Auth`): we rebuild the
request as botocore would have signed it — same method, path, query, the headers the client
says it signed, the request's own X-Amz-Date — and ask botocore for the canonical request,
string to sign and signature. Only the comparison is ours, in constant time.

Both forms are accepted: the `Authorization: AWS4-HMAC-SHA256 ...` header and presigned
query strings (`X-Amz-Signature=...`). Errors carry DynamoDB's exact types and wording.
"""
from __future__ import annotations

import calendar
import hashlib
import hmac
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence
from urllib.parse import parse_qsl

from botocore.auth import SigV4Auth
from botocore.credentials import Credentials

from jobtable.clock import Clock
from jobtable.engine.errors import (
    DynamoError,
    InvalidSignatureException,
    MissingAuthenticationTokenException,
    UnrecognizedClientException,
)
from jobtable.security.principal import Principal

ALGORITHM = "AWS4-HMAC-SHA256"
MAX_SKEW_SECONDS = 15 * 60
AMZ_DATE_FORMAT = "%Y%m%dT%H%M%SZ"

MISSING_TOKEN = "Request is missing Authentication Token"  # nosec B105: an error message
INVALID_TOKEN = "The security token included in the request is invalid."  # nosec B105: an error message
SIGNATURE_MISMATCH = ("The request signature we calculated does not match the signature you provided. "
                      "Check your AWS Secret Access Key and signing method. "
                      "Consult the service documentation for details.")

# Looks an access key id up; None when no such key exists.
CredentialLookup = Callable[[str], Principal | None]


class IncompleteSignatureException(DynamoError):
    """The Authorization header is malformed (DynamoDB's IncompleteSignatureException)."""


@dataclass(frozen=True)
class IncomingRequest:
    """The parts of an HTTP request a signature covers. `headers` keeps repeats, in order."""

    method: str
    path: str  # as sent on the wire (still percent-encoded), without the query
    query_string: str
    headers: Sequence[tuple[str, str]]
    body: bytes
    _by_name: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_name: dict[str, str] = {}
        for name, value in self.headers:
            key = name.lower()
            by_name[key] = f"{by_name[key]},{value}" if key in by_name else value
        object.__setattr__(self, "_by_name", by_name)

    def header(self, name: str) -> str | None:
        """A header's value, repeats joined with commas (as SigV4 canonicalises them)."""
        return self._by_name.get(name.lower())


@dataclass(frozen=True)
class Authenticated:
    """A verified caller, with the scope it signed for (the server routes on `service`)."""

    principal: Principal
    region: str
    service: str
    signed_at: str

    @property
    def user_name(self) -> str:
        """The caller's IAM user name (what IAM's GetUser and STS report)."""
        return self.principal.user_name

    @property
    def arn(self) -> str:
        return self.principal.arn


@dataclass(frozen=True)
class _SignatureParts:
    access_key_id: str
    date: str
    region: str
    service: str
    terminator: str
    signed_headers: tuple[str, ...]
    signature: str
    amz_date: str | None
    security_token: str | None
    expires: int | None  # presigned URLs only
    presigned: bool


class SigV4Verifier:
    """Checks signatures against a credential lookup, with an injectable clock.

    `regions`: the regions a credential scope may name (None: any region). `services`: the
    signing names this endpoint answers (dynamodb, monitoring, iam, sts, ...).
    """

    def __init__(self, lookup: CredentialLookup, clock: Clock | None = None, *,
                 regions: Iterable[str] | None = None,
                 services: Iterable[str] = ("dynamodb", "monitoring", "iam", "sts",
                                            "application-autoscaling"),
                 max_skew_seconds: int = MAX_SKEW_SECONDS) -> None:
        self._lookup = lookup
        self._clock = clock or Clock()
        self._regions = frozenset(regions) if regions is not None else None
        self._services = tuple(services)
        self._max_skew = max_skew_seconds

    def verify(self, request: IncomingRequest) -> Authenticated:
        parts = _parse(request)
        if parts.amz_date is None:
            raise IncompleteSignatureException(
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
                f"Authorization={request.header('authorization') or ''}")
        if not parts.presigned and ("host" not in parts.signed_headers
                                    and ":authority" not in parts.signed_headers):
            raise InvalidSignatureException("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
        if not parts.presigned and "x-amz-date" not in parts.signed_headers and "date" not in parts.signed_headers:
            raise InvalidSignatureException(SIGNATURE_MISMATCH)
        signed_at = _parse_amz_date(parts.amz_date)
        self._check_clock(parts, signed_at)
        self._check_scope(parts)

        principal = self._lookup(parts.access_key_id)
        if principal is None:
            raise UnrecognizedClientException(INVALID_TOKEN)
        if principal.session_token is not None or parts.security_token is not None:
            if not _same_token(principal.session_token, parts.security_token):
                raise UnrecognizedClientException(INVALID_TOKEN)

        expected = expected_signature(request, parts, principal.secret_access_key)
        if not hmac.compare_digest(expected.encode(), parts.signature.encode()):
            raise InvalidSignatureException(SIGNATURE_MISMATCH)
        return Authenticated(principal, parts.region, parts.service, parts.amz_date)

    def _check_clock(self, parts: _SignatureParts, signed_at: float) -> None:
        now = self._clock.now()
        skew_minutes = self._max_skew // 60
        if parts.presigned and parts.expires is not None:
            if now > signed_at + parts.expires:
                raise InvalidSignatureException(
                    f"Signature expired: {parts.amz_date} is now earlier than "
                    f"{_fmt(now - parts.expires)} ({_fmt(now)} - {parts.expires} sec.)")
        elif signed_at < now - self._max_skew:
            raise InvalidSignatureException(
                f"Signature expired: {parts.amz_date} is now earlier than "
                f"{_fmt(now - self._max_skew)} ({_fmt(now)} - {skew_minutes} min.)")
        if signed_at > now + self._max_skew:
            raise InvalidSignatureException(
                f"Signature not yet current: {parts.amz_date} is still later than "
                f"{_fmt(now + self._max_skew)} ({_fmt(now)} + {skew_minutes} min.)")

    def _check_scope(self, parts: _SignatureParts) -> None:
        if parts.date != parts.amz_date[:8]:
            raise InvalidSignatureException(
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
                f"'{parts.date}' != '{parts.amz_date[:8]}', from '{parts.amz_date}'.")
        if self._regions is not None and parts.region not in self._regions:
            raise InvalidSignatureException(
                f"Credential should be scoped to a valid region, not '{parts.region}'. ")
        if parts.service not in self._services:
            raise InvalidSignatureException(
                f"Credential should be scoped to correct service: '{self._services[0]}'. ")
        if parts.terminator != "aws4_request":
            raise InvalidSignatureException(
                f"Credential should be scoped with a valid terminator: 'aws4_request', not '{parts.terminator}'. ")


def _same_token(expected: str | None, given: str | None) -> bool:
    if expected is None or given is None:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


def _fmt(epoch: float) -> str:
    return time.strftime(AMZ_DATE_FORMAT, time.gmtime(epoch))


def _parse_amz_date(value: str) -> float:
    try:
        if len(value) != 16 or value[8] != "T" or value[15] != "Z":
            raise ValueError(value)
        fields = (int(value[0:4]), int(value[4:6]), int(value[6:8]),
                  int(value[9:11]), int(value[11:13]), int(value[13:15]))
        return float(calendar.timegm(fields))
    except ValueError:
        raise IncompleteSignatureException(
            f"Date must be in ISO-8601 'basic format'. Got '{value}'. See http://en.wikipedia.org/wiki/ISO_8601"
        ) from None


# --- parsing the signature out of the request ---------------------------------------------

def _parse(request: IncomingRequest) -> _SignatureParts:
    authorization = request.header("authorization")
    if authorization:
        return _parse_header(authorization, request)
    query = dict(parse_qsl(request.query_string, keep_blank_values=True))
    if "X-Amz-Signature" in query or "X-Amz-Credential" in query:
        return _parse_query(query)
    raise MissingAuthenticationTokenException(MISSING_TOKEN)


def _split_credential(credential: str) -> tuple[str, str, str, str, str]:
    pieces = credential.split("/")
    if len(pieces) != 5:
        raise IncompleteSignatureException(
            f"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, "
            f"got '{credential}'")
    return pieces[0], pieces[1], pieces[2], pieces[3], pieces[4]


def _parse_header(authorization: str, request: IncomingRequest) -> _SignatureParts:
    algorithm, _, rest = authorization.strip().partition(" ")
    if algorithm != ALGORITHM:
        # Not SigV4 at all (e.g. a bearer token): DynamoDB answers as if no token were sent.
        raise MissingAuthenticationTokenException(MISSING_TOKEN)
    fields: dict[str, str] = {}
    for item in rest.split(","):
        item = item.strip()
        if not item:
            continue
        key, eq, value = item.partition("=")
        if not eq:
            raise IncompleteSignatureException(
                f"'{item}' not a valid key=value pair (missing equal-sign) in Authorization header: "
                f"'{authorization}'.")
        fields[key.strip()] = value.strip()
    missing = [f"Authorization header requires '{name}' parameter."
               for name in ("Credential", "Signature", "SignedHeaders") if name not in fields]
    if missing:
        raise IncompleteSignatureException(" ".join(missing) + f" Authorization={authorization}")
    key_id, date, region, service, terminator = _split_credential(fields["Credential"])
    amz_date = request.header("x-amz-date")
    return _SignatureParts(
        access_key_id=key_id, date=date, region=region, service=service, terminator=terminator,
        signed_headers=tuple(h.strip().lower() for h in fields["SignedHeaders"].split(";") if h.strip()),
        signature=fields["Signature"], amz_date=amz_date.strip() if amz_date else None,
        security_token=request.header("x-amz-security-token"), expires=None, presigned=False)


def _parse_query(query: Mapping[str, str]) -> _SignatureParts:
    if query.get("X-Amz-Algorithm") != ALGORITHM:
        raise IncompleteSignatureException(
            "AWS query-string parameters must include 'X-Amz-Algorithm'. Re-examine the query-string parameters.")
    for required in ("X-Amz-Credential", "X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Date"):
        if required not in query:
            raise IncompleteSignatureException(
                f"AWS query-string parameters must include '{required}'. Re-examine the query-string parameters.")
    key_id, date, region, service, terminator = _split_credential(query["X-Amz-Credential"])
    try:
        expires = int(query.get("X-Amz-Expires", "604800"))
    except ValueError:
        raise IncompleteSignatureException("X-Amz-Expires must be an integer number of seconds.") from None
    return _SignatureParts(
        access_key_id=key_id, date=date, region=region, service=service, terminator=terminator,
        signed_headers=tuple(h.strip().lower() for h in query["X-Amz-SignedHeaders"].split(";") if h.strip()),
        signature=query["X-Amz-Signature"], amz_date=query["X-Amz-Date"],
        security_token=query.get("X-Amz-Security-Token"), expires=expires, presigned=True)


# --- computing the expected signature with botocore ---------------------------------------

class _SignedHeaders:
    """The signed headers in the shapes botocore's signer reads (get_all, iteration, `in`, [])."""

    def __init__(self, values: dict[str, list[str]]) -> None:
        self._values = values

    def get_all(self, name: str) -> list[str]:
        return self._values.get(name.lower(), [])

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._values

    def __getitem__(self, name: str) -> str:
        return ",".join(self._values[name.lower()])


@dataclass
class _ReplayRequest:
    """The attributes of botocore's AWSRequest that SigV4Auth reads, without building one
    (AWSRequest's email.message-based headers cost more than the whole signature check)."""

    method: str
    url: str
    headers: _SignedHeaders
    body: bytes
    params: list[tuple[str, str]]
    context: dict[str, Any]


class _ReplaySigner(SigV4Auth):
    """botocore's SigV4 signer, told exactly which headers the client signed.

    botocore normally chooses the headers itself (all but a blacklist); when verifying we
    must use the client's list, so that is the only thing overridden.
    """

    def headers_to_sign(self, request: Any) -> Any:
        return request.headers


def expected_signature(request: IncomingRequest, parts: _SignatureParts, secret: str) -> str:
    """The signature a client holding `secret` would have computed for this request."""
    body_hash = hashlib.sha256(request.body).hexdigest()
    claimed = request.header("x-amz-content-sha256")
    if claimed is not None and claimed != body_hash:
        # The client vouched for a different body (or none at all): the body was altered.
        raise InvalidSignatureException(SIGNATURE_MISMATCH)
    signed: dict[str, list[str]] = {name: [] for name in parts.signed_headers}
    for name, value in request.headers:
        values = signed.get(name.lower())
        if values is not None:
            values.append(value)
    for name, values in signed.items():
        if not values:
            values.append("")  # signed but absent: canonicalised empty, so the check fails
    host = request.header("host") or "localhost"
    params = [(k, v) for k, v in parse_qsl(request.query_string, keep_blank_values=True)
              if k != "X-Amz-Signature"]
    replay = _ReplayRequest(request.method.upper(), f"http://{host}{request.path or '/'}",
                            _SignedHeaders(signed), request.body, params,
                            {"timestamp": parts.amz_date, "payload_signing_enabled": True})
    signer = _ReplaySigner(Credentials("verifier", secret), parts.service, parts.region)
    canonical = signer.canonical_request(replay)
    return signer.signature(signer.string_to_sign(replay, canonical), replay)


__all__ = ["Authenticated", "IncomingRequest", "IncompleteSignatureException", "SigV4Verifier",
           "expected_signature"]
