"""Streams: long lists a component shows without keeping them in its state.

A component declares each stream with the template of one item; its state holds none of the
items (keep ids there if the component needs them). A handler inserts, updates, deletes items
by key, or resets the list; each change renders its item once and goes to the page as a
``stream`` effect, so a reply (or a push) carries the change, never the whole list. The page
keeps the items in the element marked ``cf-stream="<name>"``, keyed by their DOM ids, and a
morph of the component leaves them there.

The first render (the component mounted) has the items in its HTML instead: the template shows
them with ``{{ streams.<name> }}`` inside the container, which renders nothing on later renders.

    class Chat(Component):
        template_name = "chat.html"   # <ul cf-stream="messages">{{ streams.messages }}</ul>
        streams = {"messages": Stream("message.html", limit=200)}

        def mount(self):
            super().mount()
            self.stream_extend("messages", recent_messages())

        def on_send(self, text: str):
            self.stream_insert("messages", save_message(text))

``ws_manager.stream("chat", "messages").insert(message)`` pushes the same change to every page
showing a ``chat``, the item rendered once (``StreamPush``). Not to be confused with
``core.streaming``, a component whose one event replies with several frames.
"""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from markupsafe import Markup

from .exceptions import EffectError
from .renderer import Renderer, get_default_renderer

__all__ = [
    "ComponentStreams",
    "Stream",
    "StreamPush",
    "stream_effects",
]

logger = logging.getLogger("component_framework")

_At = Literal[0, -1]
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")
_KEY = re.compile(r"[A-Za-z0-9_.:-]{1,100}")


@dataclass(frozen=True, slots=True)
class Stream:
    """One stream of a component: how its items render, are keyed and bounded.

    Args:
        template: The template of one item, rendered with ``item`` and ``dom_id``; its root
            element must carry ``id="{{ dom_id }}"``.
        key: The item's key: a dict key or attribute name, or a function of the item. The
            item's DOM id is ``<stream name>-<key>``.
        limit: The most items the page keeps: an insert at one end drops items from the
            other. ``None``: no limit.
    """

    template: str
    key: str | Callable[[Any], Any] = "id"
    limit: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.template, str) or not self.template:
            raise TypeError(f"Stream(template=...) needs a template name, got {self.template!r}.")
        if self.limit is not None and (
            isinstance(self.limit, bool) or not isinstance(self.limit, int) or self.limit < 1
        ):
            raise ValueError(f"Stream limit must be a positive int or None, got {self.limit!r}.")

    def dom_id(self, name: str, item: Any) -> str:
        """The DOM id of *item* (or of the key *item*, a str or int) in the stream *name*."""
        key: Any
        if isinstance(item, str | int) and not isinstance(item, bool):
            key = item
        elif callable(self.key):
            key = self.key(item)
        elif isinstance(item, Mapping):
            if self.key not in item:
                raise EffectError(
                    f"An item of stream {name!r} has no {self.key!r} key: {_short(item)}. "
                    "Give it one, or set Stream(key=...)."
                )
            key = item[self.key]
        elif hasattr(item, self.key):
            key = getattr(item, self.key)
        else:
            raise EffectError(
                f"An item of stream {name!r} has no {self.key!r} attribute: {_short(item)}. "
                "Give it one, or set Stream(key=...)."
            )
        text = str(key)
        if isinstance(key, bool) or not _KEY.fullmatch(text):
            raise EffectError(
                f"The key {key!r} of an item of stream {name!r} cannot make a DOM id: use 1-100 "
                "letters, digits or '_.:-' (a database id, a slug)."
            )
        return f"{name}-{text}"

    def render(self, name: str, item: Any, renderer: Renderer) -> tuple[str, str]:
        """Render *item*: its DOM id and HTML.

        Raises:
            EffectError: The item has no usable key, or its HTML's root lacks the DOM id.
        """
        dom_id = self.dom_id(name, item)
        html = renderer.render(self.template, {"item": item, "dom_id": dom_id}).strip()
        match = re.match(r"<[A-Za-z][^>]*>", html)
        if match is None or f'id="{dom_id}"' not in match.group():
            raise EffectError(
                f"The item template {self.template!r} of stream {name!r} must render one "
                f'element with id="{{{{ dom_id }}}}" ({dom_id!r}); it rendered {html[:80]!r}.'
            )
        return dom_id, html


