"""Each HTTP response leaves the server in one transport write (headers and body together).

Drives the server's uvicorn protocol with a recording transport, through the real app.
"""
from __future__ import annotations

import asyncio
from typing import Any

import orjson
import uvicorn

from jobtable.engine.engine import Engine
from jobtable.server.app import create_app
from jobtable.server.one_write import OneWriteHttpToolsProtocol


class RecordingTransport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        assert not self.closed, "write after close"
        self.writes.append(bytes(data))

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 50000), "sockname": ("127.0.0.1", 8000)}.get(name, default)

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


def _request(target: str, payload: dict, extra: str = "") -> bytes:
    body = orjson.dumps(payload)
    return (f"POST / HTTP/1.1\r\nhost: localhost\r\nx-amz-target: DynamoDB_20120810.{target}\r\n"
            f"content-type: application/x-amz-json-1.0\r\ncontent-length: {len(body)}\r\n{extra}\r\n").encode() + body


def _serve(*requests: bytes) -> RecordingTransport:
    engine = Engine(None)
    try:
        async def run() -> RecordingTransport:
            config = uvicorn.Config(create_app(engine), lifespan="off", log_level="warning")
            config.load()
            protocol = OneWriteHttpToolsProtocol(config, uvicorn.server.ServerState(), {}, asyncio.get_running_loop())
            transport = RecordingTransport()
            protocol.connection_made(transport)
            for raw in requests:
                protocol.data_received(raw)
                for _ in range(20):  # let the request task run to completion
                    await asyncio.sleep(0)
            protocol.connection_lost(None)
            return transport

        return asyncio.run(run())
    finally:
        engine.close()


def test_a_response_is_one_write_with_headers_and_body() -> None:
    transport = _serve(_request("ListTables", {}))
    assert len(transport.writes) == 1
    head, _, body = transport.writes[0].partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK")
    assert b"x-amz-crc32: " in head and b"x-amzn-requestid: " in head
    assert orjson.loads(body) == {"TableNames": []}


def test_keep_alive_answers_each_request_in_its_own_single_write() -> None:
    transport = _serve(_request("ListTables", {}), _request("DescribeTable", {"TableName": "missing"}))
    assert len(transport.writes) == 2
    assert transport.writes[0].startswith(b"HTTP/1.1 200 OK")
    assert transport.writes[1].startswith(b"HTTP/1.1 400 Bad Request")
    assert b"ResourceNotFoundException" in transport.writes[1]


def test_connection_close_sends_the_response_before_closing() -> None:
    transport = _serve(_request("ListTables", {}, extra="connection: close\r\n"))
    assert transport.closed
    assert len(transport.writes) == 1 and transport.writes[0].endswith(b'{"TableNames":[]}')
