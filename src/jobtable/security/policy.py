"""IAM identity-policy evaluation, the way IAM decides a single request.

A request is one (action, resource, condition context) triple. Every statement of every
attached policy is matched against it; a matching Deny wins over everything, otherwise a
matching Allow allows, otherwise the request is implicitly denied.

Supported: Effect, Action/NotAction (case-insensitive, `*`/`?` wildcards), Resource/NotResource
(ARN wildcards matched per colon-separated segment, as IAM does), Condition with the string,
numeric, ARN, Bool, Null and IP-address operators, the `ForAllValues:`/`ForAnyValue:` set
qualifiers and the `IfExists` suffix, and policy variables such as `${aws:username}`.
Principal is ignored: these are identity policies, attached to the caller.
"""
from __future__ import annotations

import enum
import functools
import ipaddress
import re
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Iterable, Mapping, Sequence

ContextValue = str | Sequence[str] | bool | None


class PolicyError(ValueError):
    """A policy document IAM would reject (MalformedPolicyDocument)."""


class Decision(enum.Enum):
    ALLOW = "allow"
    EXPLICIT_DENY = "explicit-deny"
    IMPLICIT_DENY = "implicit-deny"


def evaluate(policies: Iterable[Mapping[str, Any]], action: str, resource: str,
             context: Mapping[str, ContextValue] | None = None) -> Decision:
    """Decide one request against all the caller's identity policies."""
    return PolicySet(policies).evaluate(action, resource, context)


class PolicySet:
    """A caller's policies compiled once (wildcards to regexes), then evaluated per request."""

    def __init__(self, policies: Iterable[Mapping[str, Any]]) -> None:
        self._statements = tuple(_CompiledStatement(statement) for document in policies
                                 for statement in statements_of(document))

    def evaluate(self, action: str, resource: str,
                 context: Mapping[str, ContextValue] | None = None) -> Decision:
        ctx = _LazyContext(context or {})
        allowed = False
        for statement in self._statements:
            if not statement.applies(action, resource, ctx):
                continue
            if statement.deny:
                return Decision.EXPLICIT_DENY
            allowed = True
        return Decision.ALLOW if allowed else Decision.IMPLICIT_DENY


