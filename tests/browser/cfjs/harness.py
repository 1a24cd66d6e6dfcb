"""cf.js in Chromium with no server: the test is the server, request by request.

``ClientPage`` opens ``http://cf.test/`` in a fresh browser context. Playwright answers the page
and the real ``cf.js`` from the package, and holds every request cf.js sends (HTTP events and
streams, WebSocket messages) until the test answers it, so each client rule can be driven and
observed through the DOM and ``window.cf`` only: cf.js has no test-only API.

    page = client_page.open(component("list", "<ul><li id='a'>A</li></ul>"))
    page.mark("li")
    page.morph("list", "<ul><li id='b'>B</li><li id='a'>A</li></ul>")
    assert page.marks("li") == [None, 0]  # a new node, then the old one, kept

``component()`` writes a root as ``{{ component(...) }}`` would; ``morph()`` sends an event for a
component and answers it with new HTML; ``next_request()`` gives the next request cf.js sends,
to answer when the test chooses (``render()``, ``refuse()``), so a test can act in between.
"""

from __future__ import annotations

import html
import json
import time
from collections.abc import Callable
from typing import Any

from playwright.sync_api import Browser, BrowserContext, JSHandle, Page, Route, WebSocketRoute

from component_framework.core._scripts import OPTIONAL_SCRIPTS, SCRIPT_FILES, script_bytes
from tests.browser.conftest import TIMEOUT_MS

# The optional scripts (cf-navigate.js, ...): a page opened here loads every one unless told.
FEATURES = tuple(OPTIONAL_SCRIPTS)
ORIGIN = "http://cf.test"
CHECKSUM = "test-checksum"  # cf.js sends it back as it got it; nothing checks it here
MOUNT_CHECKSUM = "test-mount-checksum"


def component(
    name: str,
    inner: str,
    *,
    id: str | None = None,
    state: dict[str, Any] | None = None,
    live: bool = False,
    transport: str | None = None,
    stream: bool = False,
    optimistic: dict[str, Any] | None = None,
    url: str | None = None,
    checksum: str = CHECKSUM,
    mount: dict[str, Any] | None = None,
) -> str:
    """A component root holding *inner*, with the attributes cf.js reads (id: *name* by default;
    *mount*: the mount parameters of its render, signed with ``MOUNT_CHECKSUM``)."""
    attributes = {
        "data-cf-component": name,
        "data-cf-id": id or name,
        "data-cf-state": json.dumps(state or {}),
        "data-cf-checksum": checksum,
        "data-cf-token": f"token-of-{id or name}",
        "data-cf-endpoint": "/cf",
    }
    if live:
        attributes["data-cf-live"] = ""
    if transport:
        attributes["data-cf-transport"] = transport
    if stream:
        attributes["data-cf-stream"] = ""
    if optimistic:
        attributes["data-cf-optimistic"] = json.dumps(optimistic)
    if url:
        attributes["data-cf-url"] = url  # "history" or "server", as component_root writes
    if mount is not None:
        attributes["data-cf-mount"] = json.dumps(mount)
        attributes["data-cf-mount-checksum"] = MOUNT_CHECKSUM
    written = " ".join(f'{key}="{html.escape(value)}"' for key, value in attributes.items())
    return f"<div {written}>{inner}</div>"


def update(component_id: str, inner: str, **fields: Any) -> dict[str, Any]:
    """A ``component_update`` reply rendering *inner* (state unchanged unless given)."""
    reply: dict[str, Any] = {
        "type": "component_update",
        "component_id": component_id,
        "html": inner,
        "checksum": CHECKSUM,
    }
    if "state" in fields:
        fields["state"] = json.dumps(fields["state"])
    return {**reply, **fields}


