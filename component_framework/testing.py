"""Test helper for your own components: mount, fire events in a chain, read state and HTML, assert.

Every step goes through the same message path as the browser (signed state, permission
checks, payload validation, the worker-thread hop), so a component that passes here behaves
the same over HTTP, SSE and WebSocket.

Example:

    from component_framework.testing import ComponentTester

    def test_counter():
        (
            ComponentTester(Counter, start=1)
            .call("increment", amount=2)
            .assert_set("count", 3)
            .assert_see("Count: 3")
        )

A component that keeps its state on the server (``state_store``) runs against a private
``InMemoryStateStore`` (or the ``state_store`` you pass),
never the store its class names; ``tester.state`` reads the state from it.

Failed events raise the core's exceptions (``InvalidPayloadError``, ``HandlerError``, ...), so
``pytest.raises`` works; the component keeps the state it had before the failed event.

A test that changes a process-wide default of the documented API (the global ``registry``,
``set_default_renderer``, ``signing.configure``, ``state.configure``, ``ws_manager``'s broker,
``set_thread_limit``) gets them back afterwards with the ``cf_defaults`` fixture (in a
``conftest.py``: ``from component_framework.testing import cf_defaults``) or the
``isolated_defaults`` block.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import html as html_lib
import importlib.util
import io
import json
import os
import re
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from typing import IO, Any, TypeVar

from ._effect_assertions import EffectAssertions
from ._task_assertions import TaskAssertions
from .core import _held_state as held_state
from .core import navigation, signing, state, threads
from .core import renderer as renderer_module
from .core._events import list_events
from .core._markup import render_from_query, url_notice
from .core._upload_send import send_files
from .core.component import Component
from .core.config import AppConfig
from .core.exceptions import ComponentError, InvalidUrlError
from .core.form import FormComponent
from .core.presence import Metas, Track
from .core.protocol import dispatch_message, signed_message, stream_frames
from .core.registry import ComponentRegistry, registry
from .core.signing import Signer
from .core.state import InMemoryStateStore, StateStore

__all__ = [
    "ComponentTestCase",
    "ComponentTester",
    "IsolatedRegistry",
    "MockRenderer",
    "cf_defaults",
    "isolated_defaults",
    "isolated_registry",
    "make_component",
    "mock_renderer",
    "register_test_component",
]

T = TypeVar("T")
_MISSING = object()


def _run_to_completion(coro: Coroutine[Any, Any, T]) -> T:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    # Called from an async test: run on a private loop so the caller's loop is not re-entered.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _query(url: str) -> str:
    return url.partition("?")[2].partition("#")[0]


class _LoadingTargets(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.events: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "cf-loading-for" and value:
                self.events.update(e for e in re.split(r"[\s,]+", value) if e)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class ComponentTester(EffectAssertions, TaskAssertions):
    """Drive one component instance as a page would.

    Args:
        component: A component class, or the name it is registered under.
        request: The request permission classes see (an object with ``.user``, say).
        registry: Where names are resolved (the global registry by default).
        signer: The signer; the process-wide one by default.
        state_store: Holds the state of a component with server-held state (a fresh
            in-memory store by default).
        url: The page's URL (``"/products?page=2"``): the component reads its URL state
            from its query string, as on a page's first render; values that do not fit are
            left out, as the page leaves them (``url_error`` says why).
        **params: Mount parameters, as ``{{ component("name", **params) }}`` would pass.

    Raises:
        ComponentError: If the component cannot be mounted (unknown name, permission, ...).
    """

    def __init__(
        self,
        component: type[Component] | str,
        *,
        request: Any = None,
        registry: ComponentRegistry = registry,
        signer: Signer | None = None,
        state_store: StateStore | None = None,
        url: str | None = None,
        **params: Any,
    ) -> None:
        if isinstance(component, str):
            self.name = component
            self._registry = registry
        else:
            name = registry.name_of(component)
            if name is None:
                # An unregistered class is tested through a private registry of its own.
                name = _snake(component.__name__)
                registry = ComponentRegistry()
                registry.register(name)(component)
            self.name, self._registry = name, registry
        self.request = request
        self._config = AppConfig(registry=self._registry, signer=signer)
        self._held: StateStore | None = None
        if held_state.store_for(self._registry.resolve(self.name), self._config) is not None:
            self._held = state_store or InMemoryStateStore()
        self._url = url or "/"
        with self._store():
            self._reply, self.url_error = render_from_query(
                self.name, request, params=params, config=self._config, query=_query(self._url)
            )
        self._notice = "" if self.url_error is None else str(url_notice(self.url_error))
        self.frames: list[dict[str, Any]] = []
        self._pending_tasks = []
        self.uploaded: dict[str, list[str]] = {}
        """The ids of the files sent with :meth:`upload`, by upload name, until an event
        that takes them is fired."""

    def __repr__(self) -> str:
        return f"<ComponentTester {self.name!r} id={self.component_id!r} state={self.state!r}>"

    @contextmanager
    def _store(self) -> Iterator[None]:
        with held_state.use_store(self._held):
            yield

    # ---------- What the page holds ----------

    url_error: InvalidUrlError | None
    """Why values of the first render's ``url`` were left out (the page renders their
    defaults, and shows why in its root: ``html`` starts with that notice), or None."""

    @property
    def html(self) -> str:
        """The HTML of the latest render (after a URL that did not fit, the first render's
        starts with the notice the page shows, ``role="alert"``)."""
        html: str = self._reply["html"]
        return self._notice + html

    @property
    def state(self) -> dict[str, Any]:
        """The state of the latest render: as the page holds it (decoded JSON), or as the
        store holds it for a component with server-held state."""
        if self._held is not None:
            return self._held.load(held_state.key_of(self._reply.get("state")) or "") or {}
        state: dict[str, Any] = json.loads(self._reply["state"])
        return state

    @property
    def component_id(self) -> str:
        """The component id, stable across events."""
        component_id: str = self._reply["component_id"]
        return component_id

    @property
    def optimistic(self) -> dict[str, dict[str, Any]]:
        """The optimistic patches of the latest render, ``{"<event>|<raw cf-payload>": patch}``.

        Empty unless the component overrides ``get_optimistic_patch``.
        """
        patches: dict[str, dict[str, Any]] = self._reply.get("optimistic", {})
        return patches

    @property
    def reply(self) -> dict[str, Any]:
        """The latest ``component_update`` reply, exactly as a transport would send it."""
        return self._reply

    @property
    def loading_targets(self) -> list[str]:
        """The events the latest HTML's loading states watch (``cf-loading-for``), sorted."""
        collector = _LoadingTargets()
        collector.feed(self.html)
        collector.close()
        return sorted(collector.events)

    # ---------- Events ----------

    def _message(self, event: str | None, payload: dict[str, Any]) -> dict[str, Any]:
        message = signed_message(
            self.name, event, payload, component_id=self.component_id, config=self._config
        )
        message["state"], message["checksum"] = self._reply["state"], self._reply["checksum"]
        return message

    def call(self, event: str, **payload: Any) -> ComponentTester:
        """Fire *event* with *payload* and keep the new state and HTML.

        Files sent with :meth:`upload` go with it when its handler takes them, as a page
        sends them.

        Raises:
            ComponentError: The event was refused or its handler failed.
        """
        return _run_to_completion(self.acall(event, **payload))

    async def acall(self, event: str, **payload: Any) -> ComponentTester:
        """Async twin of ``call``, for tests running on an event loop."""
        taken = [
            name
            for name, effect in self._upload_effects().items()
            if event in effect["events"] and name in self.uploaded and name not in payload
        ]
        payload = {**payload, **{name: self.uploaded[name] for name in taken}}
        await self._send(self._message(event, payload))
        for name in taken:
            del self.uploaded[name]
        return self

    def upload(
        self, name: str, *files: str | os.PathLike[str] | tuple[str, bytes]
    ) -> ComponentTester:
        """Send *files* (paths, or ``(filename, bytes)``) to the component's upload *name*
        as a page does: in chunks, with the latest render's token, checked by the server
        (size, count, the type read from the bytes). The next event whose handler takes
        them receives them (their ids are in ``uploaded``).

        Raises:
            UploadError: The server refused a file (``code`` says why).
            KeyError: The component declares no upload *name*.
        """
        effect = self._upload_effects().get(name)
        if effect is None:
            declared = sorted(self._upload_effects())
            raise KeyError(f"{self.name} declares no upload {name!r}; it declares {declared}.")
        with contextlib.ExitStack() as stack:
            streams: list[tuple[str, IO[bytes], int]] = []
            for file in files:
                if isinstance(file, tuple):
                    filename, data = file
                    streams.append((filename, io.BytesIO(data), len(data)))
                else:
                    path = Path(file)
                    stream = stack.enter_context(path.open("rb"))
                    streams.append((path.name, stream, path.stat().st_size))
            ids = send_files(self._config, self.request, effect["token"], streams)
        self.uploaded[name] = self.uploaded.get(name, []) + ids
        return self

    def _upload_effects(self) -> dict[str, dict[str, Any]]:
        effects = self._reply.get("effects", ())
        return {e["name"]: e for e in effects if e.get("type") == "upload"}

    async def _send(self, message: dict[str, Any]) -> None:
        with self._store(), self._collecting_tasks(message.get("event"), self._config):
            self._reply = await dispatch_message(message, self.request, config=self._config)
        self.frames, self._notice = [], ""
        self._follow(self._reply.get("effects", ()))

    def visit(self, url: str) -> ComponentTester:
        """Go back or forward to *url*, as the page does when the history entry's state cannot
        be used: the component renders from the URL's query string.

        Raises:
            InvalidUrlError: The URL holds values that do not fit the component's URL state.
        """
        message = self._message(None, {})
        message["url"] = _query(url)
        _run_to_completion(self._send(message))
        self._url = url
        return self

    def hold(self, state: dict[str, Any]) -> ComponentTester:
        """Make the page hold *state*, signed as the server signs it: the next event hydrates
        from it (a page saved in that state, say)."""
        with self._store():
            message = signed_message(
                self.name, state=state, component_id=self.component_id, config=self._config
            )
        self._reply = {**self._reply, "state": message["state"], "checksum": message["checksum"]}
        return self

    def push(self, event: str, **payload: Any) -> ComponentTester:
        """Run *event* as ``push_event`` runs it for this page, and keep what the page gets:
        its HTML, state and effects (``effects``, ``assert_flash``, ...).

        The server runs it from the state the page holds, once for every page in that state
        (seeing no request unless ``push_runs_per`` says ``"user"`` or ``"page"``).

        Raises:
            ComponentError: The push's run failed, or the permission classes refuse the page.
        """
        return _run_to_completion(self.apush(event, **payload))

    async def apush(self, event: str, **payload: Any) -> ComponentTester:
        """Async twin of ``push``, for tests running on an event loop."""
        from .core._push import Subscription
        from .core._push_events import run_event

        sub = Subscription("tester", self.component_id, self.name, self._config, self.request)
        known = (self._reply["state"], self._reply["checksum"])
        cls = self._registry.resolve(self.name)
        with self._store():
            [(_, message)] = await run_event(cls, self.name, event, payload, [(sub, known)])
        if "update" not in message:
            error = message.get("error") or message
            failure = ComponentError(error.get("error", "The push was refused."))
            failure.code = error.get("code", failure.code)
            raise failure
        self._reply = message["update"]
        self.frames, self._notice = [], ""
        self._follow(self._reply.get("effects", ()))
        return self

    def track(self) -> Track | None:
        """The ``Track`` the component declares for this page (``track_presence``, run from
        the state it holds, with the tester's request), or None when it tracks nothing."""
        from .core._presence_model import track_of
        from .core._push import Subscription

        cls = self._registry.resolve(self.name)
        if not callable(getattr(cls, "track_presence", None)):
            return None
        sub = Subscription("tester", self.component_id, self.name, self._config, self.request)
        with self._store():
            return track_of(cls, sub, self._reply["state"], 2048)

    def presence(
        self, joins: Metas | None = None, leaves: Metas | None = None, *, reset: bool = False
    ) -> ComponentTester:
        """Deliver a presence diff to this page, as a join, leave or meta update on its topic
        does (its ``presence_event``; *reset*: the full list a page gets when it joins)."""
        cls = self._registry.resolve(self.name)
        payload: dict[str, Any] = {"joins": joins or {}, "leaves": leaves or {}}
        if reset:
            payload["reset"] = True
        return self.push(getattr(cls, "presence_event", "presence"), **payload)

    def set(self, field: str, value: Any) -> ComponentTester:
        """Change one form field, as typing into a bound input does (``field_change``)."""
        return self.call("field_change", field=field, value=value)

    def submit(self, **form_data: Any) -> ComponentTester:
        """Submit a form with *form_data* (or the data already held in state if empty)."""
        return self.call("submit", **({"form_data": form_data} if form_data else {}))

    def stream(self, event: str, **payload: Any) -> list[dict[str, Any]]:
        """Fire a streaming event; return every frame and keep the last one's state and HTML."""

        async def collect() -> list[dict[str, Any]]:
            frames = []
            with self._store():
                async for frame in stream_frames(
                    self._message(event, payload), self.request, config=self._config
                ):
                    frames.append(frame)
                    self._reply, self._notice = frame, ""
            return frames

        self.frames = _run_to_completion(collect())
        for frame in self.frames:
            self._follow(frame.get("effects", ()))
        return self.frames

    # ---------- Assertions ----------

    def assert_see(self, *texts: Any, escape: bool = True) -> ComponentTester:
        """Assert each of *texts* appears in the HTML (HTML-escaped first unless escape=False)."""
        for text in texts:
            needle = html_lib.escape(str(text), quote=False) if escape else str(text)
            assert needle in self.html, f"{needle!r} not found in HTML:\n{self.html}"
        return self

    def assert_dont_see(self, *texts: Any, escape: bool = True) -> ComponentTester:
        """Assert none of *texts* appears in the HTML."""
        for text in texts:
            needle = html_lib.escape(str(text), quote=False) if escape else str(text)
            assert needle not in self.html, f"{needle!r} unexpectedly found in HTML:\n{self.html}"
        return self

    def assert_set(self, key: str, value: Any = _MISSING) -> ComponentTester:
        """Assert state holds *key* (equal to *value* when given)."""
        state = self.state
        assert key in state, f"state has no {key!r}; keys: {sorted(state)}"
        if value is not _MISSING:
            assert state[key] == value, f"state[{key!r}] is {state[key]!r}, expected {value!r}"
        return self

    def assert_state(self, **expected: Any) -> ComponentTester:
        """Assert state holds every key of *expected* with that value (other keys ignored)."""
        for key, value in expected.items():
            self.assert_set(key, value)
        return self

    def assert_url_error(self, *names: str) -> ComponentTester:
        """Assert the first render's ``url`` held values that did not fit (the parameters
        *names* among them, when given): the page showed the defaults and said why."""
        error = self.url_error
        assert error is not None, f"the URL {self._url!r} fits {self.name}'s URL state"
        missing = [name for name in names if name not in error.problems]
        assert not missing, f"no URL error for {missing}; the errors: {error.problems}"
        return self

    def assert_field_error(self, field: str, contains: str | None = None) -> ComponentTester:
        """Assert a form's last submit reported an error for *field* (optionally containing text).

        Field errors are read back by validating the submitted data again, as the page sees it.
        """
        errors = self._field_errors()
        assert field in errors, f"no error for field {field!r}; errors: {errors}"
        if contains is not None:
            assert any(contains in message for message in errors[field]), (
                f"no error for {field!r} contains {contains!r}: {errors[field]}"
            )
        return self

    def assert_no_field_errors(self) -> ComponentTester:
        """Assert the form holds no validation errors."""
        errors = self._field_errors()
        assert not errors, f"unexpected field errors: {errors}"
        return self

    def assert_loading_targets(self, *events: str) -> ComponentTester:
        """Assert every ``cf-loading-for`` event of the HTML is one the component handles (a
        typo would never show its loading state); with *events*, that they are exactly those."""
        handled = list_events(self._registry.resolve(self.name))
        unknown = [event for event in self.loading_targets if event not in handled]
        assert not unknown, f"cf-loading-for names {unknown}, not events of {self.name}: {handled}"
        if events:
            assert self.loading_targets == sorted(set(events)), (
                f"loading targets are {self.loading_targets}, expected {sorted(set(events))}"
            )
        return self

    def _field_errors(self) -> dict[str, list[str]]:
        component_cls = self._registry.resolve(self.name)
        instance = component_cls(component_id=self.component_id)
        instance.hydrate(self.state)
        return instance.field_errors if isinstance(instance, FormComponent) else {}


