"""How a component runs one dispatch: mount or hydrate (and the URL state on top), the event's
handler, then, for ``dispatch``, the render and its result (state, slots, effects). Written
once, as a coroutine over how the handler is called: the sync entry points pass a call that
returns at once and run it with ``finish``. ``Component`` has these methods."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from ._component_events import ComponentEvents
from ._coroutines import finish
from ._effects import LEAVING
from ._effects import patch_url as patch_url_effect
from .url_state import url_spec

__all__ = ["ComponentDispatch"]

logger = logging.getLogger("component_framework")


class ComponentDispatch(ComponentEvents):
    """The entry points of ``Component``: ``resolve``, ``dispatch`` and their async forms."""

    if TYPE_CHECKING:  # what Component defines
        id: str
        _effects: list[dict[str, Any]]
        _slot_html: dict[str, str] | None
        _url_values: dict[str, Any] | None
        _url_before: dict[str, Any] | None

        def mount(self) -> None: ...
        def hydrate(self, state: dict[str, Any]) -> None: ...
        def dehydrate(self) -> dict[str, Any]: ...
        def render(self) -> str: ...
        def render_slots(self) -> dict[str, str]: ...
        def _start_streams(self, *, mounting: bool) -> None: ...

    async def _handle_here(self, event: str, payload: dict[str, Any]) -> None:
        self.handle_event(event, payload)

    async def _lifecycle(
        self,
        event: str | None,
        payload: dict[str, Any] | None,
        state: dict[str, Any] | None,
        handle: Callable[[str, dict[str, Any]], Awaitable[None]],
    ) -> None:
        self._begin(state)
        if event is not None:
            await handle(event, {} if payload is None else payload)

    def _begin(self, state: dict[str, Any] | None) -> None:
        # mount() OR hydrate() (an empty state was sent too), then the URL state on top.
        self._effects = []  # this dispatch's only
        self._start_streams(mounting=state is None)
        if state is not None:
            self.hydrate(state)
        else:
            self.mount()
        spec = url_spec(type(self))
        if spec is not None:
            values = self._url_values
            if values is None and state is None:
                values = spec.read("")  # mounted with no URL: as from a URL without them
            if values is not None:
                self.state.update(values)
            self._url_before = spec.values_of(self.state)

    def _result(self, html: str) -> dict[str, Any]:
        # The slot HTML of the render that produced *html*: children render once per dispatch.
        slots = self._slot_html if self._slot_html is not None else self.render_slots()
        result: dict[str, Any] = {
            "html": html,
            "state": self.dehydrate(),
            "component_id": self.id,
            "slots": slots,
        }
        effects = self._effects
        self._effects = []
        url_effect = self._follow_url(result["state"])
        # A page about to be left keeps its address: the automatic patch would land on the next.
        if url_effect is not None and not any(e["type"] in LEAVING for e in effects):
            effects.insert(0, url_effect)
        if effects:
            result["effects"] = effects
        return result

    def _follow_url(self, state: dict[str, Any]) -> dict[str, Any] | None:
        # URL state that changed since the last render moves the address bar with it.
        if self._url_before is None:
            return None
        spec = url_spec(type(self))
        if spec is None:
            return None
        after = spec.values_of(state)
        changed = spec.changes(self._url_before, after)
        self._url_before = after
        if changed is None:
            return None
        query, history = changed
        return patch_url_effect(query=query, history=history)

    def resolve(
        self,
        event: str | None = None,
        payload: dict[str, Any] | None = None,
        state: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """
        Mount or hydrate, run the event's handler, and return the state without rendering.

        For server-side work that depends on the new state (a query driven by a new filter,
        say) before deciding what to render: ``dispatch()`` renders whether or not the
        HTML is wanted. ``before_render()`` runs only as part of ``render()``, so what it
        sets is not in the returned state; call ``render()`` afterwards if you need it.
        For components with ``async def on_*`` handlers, use ``async_resolve``.

        Example:

            state = ProductList().resolve("filter", {"category": "books"}, state=saved)
            products = search(state["category"])

        Returns:
            The state, as ``dehydrate()`` returns it.

        Raises:
            EventNotFoundError: If the event has no handler.
            InvalidPayloadError: If the payload does not fit the handler's signature.
            ComponentError: If the handler raises, or is async.
        """
        try:
            finish(self._lifecycle(event, payload, state, self._handle_here))
            return self.dehydrate()
        except Exception:
            logger.debug("Error in %s.resolve()", type(self).__name__, exc_info=True)
            raise

    async def async_resolve(
        self,
        event: str | None = None,
        payload: dict[str, Any] | None = None,
        state: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """
        Async ``resolve``: works with both sync and async event handlers.

        Returns:
            The state, as ``dehydrate()`` returns it.

        Raises:
            EventNotFoundError: If the event has no handler.
            InvalidPayloadError: If the payload does not fit the handler's signature.
            ComponentError: If the handler raises.
        """
        try:
            await self._lifecycle(event, payload, state, self.async_handle_event)
            return self.dehydrate()
        except Exception:
            logger.debug("Error in %s.async_resolve()", type(self).__name__, exc_info=True)
            raise

    def dispatch(
        self,
        event: str | None = None,
        payload: dict[str, Any] | None = None,
        state: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """
        Synchronous entry point for component execution: ``resolve`` and render.

        For components with ``async def on_*`` handlers, use
        ``async_dispatch`` instead.

        Returns:
            Dict with ``html``, ``state``, ``component_id`` and ``slots`` keys, and
            ``effects`` when the component asked for any.
        """
        try:
            finish(self._lifecycle(event, payload, state, self._handle_here))
            return self._result(self.render())
        except Exception:
            logger.debug("Error in %s.dispatch()", type(self).__name__, exc_info=True)
            raise

    async def async_dispatch(
        self,
        event: str | None = None,
        payload: dict[str, Any] | None = None,
        state: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """
        Async entry point for component execution: ``async_resolve`` and render.

        Works with both sync and async event handlers. Use this from async
        adapters (Starlette, FastAPI, WebSocket) to support ``async def on_*``.

        Returns:
            Dict with ``html``, ``state``, ``component_id`` and ``slots`` keys, and
            ``effects`` when the component asked for any.
        """
        try:
            await self._lifecycle(event, payload, state, self.async_handle_event)
            return self._result(self.render())
        except Exception:
            logger.debug("Error in %s.async_dispatch()", type(self).__name__, exc_info=True)
            raise
