"""The DynamoDB JSON 1.0 protocol: `handle(target, body, context) -> Response`."""
from jobtable.api.protocol import RequestContext, Response, handle

__all__ = ["RequestContext", "Response", "handle"]