def statements_of(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    statements = document.get("Statement", [])
    return [statements] if isinstance(statements, Mapping) else list(statements)


def validate_policy(document: Any) -> None:
    """Raise PolicyError for documents IAM refuses (so a typo never silently allows or denies)."""
    if not isinstance(document, Mapping):
        raise PolicyError("Syntax errors in policy.")
    statements = document.get("Statement")
    if statements is None or (not isinstance(statements, (Mapping, list))) or statements == []:
        raise PolicyError("Missing required field Statement")
    for statement in statements_of(document):
        if not isinstance(statement, Mapping):
            raise PolicyError("Syntax errors in policy.")
        if statement.get("Effect") not in ("Allow", "Deny"):
            raise PolicyError("Invalid effect: %s" % statement.get("Effect"))
        if ("Action" in statement) == ("NotAction" in statement):
            raise PolicyError("Policy statement must contain actions.")
        if ("Resource" in statement) == ("NotResource" in statement):
            raise PolicyError("Policy statement must contain resources.")
        for operator, block in (statement.get("Condition") or {}).items():
            _split_operator(operator)  # raises for unknown operators
            if not isinstance(block, Mapping):
                raise PolicyError("Syntax errors in policy.")


# --- statement matching -------------------------------------------------------------------

class _LazyContext:
    """Condition keys, lower-cased and listified only if a condition or variable asks."""

    __slots__ = ("_raw", "_normalised")

    def __init__(self, raw: Mapping[str, ContextValue]) -> None:
        self._raw = raw
        self._normalised: dict[str, list[str] | None] | None = None

    def get(self, key: str) -> list[str] | None:
        if self._normalised is None:
            self._normalised = _normalise_context(self._raw)
        return self._normalised.get(key)


class _CompiledStatement:
    __slots__ = ("deny", "_actions", "_not_action", "_resources", "_not_resource", "_conditions")

    def __init__(self, statement: Mapping[str, Any]) -> None:
        self.deny = statement.get("Effect") == "Deny"
        self._not_action = "Action" not in statement
        patterns = _as_list(statement.get("NotAction" if self._not_action else "Action"))
        self._actions = _glob("\x00".join(patterns), True) if patterns else None
        self._not_resource = "Resource" not in statement
        self._resources = tuple(_as_list(statement.get("NotResource" if self._not_resource else "Resource")))
        self._conditions = tuple((statement.get("Condition") or {}).items())

    def applies(self, action: str, resource: str, ctx: "_LazyContext") -> bool:
        hit = self._actions is not None and self._actions.fullmatch(action) is not None
        if hit == self._not_action:
            return False
        hit = any(_resource_matches(p, resource, ctx) for p in self._resources)
        if hit == self._not_resource:
            return False
        return all(_condition_holds(op, block, ctx) for op, block in self._conditions)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


@functools.lru_cache(maxsize=4096)
def _glob(patterns: str, ignore_case: bool, star: str = ".*", one: str = ".") -> re.Pattern[str]:
    """IAM wildcards (`*` any run, `?` one character; nothing else special) as one regex.

    Several patterns may be given separated by NUL; the regex matches any of them.
    """
    alternatives = ("".join(star if c == "*" else one if c == "?" else re.escape(c) for c in pattern)
                    for pattern in patterns.split("\x00"))
    return re.compile("|".join(f"(?:{a})" for a in alternatives),
                      re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def _resource_matches(pattern: str, resource: str, ctx: Any) -> bool:
    if "${" in pattern:
        substituted = substitute_variables(pattern, ctx)
        if substituted is None:
            return False
        pattern = substituted
    if pattern == "*":
        return True
    regex = _arn_regex(pattern)
    return regex is not None and regex.fullmatch(resource) is not None


@functools.lru_cache(maxsize=4096)
def _arn_regex(pattern: str) -> re.Pattern[str] | None:
    """ARNs match segment by segment: in the first five (partition, service, region,
    account...) a wildcard never swallows a colon; the resource part may hold colons."""
    segments = pattern.split(":", 5)
    if len(segments) != 6:
        return None
    head = [_glob(seg, False, "[^:]*", "[^:]").pattern for seg in segments[:5]]
    return re.compile(":".join(head + [_glob(segments[5], False).pattern]), re.DOTALL)


_VARIABLE = re.compile(r"\$\{([^}]*)\}")


def substitute_variables(text: str, ctx: Any) -> str | None:
    """Replace `${aws:username}`-style variables; None when a variable has no value.

    `${*}`, `${?}` and `${$}` stand for the literal characters. A missing key makes the
    element unusable (IAM treats it as not matching), unless a default is given:
    `${aws:username, 'nobody'}`.
    """
    if "${" not in text:
        return text
    missing = False

    def replace(match: re.Match[str]) -> str:
        nonlocal missing
        inner = match.group(1)
        if inner in ("*", "?", "$"):
            return inner
        name, _, default = inner.partition(",")
        values = ctx.get(name.strip().lower())
        if values and len(values) == 1:
            return values[0]
        default = default.strip()
        if len(default) >= 2 and default[0] == default[-1] == "'":
            return default[1:-1]
        missing = True
        return ""

    result = _VARIABLE.sub(replace, text)
    return None if missing else result


def _condition_value(value: Any, ctx: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    return substitute_variables(str(value), ctx)


# --- conditions ---------------------------------------------------------------------------

def _normalise_context(context: Mapping[str, ContextValue]) -> dict[str, list[str] | None]:
    """Lower-case key names (IAM keys are case-insensitive); every value becomes a list."""
    out: dict[str, list[str] | None] = {}
    for key, value in context.items():
        if value is None:
            continue
        if isinstance(value, bool):
            out[key.lower()] = ["true" if value else "false"]
        elif isinstance(value, str):
            out[key.lower()] = [value]
        else:
            out[key.lower()] = [str(v) for v in value]
    return out


def _string_equals(have: str, want: str) -> bool:
    return have == want


def _string_equals_ignore_case(have: str, want: str) -> bool:
    return have.casefold() == want.casefold()


def _string_like(have: str, want: str) -> bool:
    return _glob(want, False).fullmatch(have) is not None


def _numeric(compare: Callable[[Decimal, Decimal], bool]) -> Callable[[str, str], bool]:
    def match(have: str, want: str) -> bool:
        try:
            return compare(Decimal(have), Decimal(want))
        except InvalidOperation:
            return False
    return match


def _bool_equals(have: str, want: str) -> bool:
    return have.lower() == str(want).lower()


def _ip_in(have: str, want: str) -> bool:
    try:
        return ipaddress.ip_address(have) in ipaddress.ip_network(want, strict=False)
    except ValueError:
        return False


def _arn_like(have: str, want: str) -> bool:
    return want == "*" or ((regex := _arn_regex(want)) is not None and regex.fullmatch(have) is not None)


# Operator name -> (value matcher, negated). Negated operators hold when NO value matches.
_OPERATORS: dict[str, tuple[Callable[[str, str], bool], bool]] = {
    "stringequals": (_string_equals, False),
    "stringnotequals": (_string_equals, True),
    "stringequalsignorecase": (_string_equals_ignore_case, False),
    "stringnotequalsignorecase": (_string_equals_ignore_case, True),
    "stringlike": (_string_like, False),
    "stringnotlike": (_string_like, True),
    "numericequals": (_numeric(lambda a, b: a == b), False),
    "numericnotequals": (_numeric(lambda a, b: a == b), True),
    "numericlessthan": (_numeric(lambda a, b: a < b), False),
    "numericlessthanequals": (_numeric(lambda a, b: a <= b), False),
    "numericgreaterthan": (_numeric(lambda a, b: a > b), False),
    "numericgreaterthanequals": (_numeric(lambda a, b: a >= b), False),
    "bool": (_bool_equals, False),
    "ipaddress": (_ip_in, False),
    "notipaddress": (_ip_in, True),
    "arnequals": (_arn_like, False),
    "arnlike": (_arn_like, False),
    "arnnotequals": (_arn_like, True),
    "arnnotlike": (_arn_like, True),
}


@functools.lru_cache(maxsize=1024)
def _split_operator(operator: str) -> tuple[str | None, str, bool]:
    """'ForAllValues:StringLikeIfExists' -> ('forallvalues', 'stringlike', True)."""
    qualifier, _, name = operator.rpartition(":")
    qualifier_l = qualifier.lower() or None
    if qualifier_l not in (None, "forallvalues", "foranyvalue"):
        raise PolicyError(f"Invalid Condition type : {operator}.")
    name_l = name.lower()
    if_exists = name_l.endswith("ifexists") and name_l != "ifexists"
    if if_exists:
        name_l = name_l[: -len("ifexists")]
    if name_l != "null" and name_l not in _OPERATORS:
        raise PolicyError(f"Invalid Condition type : {operator}.")
    return qualifier_l, name_l, if_exists


def _condition_holds(operator: str, block: Mapping[str, Any], ctx: Any) -> bool:
    qualifier, name, if_exists = _split_operator(operator)
    for key, wanted in block.items():
        values = ctx.get(key.lower())
        if not _key_holds(qualifier, name, if_exists, values, _as_list(wanted), ctx):
            return False
    return True


def _key_holds(qualifier: str | None, name: str, if_exists: bool, values: list[str] | None,
               wanted: list[Any], ctx: Any) -> bool:
    if name == "null":
        absent = not values
        return any(str(w).lower() == ("true" if absent else "false") for w in wanted)
    if not values:
        if if_exists:
            return True
        if qualifier == "forallvalues":
            return True  # IAM: ForAllValues over an empty set is vacuously true
        if qualifier == "foranyvalue":
            return False
        return _OPERATORS[name][1]  # a negated operator holds when the key is missing
    matcher, negated = _OPERATORS[name]
    patterns = [p for p in (_condition_value(w, ctx) for w in wanted) if p is not None]

    def value_matches(value: str) -> bool:
        hit = any(matcher(value, p) for p in patterns)
        return not hit if negated else hit

    if qualifier == "forallvalues":
        return all(value_matches(v) for v in values)
    if qualifier == "foranyvalue":
        return any(value_matches(v) for v in values)
    if negated:
        return all(value_matches(v) for v in values)
    return any(value_matches(v) for v in values)


__all__ = ["Decision", "PolicyError", "PolicySet", "evaluate", "statements_of", "substitute_variables",
           "validate_policy"]
