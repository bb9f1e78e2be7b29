"""Slow clients (headers then a trickled body, or half-sent headers) do not hold up the others.

The server reads request bodies on its event loop without blocking, so while dozens of
connections dribble bytes, ordinary requests on other connections keep completing.
"""
from __future__ import annotations

import socket
import time

import orjson

BODY = orjson.dumps({"TableName": "nope"})


def _slow_connection(port: int, part: str) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    head = (f"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: DynamoDB_20120810.DescribeTable\r\n"
            f"Content-Type: application/x-amz-json-1.0\r\nContent-Length: {len(BODY)}\r\n")
    if part == "headers":
        sock.sendall(head.encode())  # the blank line ending the headers never comes (yet)
    else:
        sock.sendall(head.encode() + b"\r\n" + BODY[:3])  # headers done, body trickles
    return sock


def test_trickling_clients_do_not_block_other_requests(http_server):
    slow = [_slow_connection(http_server.port, "headers" if i % 2 else "body") for i in range(40)]
    try:
        ddb = http_server.client()
        started = time.monotonic()
        for _ in range(20):  # other connections are served meanwhile
            assert "TableNames" in ddb.list_tables()
        assert time.monotonic() - started < 10  # a hang detector, not a benchmark
        # the slow ones finish their requests byte by byte and get proper answers
        for i, sock in enumerate(slow):
            rest = (b"\r\n" + BODY) if i % 2 else BODY[3:]
            for byte in rest:
                sock.sendall(bytes([byte]))
            assert "TableNames" in ddb.list_tables()
        for sock in slow:
            response = b""
            while b"\r\n\r\n" not in response or not response.rstrip().endswith(b"}"):
                chunk = sock.recv(65536)
                if not chunk:
                    break
                response += chunk
            assert response.startswith(b"HTTP/1.1 400"), response[:200]
            assert b"ResourceNotFoundException" in response
    finally:
        for sock in slow:
            sock.close()
    assert "TableNames" in http_server.client().list_tables()
