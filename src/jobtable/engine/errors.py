"""DynamoDB's error types, raised anywhere below the wire and rendered by the api layer.

Each class carries the `__type` namespace DynamoDB uses on the wire and the HTTP status.
Messages follow DynamoDB's wording; callers pass the exact text.
"""
from __future__ import annotations

from typing import Any

DYNAMODB_NS = "com.amazonaws.dynamodb.v20120810"
CORAL_NS = "com.amazon.coral.service"
VALIDATE_NS = "com.amazon.coral.validate"


class DynamoError(Exception):
    """Base of every error that reaches a client as a DynamoDB error response."""

    namespace = DYNAMODB_NS
    status = 400
    # DynamoDB spells the member `Message` for a few transaction errors (as its model does).
    message_member = "message"

    def __init__(self, message: str = "", **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra  # extra members of the error body (e.g. Item, CancellationReasons)

    @property
    def type_name(self) -> str:
        return type(self).__name__

    @property
    def wire_type(self) -> str:
        return f"{self.namespace}#{self.type_name}"


class ValidationException(DynamoError):
    namespace = VALIDATE_NS


class CoralServiceError(DynamoError):
    """Errors of the service framework in front of DynamoDB (wire type com.amazon.coral.service#...)."""

    namespace = CORAL_NS


class SerializationException(CoralServiceError):
    pass


class UnknownOperationException(CoralServiceError):
    pass


class MissingAuthenticationTokenException(CoralServiceError):
    """Status 400 like the rest (DynamoDB does not answer 403 for a missing signature)."""


class UnrecognizedClientException(DynamoError):
    pass


class InvalidSignatureException(DynamoError):
    pass


class AccessDeniedException(DynamoError):
    pass


class ResourceNotFoundException(DynamoError):
    pass


class ResourceInUseException(DynamoError):
    pass


class LimitExceededException(DynamoError):
    pass


class ConditionalCheckFailedException(DynamoError):
    pass


class ProvisionedThroughputExceededException(DynamoError):
    pass


class ThrottlingException(DynamoError):
    namespace = "com.amazon.coral.availability"


class RequestLimitExceeded(DynamoError):
    pass


class TransactionCanceledException(DynamoError):
    message_member = "Message"


class TransactionConflictException(DynamoError):
    pass


class TransactionInProgressException(DynamoError):
    message_member = "Message"


class IdempotentParameterMismatchException(DynamoError):
    message_member = "Message"


class ItemCollectionSizeLimitExceededException(DynamoError):
    pass


class BackupNotFoundException(DynamoError):
    pass


class BackupInUseException(DynamoError):
    pass


class TableNotFoundException(DynamoError):
    pass


class TableAlreadyExistsException(DynamoError):
    pass


class TableInUseException(DynamoError):
    pass


class ContinuousBackupsUnavailableException(DynamoError):
    pass


class PointInTimeRecoveryUnavailableException(DynamoError):
    pass


class InvalidRestoreTimeException(DynamoError):
    pass


class ExportNotFoundException(DynamoError):
    pass


class ExportConflictException(DynamoError):
    pass


class ImportNotFoundException(DynamoError):
    pass


class ImportConflictException(DynamoError):
    pass


class ExpiredIteratorException(DynamoError):
    pass


class TrimmedDataAccessException(DynamoError):
    pass


class DuplicateItemException(DynamoError):
    pass


class InternalServerError(DynamoError):
    status = 500


# The CancellationReason / per-statement error Code DynamoDB reports for each error type.
CANCELLATION_CODES = {
    "ConditionalCheckFailedException": "ConditionalCheckFailed", "DuplicateItemException": "DuplicateItem",
    "ValidationException": "ValidationError", "ResourceNotFoundException": "ResourceNotFound",
    "ProvisionedThroughputExceededException": "ProvisionedThroughputExceeded",
    "ThrottlingException": "ThrottlingError", "RequestLimitExceeded": "RequestLimitExceeded",
    "TransactionConflictException": "TransactionConflict", "AccessDeniedException": "AccessDenied",
    "ItemCollectionSizeLimitExceededException": "ItemCollectionSizeLimitExceeded",
}


def cancellation_code(error: DynamoError) -> str:
    """The Code a transaction's CancellationReason (or a batch statement's Error) carries for `error`."""
    return CANCELLATION_CODES.get(error.type_name, "InternalServerError")
