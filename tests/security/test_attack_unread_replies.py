"""A page that sends events and never reads the replies is let go, with what it held.

Pushes go through a bounded queue with a send timeout (issue 11, point 2), but the reply to a
page's own event was sent with no timeout. A client that sent events and stopped reading kept
its socket's handler waiting on that send for good, and with it every message the server had
already read for it: measured under uvicorn with the example app, 20 such sockets (15 messages
of 400 KB each) held 87 MB, still held (and the sockets open) a minute later.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import struct
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn

from component_framework.core import ComponentWebSocketManager

from ._hostile import build_app

SOCKETS = 3
MESSAGES = 8


def _frame(text: str) -> bytes:
    data = text.encode()
    mask = os.urandom(4)
    size = len(data)
    if size < 126:
        head = bytes([0x81, 0x80 | size])
    elif size < 65536:
        head = bytes([0x81, 0x80 | 126]) + struct.pack(">H", size)
    else:
        head = bytes([0x81, 0x80 | 127]) + struct.pack(">Q", size)
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data))


@pytest.fixture
def served() -> Iterator[tuple[ComponentWebSocketManager, int]]:
    manager = ComponentWebSocketManager(send_timeout=0.5)
    _, app = build_app(manager=manager)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, log_config=None, lifespan="off", ws_max_size=2**21)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        while not server.started:
            assert thread.is_alive(), "uvicorn did not start"
            thread.join(0.01)
        yield manager, sock.getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def _stop_reading(port: int, raw: bytes) -> socket.socket:
    """Open a WebSocket, send *raw* frames and never read again."""
    client = socket.create_connection(("127.0.0.1", port))
    client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    key = base64.b64encode(os.urandom(16)).decode()
    client.sendall(
        f"GET /cf/ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n".encode()
    )
    assert client.recv(12) == b"HTTP/1.1 101"
    client.settimeout(5)
    for _ in range(MESSAGES):
        try:
            client.sendall(raw)
        except OSError:  # the server stopped reading too (it let the socket go)
            break
    return client


def test_a_page_that_never_reads_its_replies_is_dropped(
    served: tuple[ComponentWebSocketManager, int],
) -> None:
    manager, port = served
    label = "x" * 400_000  # each reply carries it twice (HTML and state): 800 KB
    event = {"type": "component_event", "component": "counter", "event": "label"}
    raw = _frame(json.dumps({**event, "payload": {"text": label}}))
    clients = [_stop_reading(port, raw) for _ in range(SOCKETS)]
    try:
        # Without a send timeout on replies, these connections are held for good.
        deadline = time.monotonic() + 60
        while manager.connections and time.monotonic() < deadline:
            time.sleep(0.1)
        assert manager.connections == {}, f"{len(manager.connections)} unread sockets still held"
    finally:
        for client in clients:
            client.close()