# ---------- The process-wide defaults, restored after a test ----------


@contextmanager
def isolated_defaults() -> Iterator[None]:
    """Within the block the process-wide defaults may change; afterwards they are as before.

    Restored: the global ``registry`` (names registered or removed), the default renderer,
    the process-wide signer, the default state store (one opened from a URL inside the block
    is closed), ``ws_manager``'s settings, broker and connections, the thread limit and the
    URL names resolver.

    Example:

        with isolated_defaults():
            state.configure("memory:")
            ...  # the project default is back to what it was after the block
    """
    from .core.websocket import ws_manager

    renderer = renderer_module.get_default_renderer()
    signer = signing._snapshot()
    store = state._snapshot()
    manager = ws_manager._snapshot()
    limit = threads._snapshot()
    resolver = navigation._snapshot()
    try:
        with _registry_restored():
            yield
    finally:
        navigation.set_url_resolver(resolver)
        threads._restore(limit)
        ws_manager._restore(manager)
        state._restore(store)
        signing._restore(signer)
        renderer_module.set_default_renderer(renderer)


@contextmanager
def _registry_restored(*, empty: bool = False) -> Iterator[ComponentRegistry]:
    """Within the block the global ``registry`` may change (*empty* at the start if asked);
    afterwards it holds the names it held before."""
    names = registry.items()
    if empty:
        for name, _ in names:
            registry.unregister(name)
    try:
        yield registry
    finally:
        for name in list(registry):
            registry.unregister(name)
        for name, cls in names:
            registry.register(name)(cls)


def _cf_defaults() -> Iterator[None]:
    """The process-wide defaults, restored after the test (see ``isolated_defaults``)."""
    with isolated_defaults():
        yield


cf_defaults: Any = _cf_defaults  # without pytest, a plain generator
if importlib.util.find_spec("pytest") is not None:
    import pytest

    cf_defaults = pytest.fixture(_cf_defaults, name="cf_defaults")

# The helpers of component-framework 0.6.0, thin layers over the above (docs/migrating.md).
from ._legacy_testing import (  # noqa: E402
    ComponentTestCase,
    IsolatedRegistry,
    MockRenderer,
    isolated_registry,
    make_component,
    mock_renderer,
    register_test_component,
)
