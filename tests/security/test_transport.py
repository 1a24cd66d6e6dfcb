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
from starlette.testclient import TestClient
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocketDisconnect

from component_framework.core.protocol import http_status
from component_framework.core.signing import Signer

from ._hostile import HEADERS, KEY, STEPS_RUN, build_app, message


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


# ---------- Guarantees that held, on every transport (in process) ----------

TRANSPORTS = ["http", "sse", "ws"]


@pytest.fixture
def client() -> Iterator[TestClient]:
    _, app = build_app()
    with TestClient(app) as test_client:
        yield test_client


def send(client: TestClient, transport: str, body: Any) -> tuple[int, dict[str, Any]]:
    """Send *body* (an object, or raw JSON text) the way *transport* does; return status, reply."""
    if transport == "ws" and isinstance(body, dict):
        body = {"type": "component_event", **body}  # as cf.js sends it on a socket
    raw = body if isinstance(body, str) else json.dumps(body)
    if transport == "ws":
        with client.websocket_connect("/cf/ws") as socket:
            socket.send_text(raw)
            reply: dict[str, Any] = socket.receive_json()
        return http_status(reply), reply
    path = "/cf/event" if transport == "http" else "/cf/stream"
    response = client.post(path, content=raw.encode("utf-8", "surrogatepass"), headers=HEADERS)
    if transport == "http" or response.headers["content-type"] == "application/json":
        return response.status_code, response.json()  # SSE refuses before streaming as JSON
    frames = [line[5:] for line in response.text.splitlines() if line.startswith("data:")]
    return response.status_code, json.loads(frames[-1])


def mounted(client: TestClient, component: str = "counter") -> dict[str, Any]:
    status, reply = send(client, "http", {"component": component})
    assert status == 200, reply
    return reply