def _short(item: Any) -> str:
    text = repr(item)
    return text if len(text) <= 80 else text[:77] + "..."


def _check_at(name: str, at: Any) -> _At:
    if at not in (0, -1) or isinstance(at, bool):
        raise EffectError(
            f"Stream {name!r}: at={at!r} is not an end; use at=-1 (the end) or at=0 (the start)."
        )
    return at  # type: ignore[no-any-return]


def stream_effects(
    name: str,
    stream: Stream,
    renderer: Renderer,
    op: Literal["insert", "update", "delete", "reset"],
    items: Iterable[Any] = (),
    *,
    at: Any = -1,
) -> list[dict[str, Any]]:
    """The ``stream`` effects of one change of *stream* (*name*), each item rendered once.

    ``insert`` (of an id the page holds: replaced where it is), ``update`` (an id the page does
    not hold: ignored, with a console warning), ``delete`` (items or keys; one the page does
    not hold: nothing to do), ``reset`` (empties the list, then inserts *items* at the end).
    """
    at = _check_at(name, at)
    base: dict[str, Any] = {"type": "stream", "stream": name}
    if op == "delete":
        return [{**base, "op": "delete", "id": stream.dom_id(name, item)} for item in items]
    effects: list[dict[str, Any]] = [{**base, "op": "reset"}] if op == "reset" else []
    kind = "update" if op == "update" else "insert"
    for item in items:
        dom_id, html = stream.render(name, item, renderer)
        effect: dict[str, Any] = {**base, "op": kind, "id": dom_id, "html": html}
        if kind == "insert":
            effect["at"] = at
            if stream.limit is not None:
                effect["limit"] = stream.limit
        effects.append(effect)
    return effects


def _renderer_of(owner: Any) -> Renderer:
    renderer: Renderer | None = owner.renderer or get_default_renderer()
    if renderer is None:
        raise EffectError(
            f"No renderer for {owner.__name__}'s stream items: set `renderer` on the class or "
            "call set_default_renderer(JinjaRenderer([...]))."
        )
    return renderer


