"""The effect methods every ``Component`` has: what a handler asks the page to do.

Each method builds its effect with ``core._effects`` (which checks it) and adds it to the
effects of the current dispatch. A bad call raises ``EffectError`` (or a 4xx subclass) right
there, in the handler, its message naming the class and the method called.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

from . import _effects as build
from .exceptions import EffectError

__all__ = ["ComponentEffects"]


class ComponentEffects:
    """The effect methods of ``Component`` (docs/core.md, "Effects")."""

    browser_events: ClassVar[Sequence[str]] = ()
    """The browser events its code dispatches (:meth:`dispatch_browser_event`), listed by
    ``cf registry show``; when given, dispatching another name is an error."""
    emits: ClassVar[Sequence[str]] = ()
    """The events it emits to other components (:meth:`emit`), listed by ``cf registry show``;
    when given, emitting another is an error."""

    _effects: list[dict[str, Any]]

    @property
    def effects(self) -> list[dict[str, Any]]:
        """The effects asked for so far in this dispatch, in order (docs/core.md, "Effects")."""
        return list(self._effects)

    def _ask(self, method: str, effect: Callable[[], dict[str, Any]]) -> None:
        try:
            self._effects.append(effect())
        except EffectError as exc:
            if exc.status >= 500:  # the code's mistake: say where (a 4xx reaches the client)
                exc.args = (f"{type(self).__name__}.{method}(): {exc}",)
            raise

    def redirect(self, to: str, *args: Any, external: bool = False, **kwargs: Any) -> None:
        """Load *to* once the reply is applied: a full page load.

        *to* is a path (``"/products"``) or a URL name, resolved with *args* and *kwargs*
        (``redirect("product_edit", pk=3)``).

        Raises:
            UnsafeUrlError: *to* leads to another site and *external* is not set, or names
                no route.
            EffectError: *to* is not a string, or a URL name given arguments names no route.
        """
        self._ask("redirect", lambda: build.redirect(to, args, kwargs, external=external))

    def navigate(self, to: str, *args: Any, replace: bool = False, **kwargs: Any) -> None:
        """Go to *to* by live navigation: the page fetches it and swaps its body, keeping the
        socket and the elements marked ``cf-persist``; *replace* rewrites the current history
        entry instead of adding one.

        Raises:
            UnsafeUrlError: *to* is not on this site (use ``redirect(..., external=True)``).
            EffectError: As ``redirect``.
        """
        self._ask("navigate", lambda: build.navigate(to, args, kwargs, replace=replace))

    def patch_url(
        self,
        to: str | None = None,
        *,
        query: Mapping[str, Any] | None = None,
        replace: bool = False,
    ) -> None:
        """Change the address bar without loading a page: to *to* (a path on this site),
        and/or with *query*'s parameters set (``None`` removes one). A new history entry unless
        *replace*.

        Raises:
            UnsafeUrlError: *to* is not on this site.
            EffectError: A query parameter that is not a string, number, bool, list or None.
        """
        history: build.History = "replace" if replace else "push"
        self._ask("patch_url", lambda: build.patch_url(to, query=query, history=history))

    def flash(self, level: str, text: str) -> None:
        """Show *text* in the page's flash region (``{{ cf_flash() }}``), announced to screen
        readers and dismissable; before a redirect or a navigation, on the next page.

        Raises:
            EffectError: An unknown *level*, or *text* not a string.
            InvalidEffectError: *text* empty or longer than 500 characters.
        """
        self._ask("flash", lambda: build.flash(level, text))

    def dispatch_browser_event(self, name: str, detail: Any = None) -> None:
        """Dispatch the DOM event *name* (``"chart:data"``) with *detail* (JSON) on this
        component's root in the page, once the reply's HTML is in place. Hooks
        (``this.on(name, fn)``) and the page's scripts listen to it.

        Raises:
            EffectError: A name a page cannot listen to, a ``cf:`` name, one missing from a
                ``browser_events`` declaration, or a *detail* that is not JSON.
        """
        declared = tuple(self.browser_events)
        self._ask(
            "dispatch_browser_event", lambda: build.browser_event(name, detail, declared=declared)
        )

    def emit(
        self,
        event: str,
        payload: Mapping[str, Any] | None = None,
        *,
        to: str | None = None,
        component_id: str | None = None,
        parent: bool = False,
    ) -> None:
        """Send *event* with *payload* to other components of the same page: every component
        registered as *to*, the one with *component_id*, or the one enclosing this one
        (*parent*). Each handles it with ``on_<event>`` and its own state, in a request of its
        own, checked like any event.

        Raises:
            EffectError: Not exactly one target, a bad or undeclared event name, a *payload*
                that is not a JSON object, or a component driven by htmx (no cf.js sends it).
            InvalidEffectError: A *component_id* no page could hold.
        """
        if getattr(self, "transport", None) == "htmx":
            raise EffectError(
                f"{type(self).__name__}.emit(): a component with transport='htmx' cannot emit "
                f"{event!r}: its page has no cf.js to send it. Dispatch a browser event "
                "instead (self.dispatch_browser_event(...)), and let the other component "
                "listen with hx-trigger='<name> from:body'."
            )
        declared = tuple(self.emits)
        self._ask(
            "emit",
            lambda: build.emit(
                event,
                payload,
                to=to,
                component_id=component_id,
                parent=parent,
                declared=declared,
            ),
        )
