"""The AWS query protocol (form-encoded `Action=...&Version=...` in, XML out), driven by
botocore's service models so every query service (IAM, STS, CloudWatch as Terraform speaks
it) parses requests, validates them and renders responses and errors the same way.
"""
from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from typing import Any, Callable

from botocore.model import ListShape, MapShape, Shape, StructureShape

from jobtable.api.validation import service_model, validate_request
from jobtable.engine.errors import DynamoError

XML_CONTENT_TYPE = "text/xml"

QueryResponse = tuple[int, dict[str, str], bytes]
# An action gets the parsed, validated input and the request context, returns the output
# structure as plain Python values (datetimes for timestamps), or raises QueryError.
Action = Callable[[dict[str, Any], Any], dict[str, Any] | None]


class QueryError(Exception):
    """An error of a query service, rendered as `<ErrorResponse><Error>...`."""

    def __init__(self, code: str, message: str, status: int = 400, sender: bool = True) -> None:
        super().__init__(message)
        self.code, self.message, self.status, self.sender = code, message, status, sender

    @classmethod
    def modeled(cls, service: str, shape_name: str, message: str) -> "QueryError":
        """The error the service model declares (code and HTTP status), e.g. NoSuchEntityException."""
        meta = service_model(service).shape_for(shape_name).metadata.get("error", {})
        return cls(meta.get("code", shape_name), message, meta.get("httpStatusCode", 400),
                   meta.get("senderFault", True))


# -- request parsing ---------------------------------------------------------------------

def _parse(shape: Shape, params: dict[str, str], prefix: str) -> Any:
    if isinstance(shape, StructureShape):
        found = {}
        for name, member in shape.members.items():
            key = f"{prefix}.{name}" if prefix else name
            value = _parse(member, params, key)
            if value is not None:
                found[name] = value
        return found or None
    if isinstance(shape, ListShape):
        items, n = [], 1
        separator = "" if shape.serialization.get("flattened") else ".member"
        while True:
            value = _parse(shape.member, params, f"{prefix}{separator}.{n}")
            if value is None:
                break
            items.append(value)
            n += 1
        if not items and params.get(prefix) == "":
            return []  # an explicitly empty list is sent as `Name=`
        return items or None
    if isinstance(shape, MapShape):
        entries, n = {}, 1
        while f"{prefix}.entry.{n}.key" in params:
            entries[params[f"{prefix}.entry.{n}.key"]] = _parse(shape.value, params, f"{prefix}.entry.{n}.value")
            n += 1
        return entries or None
    raw = params.get(prefix)
    if raw is None:
        return None
    kind = shape.type_name
    if kind == "boolean":
        return {"true": True, "false": False}.get(raw.lower(), raw)
    if kind in ("integer", "long"):
        try:
            return int(raw)
        except ValueError:
            return raw
    if kind in ("double", "float"):
        try:
            return float(raw)
        except ValueError:
            return raw
    return raw


def parse_query_request(service: str, action: str, params: dict[str, str]) -> dict[str, Any]:
    """The operation's input as nested Python values, validated against the model."""
    operation = service_model(service).operation_model(action)
    if operation.input_shape is None:
        return {}
    body = _parse(operation.input_shape, params, "") or {}
    try:
        validate_request(action, body, service=service)
    except DynamoError as exc:
        raise QueryError("ValidationError", exc.message) from exc
    return body


# -- response rendering ------------------------------------------------------------------

def iso8601(value: Any) -> str:
    if isinstance(value, (int, float)):
        value = dt.datetime.fromtimestamp(value, dt.timezone.utc)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return str(value)


def _render(parent: ET.Element, name: str, shape: Shape, value: Any) -> None:
    if value is None:
        return
    if isinstance(shape, ListShape) and shape.serialization.get("flattened"):
        for item in value:
            _render(parent, name, shape.member, item)
        return
    element = ET.SubElement(parent, name)
    if isinstance(shape, StructureShape):
        for member_name, member in shape.members.items():
            _render(element, member.serialization.get("name", member_name), member, value.get(member_name))
    elif isinstance(shape, ListShape):
        for item in value:
            _render(element, "member", shape.member, item)
    elif isinstance(shape, MapShape):
        for key, item in value.items():
            entry = ET.SubElement(element, "entry")
            ET.SubElement(entry, "key").text = str(key)
            _render(entry, "value", shape.value, item)
    elif shape.type_name == "boolean":
        element.text = "true" if value else "false"
    elif shape.type_name == "timestamp":
        element.text = iso8601(value)
    else:
        element.text = str(value)


def _namespace(service: str) -> str:
    return service_model(service).metadata.get("xmlNamespace", "")


def render_response(service: str, action: str, result: dict[str, Any] | None, request_id: str) -> bytes:
    operation = service_model(service).operation_model(action)
    root = ET.Element(f"{action}Response", xmlns=_namespace(service))
    output = operation.output_shape
    if output is not None:
        wrapper = operation.metadata.get("resultWrapper") or operation.output_shape.serialization.get(
            "resultWrapper") or f"{action}Result"
        _render(root, wrapper, output, result or {})
    metadata = ET.SubElement(root, "ResponseMetadata")
    ET.SubElement(metadata, "RequestId").text = request_id
    return ET.tostring(root, encoding="utf-8", xml_declaration=False)


def render_error(service: str, error: QueryError, request_id: str) -> bytes:
    root = ET.Element("ErrorResponse", xmlns=_namespace(service))
    body = ET.SubElement(root, "Error")
    ET.SubElement(body, "Type").text = "Sender" if error.sender else "Receiver"
    ET.SubElement(body, "Code").text = error.code
    ET.SubElement(body, "Message").text = error.message
    ET.SubElement(root, "RequestId").text = request_id
    return ET.tostring(root, encoding="utf-8", xml_declaration=False)


def _headers(body: bytes, request_id: str) -> dict[str, str]:
    return {"content-type": XML_CONTENT_TYPE, "x-amzn-requestid": request_id, "content-length": str(len(body))}


def serve(service: str, actions: dict[str, Action], action: str, params: dict[str, str], context: Any) -> QueryResponse:
    """Parse, validate, run one action and render the answer; query errors never escape."""
    request_id = getattr(context, "request_id", None) or "00000000-0000-0000-0000-000000000000"
    version = service_model(service).api_version
    try:
        handler = actions.get(action)
        if handler is None:
            raise QueryError("InvalidAction", f"Could not find operation {action} for version {version}")
        result = handler(parse_query_request(service, action, params), context)
        body = render_response(service, action, result, request_id)
        return 200, _headers(body, request_id), body
    except QueryError as exc:
        body = render_error(service, exc, request_id)
        return exc.status, _headers(body, request_id), body