def _stream_of(owner: type[Any], name: str) -> Stream:
    stream: Stream | None = owner.streams.get(name) if isinstance(name, str) else None
    if stream is None:
        close = difflib.get_close_matches(str(name), list(owner.streams), n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"declared: {list(owner.streams)}."
        raise EffectError(f"{owner.__name__} has no stream {name!r}; {hint}")
    return stream


class _Rendered:
    """The items a first render shows, as the changes so far leave them (DOM id -> HTML)."""

    def __init__(self) -> None:
        self.items: dict[str, dict[str, str]] = {}

    def apply(self, name: str, stream: Stream, effects: list[dict[str, Any]]) -> None:
        items = self.items.setdefault(name, {})
        for effect in effects:
            op, dom_id = effect["op"], effect.get("id", "")
            if op == "reset":
                items.clear()
            elif op == "delete":
                items.pop(dom_id, None)
            elif op == "update":
                if dom_id in items:
                    items[dom_id] = effect["html"]
            elif dom_id in items or effect["at"] == -1:
                items[dom_id] = effect["html"]
            else:
                self.items[name] = items = {dom_id: effect["html"], **items}
            if stream.limit is not None and len(items) > stream.limit:
                keep = list(items.items())
                keep = keep[: stream.limit] if effect.get("at") == 0 else keep[-stream.limit :]
                self.items[name] = items = dict(keep)

    def html(self, name: str) -> Markup:
        # Each item was rendered by the (autoescaping) renderer.
        return Markup("".join(self.items.get(name, {}).values()))


class _StreamsInTemplate:
    """``streams.<name>`` in a template: the items of a first render, else nothing (the page
    holds them). Not a dict: a stream may be called ``items`` or ``keys``."""

    __slots__ = ("_names", "_rendered")

    def __init__(self, names: Mapping[str, Stream], rendered: _Rendered | None) -> None:
        self._names = names
        self._rendered = rendered

    def __getattr__(self, name: str) -> Markup:
        if name.startswith("__") or name not in self._names:
            raise AttributeError(name)
        return Markup("") if self._rendered is None else self._rendered.html(name)

    __getitem__ = __getattr__

    def __repr__(self) -> str:
        return f"<streams {list(self._names)}>"


class ComponentStreams:
    """The stream methods of ``Component`` (see the module's docstring)."""

    streams: ClassVar[Mapping[str, Stream]] = {}
    """Its streams by name: ``{"messages": Stream("message.html", limit=200)}``. Their items
    stay out of the state; the page keeps them in ``cf-stream="<name>"`` containers."""

    renderer: Renderer | None
    _effects: list[dict[str, Any]]
    # Hydrated in a dispatch: changes go as effects. Otherwise (mounted, or rendered outside a
    # dispatch: a story, a preview) they show in the render's HTML.
    _streams_as_effects = False
    _first_render: _Rendered | None = None

    def _start_streams(self, *, mounting: bool) -> None:
        self._streams_as_effects = not mounting
        self._first_render = None

    def _change(self, method: str, name: str, op: Any, items: Iterable[Any], at: Any = -1) -> None:
        owner = type(self)
        try:
            stream = _stream_of(owner, name)
            effects = stream_effects(name, stream, _renderer_of(owner), op, items, at=at)
        except EffectError as exc:  # say where, as the other effect methods do
            exc.args = (f"{owner.__name__}.{method}(): {exc}",)
            raise
        if self._streams_as_effects:
            self._effects.extend(effects)
            return
        if self._first_render is None:
            self._first_render = _Rendered()
        self._first_render.apply(name, stream, effects)

    def stream_insert(self, name: str, item: Any, *, at: _At = -1) -> None:
        """Insert *item* into the stream *name* at the end (``at=-1``) or the start (``at=0``);
        an item whose key the page holds is replaced where it is. Beyond the stream's limit
        the page drops items from the other end.

        Raises:
            EffectError: An unknown stream, an item without a usable key, or a bad *at*.
        """
        self._change("stream_insert", name, "insert", [item], at)

    def stream_extend(self, name: str, items: Iterable[Any], *, at: _At = -1) -> None:
        """Insert each of *items*, in order, as ``stream_insert`` does."""
        self._change("stream_extend", name, "insert", items, at)

    def stream_update(self, name: str, item: Any) -> None:
        """Render *item* again where the page shows it (a page without it ignores it)."""
        self._change("stream_update", name, "update", [item])

    def stream_delete(self, name: str, item: Any) -> None:
        """Remove *item* (or the item with the key *item*) from the stream *name*."""
        self._change("stream_delete", name, "delete", [item])

    def stream_reset(self, name: str, items: Iterable[Any] = ()) -> None:
        """Empty the stream *name* on the page, then insert *items* (a new search's results)."""
        self._change("stream_reset", name, "reset", items)

    def _stream_context(self) -> _StreamsInTemplate:
        shown = None if self._streams_as_effects else self._first_render
        return _StreamsInTemplate(type(self).streams, shown)


class StreamPush:
    """Changes of one stream pushed to every page showing a component (on every process).

    Got from ``ws_manager.stream(component, name)``. Each change renders its items once, in
    the calling thread, and publishes the ``stream`` effects; every subscribed page applies
    them. The methods never wait and are safe from any thread.
    """

    def __init__(
        self,
        owner: type[Any],
        name: str,
        publish: Callable[[list[dict[str, Any]]], None],
    ) -> None:
        self._owner = owner
        self._name = name
        self._stream = _stream_of(owner, name)
        self._publish = publish

    def __repr__(self) -> str:
        return f"<StreamPush {self._owner.__name__}.{self._name}>"

    def _push(self, op: Any, items: Iterable[Any], at: Any = -1) -> None:
        renderer = _renderer_of(self._owner)
        self._publish(stream_effects(self._name, self._stream, renderer, op, items, at=at))

    def insert(self, item: Any, *, at: _At = -1) -> None:
        """Push ``stream_insert`` of *item* to every page."""
        self._push("insert", [item], at)

    def extend(self, items: Iterable[Any], *, at: _At = -1) -> None:
        """Push ``stream_extend`` of *items* to every page."""
        self._push("insert", items, at)

    def update(self, item: Any) -> None:
        """Push ``stream_update`` of *item* to every page."""
        self._push("update", [item])

    def delete(self, item: Any) -> None:
        """Push ``stream_delete`` of *item* (or its key) to every page."""
        self._push("delete", [item])

    def reset(self, items: Iterable[Any] = ()) -> None:
        """Push ``stream_reset`` with *items* to every page."""
        self._push("reset", items)
