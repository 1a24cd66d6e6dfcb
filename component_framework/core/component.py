"""The ``Component`` base class: its declarations, state, lifecycle hooks, rendering and slots.

Its other methods live in a module each, as mixins: routing an event to its handler
(``_component_events``), running a dispatch (``_component_dispatch``: ``resolve``,
``dispatch``) and asking for effects (``_component_effects``: ``redirect``, ``flash``, ...).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from ._component_dispatch import ComponentDispatch
from ._component_effects import ComponentEffects
from .exceptions import ComponentError, EventNotFoundError
from .renderer import Renderer, get_default_renderer
from .streams import ComponentStreams
from .tasks import ComponentTasks
from .url_state import UrlParam

# The documented API has StateSerializer in this module; it lives in its own.
from ._serializer import StateSerializer  # isort: skip

if TYPE_CHECKING:
    from pydantic import BaseModel

    from .permissions import BasePermission
    from .rate_limit import RateLimit
    from .state import StateStore
    from .uploads import Upload

__all__ = ["Component", "ComponentError", "EventNotFoundError", "StateSerializer"]

logger = logging.getLogger("component_framework")


class Component(ComponentDispatch, ComponentEffects, ComponentStreams, ComponentTasks):
    """
    Base component class with lifecycle management.

    Lifecycle:
        1. __init__(**params)
        2. mount() OR hydrate(state)
        3. handle_event(event, payload)   (``resolve()`` stops here and returns the state)
        4. before_render()
        5. render()
        6. dehydrate()

    Slots:
        Components can declare named slots via the ``slots`` class variable.
        Child components are assigned to slots with ``fill_slot()`` and their
        rendered HTML is available in the template context under ``slots``.

    Example:

        @registry.register("counter")
        class Counter(Component):
            template_name = "counter.html"

            def mount(self):
                super().mount()
                self.state["count"] = self.params.get("start", 0)

            def on_increment(self, amount: int = 1):
                self.state["count"] += amount
    """

    template_name: str | None = None
    renderer: Renderer | None = None
    permission_classes: ClassVar[list[type[BasePermission]]] = []
    check_permissions_on_push: ClassVar[bool] = True
    """Whether ``permission_classes`` are checked again for each page at each push delivery
    (with the request its socket opened with), so a page whose user lost access stops
    receiving pushes; ``False`` checks them only when the page subscribes (no per-push cost)."""
    resync_event: ClassVar[str | None] = None
    """The event a live page sends when it may have missed pushes (after a reconnect or a
    broker outage), called with no payload; ``None`` re-renders from the page's own state."""
    slots: ClassVar[list[str]] = []
    """Slot names this component accepts. Empty list means *any* slot name is accepted."""
    live: ClassVar[bool] = False
    """Whether its pages subscribe over WebSocket to the server's pushes for it."""
    lazy: ClassVar[bool | Literal["visible"]] = False
    """Render a placeholder in the page and mount the component once the page loaded
    (``True``) or once its root comes into view (``"visible"``); see ``core.lazy``."""
    placeholder_template: ClassVar[str | None] = None
    """The template a ``lazy`` component shows until it is mounted (``params`` and
    ``component_id`` in its context); ``None``: a short "Loading..." line."""
    poll: ClassVar[float | None] = None
    """Seconds between the page's refreshes of it (at least ``core.polling.POLL_FLOOR``);
    paused while the tab is hidden and while a live component gets pushes. ``None``: none."""
    poll_event: ClassVar[str | None] = None
    """The event each poll sends (a handler's name); ``None`` renders the state again."""
    transport: ClassVar[Literal["http", "ws", "htmx"]] = "http"
    """How its pages send events: ``"http"`` (``POST /event``), ``"ws"`` (the socket) or
    ``"htmx"`` (its template's htmx attributes, to ``POST /htmx``; see ``core.htmx``)."""
    push_runs_per: ClassVar[Literal["state", "user", "page"]] = "state"
    """How a pushed event (``push_event``) runs on the server for a live component's pages:
    ``"state"``, once per distinct page state, seeing no request (as ``push_state``'s render);
    ``"user"``, once per state and user (``request.user``), seeing that user's request;
    ``"page"``, once per page, with its own request. Its side effects run as often."""
    params_schema: ClassVar[type[BaseModel] | None] = None
    """A Pydantic model of its mount parameters, shown by ``cf dev``'s playground (optional)."""
    stories: ClassVar[dict[str, dict[str, Any]] | None] = None
    """Named examples for ``cf dev``'s gallery and ``cf snapshot``, each
    ``{"params": {...}, "state": {...}, "doc": "..."}`` (all optional); ``None`` shows one
    default story, the component mounted without parameters."""
    url_state: ClassVar[Mapping[str, UrlParam | Any]] = {}
    """State keys kept in the page's query string: ``{"page": UrlParam(int, default=1)}``
    (a bare type stands for ``UrlParam(type)``). See ``core.url_state``."""
    restore_from_history: ClassVar[bool] = True
    """Whether back and forward within a page bring a component with ``url_state`` back from
    the history entry's snapshot, with no request (the default); False renders it from the
    URL again, for rows that may have changed since (a CRUD list)."""
    rate_limits: ClassVar[Mapping[str, RateLimit | str]] = {}
    """Rate limits on its messages, per user (visitors by address): ``"*"`` for every message,
    an event name for that event's, as ``"5/min"`` or a ``RateLimit``
    (``core.rate_limit``). Over a limit a message is refused (429) before any code runs."""
    permission_required: ClassVar[str | Sequence[str]] = ""
    """The Django permission(s) ``DjangoModelPermission`` requires (all of them, if several)."""
    remountable: ClassVar[bool] = True
    """Whether a page may have it mounted again from the parameters of its first render when
    the server cannot use the page's state (a new release, an expired stored state): the page
    then holds those parameters, signed and readable like state. ``False`` keeps them out of
    the page, which reloads instead."""
    bindable: ClassVar[Mapping[str, Any]] = {}
    """The state keys a page may set with ``cf-model="key"``, each with its type, checked with
    Pydantic before any component code runs (``{"query": str, "page": int}``). Empty: none."""
    state_store: ClassVar[StateStore | Literal[False] | None] = None
    """Where the state lives between events. ``None``: the project default store
    (``core.state.configure``, ``CF_STATE_STORE``), else in the page, signed. A
    ``StateStore``: on the server; the page holds only a
    signed reference. ``False``: always in the page, whatever the project default."""

    uploads: ClassVar[Mapping[str, Upload]] = {}
    """The files it takes, by name: ``{"avatar": Upload(accept=["image/png"])}``; a handler
    argument of that name annotated ``UploadedFile`` receives them (``core.uploads``)."""

    locked_fields: ClassVar[Collection[str]] = frozenset()
    """State keys only the server sets: never sent to the page (left out of ``dehydrate()``)
    and dropped, with a warning, from a state that comes back holding them. Set them again
    in ``hydrate()`` or ``before_render()`` on every request."""

    def __init__(self, **params: Any) -> None:
        self.params = params
        self.state: dict[str, Any] = {}
        self.errors: dict[str, str] = {}
        self.id: str = params.get("component_id") or self._generate_id()
        self._mounted = False
        self._slot_components: dict[str, Component] = {}
        self._slot_html: dict[str, str] | None = None
        self._url_values: dict[str, Any] | None = None
        self._effects: list[dict[str, Any]] = []
        self._url_before: dict[str, Any] | None = None

    def __repr__(self) -> str:
        fields = "".join(f" {key}={value!r}" for key, value in list(self.state.items())[:6])
        return f"<{type(self).__name__} id={self.id!r}{fields}>"

    # ---------- Lifecycle ----------

    def _generate_id(self) -> str:
        """Generate unique component ID."""
        # 128 random bits: ids of live components never collide in practice.
        return f"component-{secrets.token_hex(16)}"

    def mount(self) -> None:
        """Initialize component on first load. Override in subclasses."""
        self._mounted = True

    def hydrate(self, state: dict[str, Any]) -> None:
        """Restore component from serialized state, less its ``locked_fields``: they are
        removed from *state* itself, so an override reading its argument after this call
        never sees them."""
        locked = self._locked_field_set().intersection(state)
        if locked:
            logger.warning("Dropped locked fields %s from %s's state", sorted(locked), self)
            for key in locked:
                del state[key]
        self.state.update(state)
        self._mounted = True

    @classmethod
    def migrate_state(cls, old_release: str, state: dict[str, Any]) -> dict[str, Any] | None:
        """Carry *state*, which this server signed under *old_release* (``CF_RELEASE``), forward
        to the current release; return None (the default) when it cannot be carried.

        A page whose state cannot be carried has its component mounted again from its mount
        parameters, keeping what its user typed; one whose state is carried keeps everything.
        Runs before the component is created, on every event of such a page until its state is
        signed anew: keep it quick and free of side effects.

        Example:

            @classmethod
            def migrate_state(cls, old_release, state):
                if old_release == "1":  # release 2 renamed "n" to "count"
                    return {"count": state.get("n", 0)}
                return None
        """
        return None

    def dehydrate(self) -> dict[str, Any]:
        """Serialize component state for persistence (less its ``locked_fields``)."""
        locked = self._locked_field_set()
        if not locked:
            return self.state.copy()
        return {key: value for key, value in self.state.items() if key not in locked}

    @classmethod
    def _locked_field_set(cls) -> frozenset[str]:
        # ``locked_fields`` as declared (a tuple, a list, a set), as one set.
        return frozenset(cls.locked_fields)

    def before_render(self) -> None:
        """Called before rendering. Use for derived state computation."""

    # ---------- Slots / Composition ----------

    def fill_slot(self, slot_name: str, component: Component) -> None:
        """
        Assign a child component to a named slot.

        If the component declares specific ``slots``, *slot_name* must be one of
        them. If ``slots`` is empty (the default), any name is accepted
        (permissive mode).

        Raises:
            ComponentError: If *slot_name* is not in the declared ``slots`` list.
        """
        if self.slots and slot_name not in self.slots:
            raise ComponentError(f"Unknown slot '{slot_name}'. Available: {self.slots}")
        self._slot_components[slot_name] = component
        self._slot_html = None

    def render_slots(self) -> dict[str, str]:
        """
        Render all filled slot components.

        Children not yet mounted are mounted first. Each call renders the children
        again; ``dispatch()`` reuses the HTML its own ``render()`` produced.

        Returns:
            Dict mapping slot names to their rendered HTML strings.
        """
        rendered: dict[str, str] = {}
        for name, child in self._slot_components.items():
            if not child._mounted:
                child.mount()
            rendered[name] = child.render()
        self._slot_html = rendered
        return rendered

    # ---------- Optimistic UI ----------

    def get_optimistic_patch(self, event: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        """
        Return a partial state dict the client can apply before the server responds.

        The client shows the expected result right away and reconciles with the
        server's state once the response arrives; on error it rolls back. Return
        None (the default) to disable optimistic updates for *event*.

        Example:

            def get_optimistic_patch(self, event, payload):
                if event == "increment":
                    return {"count": self.state.get("count", 0) + payload.get("amount", 1)}
                return None
        """
        return None

    # ---------- Rendering ----------

    def get_context(self) -> dict[str, Any]:
        """
        Build template context. Does not expose full component.

        Override to add custom context variables.
        The returned dict always includes a ``slots`` key containing the
        rendered HTML of any filled child components; a component with ``streams`` also
        gets ``streams``: each stream's items for a first render (``core.streams``).
        """
        context: dict[str, Any] = {
            "state": self.state,
            "errors": self.errors,
            "component_id": self.id,
            "slots": self.render_slots(),
        }
        if self.streams:
            context["streams"] = self._stream_context()
        return context

    def render(self) -> str:
        """Render component to HTML (calls ``before_render()`` once)."""
        renderer = self.renderer or get_default_renderer()
        if not renderer:
            raise ComponentError(
                f"No renderer configured for {type(self).__name__}: set `renderer` on the "
                "class or call set_default_renderer(JinjaRenderer([...]))."
            )
        if not self.template_name:
            raise ComponentError(
                f"No template_name specified on {type(self).__name__}: "
                'set template_name = "name.html".'
            )
        self.before_render()
        self._slot_html = None
        return renderer.render(self.template_name, self.get_context())
