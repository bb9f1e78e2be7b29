"""Route DynamoDB Streams requests (`X-Amz-Target: DynamoDBStreams_20120810.*`) to api/streams."""
from __future__ import annotations

from jobtable.api import streams
from jobtable.server.dispatch import POST_HANDLERS

POST_HANDLERS.append((streams.matches, streams.serve))
