"""CloudWatch's errors: one exception carrying the model's error shape, rendered by each protocol."""
from __future__ import annotations

import datetime as dt
from typing import Any

from jobtable.api.validation import service_model

SERVICE = "cloudwatch"


class CloudWatchError(Exception):
    """An error shape of the CloudWatch model (e.g. InvalidParameterValueException) and its message."""

    def __init__(self, shape: str, message: str) -> None:
        super().__init__(message)
        self.shape, self.message = shape, message
        model = service_model(SERVICE)
        meta = model.shape_for(shape).metadata.get("error", {}) if shape in model.shape_names else {}
        self.code: str = meta.get("code", shape)  # the query protocol's code, e.g. InvalidParameterValue
        self.status: int = meta.get("httpStatusCode", 400)
        self.sender: bool = meta.get("senderFault", self.status < 500)


def invalid_value(message: str) -> CloudWatchError:
    return CloudWatchError("InvalidParameterValueException", message)


def invalid_combination(message: str) -> CloudWatchError:
    return CloudWatchError("InvalidParameterCombinationException", message)


def missing(parameter: str) -> CloudWatchError:
    return CloudWatchError("MissingRequiredParameterException", f"The parameter {parameter} is required.")


def epoch(value: Any, parameter: str) -> float:
    """A timestamp member as epoch seconds: CBOR gives numbers or datetimes, the query protocol ISO text."""
    if isinstance(value, dt.datetime):
        return value.timestamp() if value.tzinfo else value.replace(tzinfo=dt.timezone.utc).timestamp()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            pass
        try:
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise invalid_value(f"The parameter {parameter} must be a valid timestamp.") from None
        return epoch(parsed, parameter)
    raise invalid_value(f"The parameter {parameter} must be a valid timestamp.")


def moment(seconds: float) -> dt.datetime:
    """Epoch seconds as the aware datetime both wire renderers turn into a timestamp."""
    return dt.datetime.fromtimestamp(seconds, dt.timezone.utc)
