"""The HTTP transports against faulty and hostile clients, on a real uvicorn server."""

from __future__ import annotations

import http.client
import json
import logging
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send

from ._hostile import HEADERS, STEPS_RUN, build_app


class Finished:
    """ASGI wrapper noting each request the app has finished with (returned or raised)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.count = 0
        self.changed = threading.Condition()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        finally:
            if scope["type"] == "http":
                with self.changed:
                    self.count += 1
                    self.changed.notify_all()

    def wait_for(self, count: int) -> None:
        with self.changed:
            assert self.changed.wait_for(lambda: self.count >= count, timeout=30), self.count


@dataclass
class Served:
    host: str
    port: int
    finished: Finished
    records: list[logging.LogRecord] = field(default_factory=list)

    def post(self, path: str, body: Any) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            connection.request("POST", path, json.dumps(body), HEADERS)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()


class _Keep(logging.Handler):
    def __init__(self, records: list[logging.LogRecord]) -> None:
        super().__init__(logging.DEBUG)
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def served() -> Iterator[Served]:
    """The security test app behind a real uvicorn server on a free loopback port."""
    _, app = build_app()
    finished = Finished(app)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(finished, log_config=None, log_level="info", lifespan="off")
    server = uvicorn.Server(config)
    records: list[logging.LogRecord] = []
    handler = _Keep(records)
    # "uvicorn" sees uvicorn.error ("Exception in ASGI application") and uvicorn.access;
    # "asyncio" logs writes to a closed socket.
    loggers = [logging.getLogger(n) for n in ("uvicorn", "asyncio", "component_framework")]
    for logger in loggers:
        logger.addHandler(handler)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        while not server.started:
            assert thread.is_alive(), "uvicorn did not start"
            thread.join(0.01)
        yield Served("127.0.0.1", port, finished, records)
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
        for logger in loggers:
            logger.removeHandler(handler)


def send_half_and_close(served: Served, path: str) -> None:
    """Declare a 1,000-byte JSON body, send 500 bytes of it, and hang up."""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "X-CF-Request: 1\r\nContent-Length: 1000\r\n\r\n"
    )
    with socket.create_connection((served.host, served.port)) as raw:
        raw.sendall(head.encode() + b'{"component": "counter", "payload": {"x": "' + b"a" * 456)


@pytest.mark.parametrize("path", ["/cf/event", "/cf/stream"])
def test_a_client_that_hangs_up_mid_upload_is_not_an_error(served: Served, path: str) -> None:
    for attempt in range(1, 4):
        send_half_and_close(served, path)
        served.finished.wait_for(attempt)
    # A full request afterwards: the server has handled the hang-ups and still answers.
    status, _ = served.post(path, {"component": "counter"})
    assert status == 200
    problems = [r for r in served.records if r.levelno >= logging.WARNING or r.exc_info]
    assert problems == [], [r.getMessage() for r in problems]


def test_a_stream_stops_quietly_when_its_client_hangs_up(served: Served) -> None:
    STEPS_RUN.clear()
    body = json.dumps({"component": "steps", "event": "run", "payload": {"count": 20_000}})
    head = (
        "POST /cf/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"X-CF-Request: 1\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    with socket.create_connection((served.host, served.port)) as raw:
        raw.sendall(head.encode() + body.encode())
        assert raw.recv(4096).startswith(b"HTTP/1.1 200")
    served.finished.wait_for(1)
    assert 0 < len(STEPS_RUN) < 20_000  # it stopped: no work for a client that left
    status, _ = served.post("/cf/event", {"component": "counter"})
    assert status == 200
    problems = [r for r in served.records if r.levelno >= logging.WARNING or r.exc_info]
    assert problems == [], [r.getMessage() for r in problems]
