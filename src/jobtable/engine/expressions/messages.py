"""DynamoDB's wording for expression errors, in one place so every module says it the same way."""
from __future__ import annotations

from jobtable.engine.errors import ValidationException

# Long type names DynamoDB uses in ADD/DELETE operand errors ("operand type: STRING").
LONG_TYPE_NAMES = {
    "S": "STRING", "N": "NUMBER", "B": "BINARY", "BOOL": "BOOLEAN", "NULL": "NULL",
    "L": "LIST", "M": "MAP", "SS": "STRING SET", "NS": "NUMBER SET", "BS": "BINARY SET",
}

INVALID_UPDATE_PATH = "The document path provided in the update expression is invalid for update"
INCORRECT_DATA_TYPE = "An operand in the update expression has an incorrect data type"
MISSING_OPERAND = "The provided expression refers to an attribute that does not exist in the item"


def invalid(kind: str, detail: str) -> ValidationException:
    """`Invalid <Kind>: <detail>` — the shape of every static expression error."""
    return ValidationException(f"Invalid {kind}: {detail}")


def function_not_allowed_this_way(kind: str, function: str) -> ValidationException:
    return invalid(
        kind, f"The function is not allowed to be used this way in an expression; function: {function}"
    )


def wrong_operand_count(kind: str, function: str, count: int) -> ValidationException:
    return invalid(
        kind,
        "Incorrect number of operands for operator or function; "
        f"operator or function: {function}, number of operands: {count}",
    )


def wrong_operand_type(kind: str, function: str, type_tag: str) -> ValidationException:
    return invalid(
        kind,
        "Incorrect operand type for operator or function; "
        f"operator or function: {function}, operand type: {type_tag}",
    )


def requires_path(kind: str, function: str) -> ValidationException:
    return invalid(
        kind, f"Operator or function requires a document path; operator or function: {function}"
    )


def render_path(elements: tuple) -> str:
    """A resolved path as DynamoDB prints it in overlap errors: `[a, b, [0]]`."""
    return "[" + ", ".join(f"[{e}]" if isinstance(e, int) else e for e in elements) + "]"


def check_paths_disjoint(kind: str, paths: list[tuple]) -> None:
    """Reject two paths where one contains the other, or that disagree on map vs list."""
    for later_index, later in enumerate(paths):
        for earlier in paths[:later_index]:
            for a, b in zip(earlier, later):
                if type(a) is not type(b):
                    raise invalid(
                        kind,
                        "Two document paths conflict with each other; must remove or rewrite one "
                        f"of these paths; path one: {render_path(earlier)}, "
                        f"path two: {render_path(later)}",
                    )
                if a != b:
                    break
            else:
                raise invalid(
                    kind,
                    "Two document paths overlap with each other; must remove or rewrite one of "
                    f"these paths; path one: {render_path(earlier)}, path two: {render_path(later)}",
                )
