"""A body that never finishes arriving is refused, and what arrived of it is let go.

``/cf/event`` and ``/cf/stream`` read the body with no deadline, and uvicorn has none either: a
client that declares 1 MB, sends most of it and then nothing more kept the request (and the
900 KB it had sent, buffered until the body completes) for as long as it kept the socket open.
Measured against the example app under uvicorn: 100 such sockets were all still open a minute
later, at no cost to the client.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
import uvicorn

from ._hostile import build_app


@pytest.fixture
def port() -> Iterator[int]:
    _, app = build_app(body_timeout=0.5)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    # Once the 408 is sent, uvicorn closes the idle connection after its keep-alive (5 s by
    # default): 1 s here. A request still being read is never closed by it.
    config = uvicorn.Config(app, log_config=None, lifespan="off", timeout_keep_alive=1)
    server = uvicorn.Server(config)
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


@pytest.mark.parametrize("path", ["/cf/event", "/cf/stream"])
def test_a_body_that_stops_arriving_gets_a_408_and_the_connection_closes(
    port: int, path: str
) -> None:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "X-CF-Request: 1\r\nContent-Length: 1000000\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", port)) as client:
        client.sendall(
            head.encode() + b'{"component": "counter", "payload": {"x": "' + b"a" * 900_000
        )
        client.settimeout(60)  # a deadline for the test, not a measured figure
        answer = b""
        while chunk := client.recv(65536):  # until the server closes the connection
            answer += chunk
    status, _, rest = answer.partition(b"\r\n")
    assert status == b"HTTP/1.1 408 Request Timeout", answer[:200]
    body = rest.partition(b"\r\n\r\n")[2]
    assert b'"code":"request_timeout"' in body.replace(b" ", b"")
