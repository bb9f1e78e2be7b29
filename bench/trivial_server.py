"""The ceiling: the smallest server boto3 accepts, on the same stack jobtable serves with.

A bare ASGI callable on uvicorn (httptools + uvloop) that answers every POST with ``{}`` and
the ``x-amz-crc32`` header botocore checks. Whatever boto3 achieves against it is the most
any DynamoDB server can give that client on this machine.
"""
from __future__ import annotations

import argparse
import zlib

BODY = b"{}"
HEADERS = [
    (b"content-type", b"application/x-amz-json-1.0"),
    (b"content-length", str(len(BODY)).encode()),
    (b"x-amz-crc32", str(zlib.crc32(BODY)).encode()),
    (b"x-amzn-requestid", b"trivial"),
]
START = {"type": "http.response.start", "status": 200, "headers": HEADERS}
FINISH = {"type": "http.response.body", "body": BODY}


async def app(scope, receive, send) -> None:
    if scope["type"] != "http":
        return
    more = True
    while more:  # drain the request body
        message = await receive()
        more = message.get("more_body", False)
    await send(START)
    await send(FINISH)


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