class PendingRequest:
    """One HTTP request cf.js sent (``/cf/event`` or ``/cf/stream``), waiting for its answer."""

    def __init__(self, route: Route) -> None:
        self.route = route
        self.url = route.request.url
        self.headers = route.request.headers
        self.message: dict[str, Any] = json.loads(route.request.post_data or "null")

    @property
    def path(self) -> str:
        return self.url.removeprefix(ORIGIN)

    def answer(
        self, reply: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
    ) -> None:
        """Answer with *reply* (JSON; for a stream, one ``data:`` frame) and *headers*."""
        if self.path.endswith("/stream"):
            body = f"data: {json.dumps({**reply, 'stream_done': True})}\n\n"
            self.route.fulfill(
                status=status, body=body, content_type="text/event-stream", headers=headers
            )
        else:
            self.route.fulfill(status=status, json=reply, headers=headers)

    def render(self, inner: str, **fields: Any) -> None:
        """Answer with an update of the message's component rendering *inner*."""
        self.answer(update(self.message["component_id"], inner, **fields))

    def refuse(self, error: str = "Refused.", code: str = "permission_denied") -> None:
        self.answer({"type": "error", "error": error, "code": code}, status=403)


class ClientPage:
    """A page at ORIGIN running cf.js, whose requests the test answers (see the module)."""

    def __init__(self, context: BrowserContext) -> None:
        self.context = context
        self.page: Page = context.new_page()
        self.errors: list[str] = []
        self.requests: list[PendingRequest] = []
        self.socket: WebSocketRoute | None = None
        self.socket_messages: list[dict[str, Any]] = []
        self._frozen = False
        self.console: list[tuple[str, str]] = []  # (type, text) of each console message
        self.pages: dict[str, str] = {}  # path -> the document served there ("/": open()'s)
        self.held_pages: set[str] = set()  # paths whose requests wait in page_requests
        self.page_requests: list[Route] = []
        self.page_requests_seen: list[str] = []  # the page URLs served, in order
        self.unserved: set[str] = set()  # scripts answered 404, as a misconfigured server does
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("console", lambda msg: self.console.append((msg.type, msg.text)))

    def open(
        self,
        body: str,
        *,
        script: str = "",
        head: str = "",
        version: str | None = None,
        features: tuple[str, ...] = FEATURES,
    ) -> ClientPage:
        """Show *body* (component roots), then load cf.js (*script*: extra attributes of its tag;
        *version*: its ``?v=``, as a server's script tag has) and the optional scripts of
        *features*, and wait until cf.js has scanned every root."""
        page = document(body, script=script, head=head, version=version, features=features)
        self.pages.setdefault("/", page)

        def serve(route: Route) -> None:
            path = route.request.url.removeprefix(ORIGIN).split("?")[0]
            name = path.removeprefix("/cf/")
            if path.startswith("/cf/") and name in SCRIPT_FILES and name not in self.unserved:
                route.fulfill(body=script_bytes(name), content_type="text/javascript")
            elif path in ("/cf/event", "/cf/stream"):
                self.requests.append(PendingRequest(route))
            elif path in self.held_pages:
                self.page_requests.append(route)
            elif path in self.pages:
                self.page_requests_seen.append(route.request.url.removeprefix(ORIGIN))
                route.fulfill(body=self.pages[path], content_type="text/html")
            else:
                route.fulfill(status=404, body=f"Not found: {path}")

        self.page.route(f"{ORIGIN}/**", serve)
        self.page.route_web_socket(f"{ORIGIN.replace('http', 'ws')}/**", self._accept_socket)
        self.page.goto(f"{ORIGIN}/")
        self.page.wait_for_function(
            "() => window.cf && Array.from(document.querySelectorAll('[data-cf-component]'))"
            ".every((root) => root.hasAttribute('data-cf-ready'))"
        )
        if self._frozen:
            self.page.clock.pause_at(60_000)
        return self

    def _accept_socket(self, ws: WebSocketRoute) -> None:
        self.socket = ws
        ws.on_message(lambda text: self.socket_messages.append(json.loads(text)))

    def stop_clock(self) -> None:
        """Freeze the page's timers (call before ``open``); ``page.clock.run_for(ms)`` moves
        them on."""
        self.page.clock.install(time=0)
        self._frozen = True

    # ---------- Waiting for what cf.js sends ----------

    def _wait_until(self, ready: Callable[[], bool], what: str) -> None:
        # Route handlers run while Playwright waits: wait in short steps until one has.
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        while not ready():
            if time.monotonic() > deadline:
                raise AssertionError(f"cf.js sent no {what} in {TIMEOUT_MS} ms")
            self.page.wait_for_timeout(10)

    def next_request(self) -> PendingRequest:
        """The oldest HTTP request cf.js sent that no test took yet (waiting for one)."""
        self._wait_until(lambda: bool(self.requests), "request")
        return self.requests.pop(0)

    def next_socket_message(self) -> dict[str, Any]:
        """The oldest WebSocket message cf.js sent that no test took yet (waiting for one)."""
        self._wait_until(lambda: bool(self.socket_messages), "WebSocket message")
        return self.socket_messages.pop(0)

    def console_messages(self, kind: str, text: str) -> list[str]:
        """The console messages of *kind* ("error", "warning", ...) holding *text* so far."""
        return [said for was, said in self.console if was == kind and text in said]

    def wait_for_console(self, kind: str, text: str) -> str:
        """The first console message of *kind* holding *text* (waiting for one)."""
        self._wait_until(lambda: bool(self.console_messages(kind, text)), f"{kind} {text!r}")
        return self.console_messages(kind, text)[0]

    def reply_on_socket(self, reply: dict[str, Any]) -> None:
        assert self.socket is not None, "cf.js opened no WebSocket"
        self.socket.send(json.dumps(reply))

    # ---------- Acting as the page's scripts ----------

    def send(self, target: str, event: str = "render", payload: Any = None) -> JSHandle:
        """``cf.send(target, event, payload)`` in the page; a handle on its promise."""
        return self.page.evaluate_handle(
            "([target, event, payload]) => ({ done: cf.send(target, event, payload) })",
            [target, event, payload],
        )

    def settled(self, sent: JSHandle) -> Any:
        """What the promise of a ``send()`` resolved to (the reply), once it has."""
        return self.page.evaluate("(sent) => sent.done", sent)

    def assert_nothing_sent(self, target: str) -> None:
        """Assert *target* (a component) sent nothing so far: a ``sentinel`` event sent now
        is its next request. Its requests leave in order, so anything an earlier action made
        it send comes first; no waiting for something that should not happen."""
        sent = self.send(target, "sentinel")
        request = self.next_request()
        assert request.message["event"] == "sentinel", f"it sent {request.message['event']!r}"
        request.answer({"type": "error", "error": "Sentinel.", "code": "cancelled"})
        self.settled(sent)

    def morph(self, target: str, inner: str, **fields: Any) -> None:
        """Send an event for *target* (a component id or name), answer it with *inner*, and
        return once cf.js applied the reply."""
        sent = self.send(target)
        self.next_request().render(inner, **fields)
        self.settled(sent)

    def mark(self, selector: str) -> None:
        """Tag each element matching *selector* with its index, in a JS property: a node cf.js
        keeps keeps its tag, a node it makes anew has none."""
        self.page.eval_on_selector_all(
            selector, "(els) => els.forEach((el, i) => { el.__cfTestMark = i; })"
        )

    def marks(self, selector: str) -> list[int | None]:
        """The tags of the elements matching *selector* now, in order (None: a new node)."""
        marks: list[int | None] = self.page.eval_on_selector_all(
            selector, "(els) => els.map((el) => el.__cfTestMark ?? null)"
        )
        return marks

    def html(self, selector: str) -> str:
        inner: str = self.page.inner_html(selector)
        return inner


def document(
    body: str,
    *,
    title: str = "cf.js",
    head: str = "",
    script: str = "",
    version: str | None = None,
    features: tuple[str, ...] = FEATURES,
) -> str:
    """A whole page loading cf.js (and the optional scripts of *features*) as ``open()`` does:
    for pages served beside it."""
    query = "" if version is None else f"?v={version}"
    optional = "".join(
        f'<script src="/cf/cf-{name}.js{query}" data-cf-script="{name}"></script>'
        for name in features
    )
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f'{head}</head><body>{body}<script src="/cf/cf.js{query}" {script}></script>'
        f"{optional}</body></html>"
    )


def new_client_page(browser: Browser) -> ClientPage:
    context = browser.new_context(base_url=ORIGIN)
    context.set_default_timeout(TIMEOUT_MS)
    return ClientPage(context)