def refused(
    client: TestClient, transport: str, body: Any, status: int, code: str | tuple[str, ...]
) -> dict[str, Any]:
    got, reply = send(client, transport, body)
    codes = (code,) if isinstance(code, str) else code
    assert got == status and reply.get("code") in codes, reply
    assert reply["type"] == "error" and set(reply) == {"type", "error", "code"}
    return reply


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_tampered_moved_and_forged_state_is_refused(client: TestClient, transport: str) -> None:
    reply = mounted(client)
    other = mounted(client)
    tampered = reply["state"].replace('"count":0', '"count":1000')
    cases = [
        message(reply, "increment", state=tampered),
        message(reply, "increment", component_id=other["component_id"]),  # moved to another id
        message(reply, "run", component="steps"),  # moved to another component
        message(reply, "increment", checksum="1:" + "0" * 64),
        message(reply, "increment", checksum="1:" + reply["checksum"].split(":")[1][::-1]),
        message(reply, "increment", checksum=None),
        message(reply, "increment", checksum=["1", "x"]),
    ]
    for body in cases:
        refused(client, transport, body, 403, "tampered_state")
    old = Signer([KEY], release="0").sign_state("counter", reply["component_id"], {"count": 5})
    stale = message(reply, "increment", state=old[0], checksum=old[1])
    assert "Reload the page" in refused(client, transport, stale, 409, "stale_state")["error"]
    foreign = Signer(["another-secret-key-0123456789"]).sign_state("counter", "c-1", {})
    body = message(reply, "increment", component_id="c-1", state=foreign[0], checksum=foreign[1])
    refused(client, transport, body, 403, "tampered_state")


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_non_ascii_digest_is_a_403_on_every_transport(client: TestClient, transport: str) -> None:
    reply = mounted(client)
    for digest in ("é" * 64, "\u0660" * 64):  # Latin-1, and Arabic-Indic digits
        body = message(reply, "increment", checksum="1:" + digest)
        refused(client, transport, body, 403, "tampered_state")


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_hostile_event_names_and_payloads_are_refused(client: TestClient, transport: str) -> None:
    reply = mounted(client)
    for event in ("nope", "_private", "__init__", "__class__", "a.b", "increment ", "mount"):
        refused(client, transport, message(reply, event), 404, "unknown_event")
    refused(client, transport, {"component": "nope"}, 404, "unknown_component")
    for payload in ({"amount": {"x": 1}}, {"amount": [1]}, {"amount": "many"}, {"other": 1}):
        body = message(reply, "increment", payload=payload)
        refused(client, transport, body, 400, "invalid_payload")
    refused(client, transport, message(reply, "increment", payload=[1]), 400, "bad_message")
    deep: Any = 1
    for _ in range(40):
        deep = {"x": deep}
    refused(client, transport, message(reply, "label", payload={"text": deep}), 400, "bad_message")


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize(
    "raw",
    [
        '{"component": "counter", "event": "increment", "payload": {"amount": NaN}}',
        '{"component": "counter", "event": "increment", "payload": {"amount": Infinity}}',
        '{"component": "counter", "event": "label", "payload": {"text": "\\ud800"}}',
        '{"component": "counter", "event": "label", "payload": {"text": "\\udfff!"}}',
        "[" * 100_000 + "]" * 100_000,
        '{"component": "counter", "payload": ' + '{"a": ' * 5_000 + "1" + "}" * 5_001,
        "not json",
    ],
    ids=["nan", "infinity", "surrogate", "low-surrogate", "deep-array", "deep-object", "text"],
)
def test_malformed_json_is_a_400(client: TestClient, transport: str, raw: str) -> None:
    refused(client, transport, raw, 400, ("bad_message", "invalid_payload"))


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_huge_unknown_component_name_is_a_short_404(client: TestClient, transport: str) -> None:
    """A 0.9 MB name took 0.6 s of the loop (difflib) and came back whole in the error."""
    reply = refused(client, transport, {"component": "c" * 900_000}, 404, "unknown_component")
    assert reply["error"] == (
        "Component 'cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc... "
        "(900,000 characters)' not found. Registered: counter, steps."
    )
    reply = refused(client, transport, {"component": "countr"}, 404, "unknown_component")
    assert reply["error"] == "Component 'countr' not found. Did you mean 'counter'?"


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_an_oversized_message_is_a_413(client: TestClient, transport: str) -> None:
    body = {"component": "counter", "payload": {"text": "x" * (1024 * 1024)}}
    refused(client, transport, body, 413, "too_large")


@pytest.mark.parametrize("path", ["/cf/event", "/cf/stream"])
def test_http_requests_a_cross_site_form_could_send_are_refused(
    client: TestClient, path: str
) -> None:
    body = b'{"component": "counter"}'
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data"):
        response = client.post(
            path, content=body, headers={"Content-Type": content_type, "X-CF-Request": "1"}
        )
        assert response.status_code == 415
        assert response.json()["code"] == "unsupported_media_type"
    response = client.post(path, content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["code"] == "missing_header"
    declared = {**HEADERS, "Content-Length": str(50 * 1024 * 1024)}
    response = client.post(path, content=body, headers=declared)
    assert response.status_code == 413


def test_a_websocket_from_another_origin_is_refused(client: TestClient) -> None:
    for origin in ("https://evil.example", "null", "http://testserver.evil.example"):
        with (
            pytest.raises(WebSocketDisconnect) as info,
            client.websocket_connect("/cf/ws", headers={"Origin": origin}) as socket,
        ):
            socket.receive_json()
        assert info.value.code == 1008
    with client.websocket_connect("/cf/ws", headers={"Origin": "http://testserver"}) as socket:
        socket.send_json({"type": "component_event", "component": "counter"})
        assert socket.receive_json()["type"] == "component_update"


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_templates_escape_what_a_client_sends(client: TestClient, transport: str) -> None:
    reply = mounted(client)
    hostile = '<img src=x onerror="alert(1)"></p><script>alert(2)</script>'
    status, update = send(client, transport, message(reply, "label", payload={"text": hostile}))
    assert status == 200
    assert "<script>" not in update["html"] and "<img" not in update["html"]
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in update["html"]
