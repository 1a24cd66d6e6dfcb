"""A page that stops reading a stream is let go, with the stream and its component.

The stream endpoint wrote each frame with no deadline: uvicorn waits for the client to take the
bytes before it asks the stream for the next frame, so a tab that stopped reading (frozen, or
hostile) kept the request's task, the component's generator and what it held for as long as it
kept the connection open. Each frame must now be taken within ``stream_send_timeout``.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette

from component_framework.core import ComponentRegistry, StreamingComponent
from component_framework.core.config import AppConfig
from component_framework.core.signing import Signer
from component_framework.web import ComponentApp

from ._hostile import KEY

closed = threading.Event()
"""Set when the component's stream is closed (its generator's ``finally``)."""


class Firehose(StreamingComponent):
    """Streams 32 KB frames for as long as someone takes them."""

    def render(self) -> str:
        return f"<p>{self.state.get('n', 0)}</p>" + "x" * 32_768

    async def on_run(self) -> AsyncIterator[None]:
        try:
            self.state["n"] = 0
            while True:
                self.state["n"] += 1
                yield
        finally:
            closed.set()


def _app(host: str, config: AppConfig) -> Any:
    if host == "litestar":
        from litestar import Litestar

        from component_framework.litestar import create_router

        return Litestar(route_handlers=[create_router(config=config)])
    return Starlette(routes=[ComponentApp(config=config).mount()])


@pytest.fixture(params=["starlette", "litestar"])
def port(request: pytest.FixtureRequest) -> Iterator[int]:
    registry = ComponentRegistry()
    registry.register("firehose")(Firehose)
    config = AppConfig(registry=registry, signer=Signer([KEY]), stream_send_timeout=0.5)
    app = _app(request.param, config)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        while not server.started:
            assert thread.is_alive(), "uvicorn did not start"
            thread.join(0.01)
        yield sock.getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def test_a_stream_whose_client_stops_reading_is_closed(
    port: int, caplog: pytest.LogCaptureFixture
) -> None:
    closed.clear()
    body = json.dumps({"component": "firehose", "event": "run"}).encode()
    head = (
        "POST /cf/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"X-CF-Request: 1\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    with caplog.at_level(logging.WARNING, "component_framework"):
        client = socket.socket()
        client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        client.connect(("127.0.0.1", port))
        try:
            client.sendall(head.encode() + body)
            # The client reads nothing more: the server's writes fill the buffers and wait.
            # A deadline for the test, not a measured figure:
            assert closed.wait(60), "the stream of a client that stopped reading still runs"
        finally:
            client.close()
    stalled: list[Any] = [r for r in caplog.records if "took no frame" in r.getMessage()]
    assert stalled, caplog.text
    assert "0.5s (stream_send_timeout)" in stalled[0].getMessage()
