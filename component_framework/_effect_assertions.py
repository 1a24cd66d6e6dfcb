"""What ``ComponentTester`` checks of a reply's effects (docs/core.md, "Effects"): the one
list ``effects`` and an assertion per type; and the address bar they move."""

from __future__ import annotations

from typing import Any, Self
from urllib.parse import parse_qsl, urljoin

from .core.url_state import merge_query

__all__ = ["EffectAssertions"]

_MISSING: Any = object()


def _same_url(a: str, b: str) -> bool:
    def parts(url: str) -> tuple[str, list[tuple[str, str]]]:
        path, _, query = url.partition("#")[0].partition("?")
        return path, sorted(parse_qsl(query, keep_blank_values=True))

    return parts(a) == parts(b)


class EffectAssertions:
    """The effects part of ``ComponentTester``."""

    _reply: dict[str, Any]
    _url: str
    frames: list[dict[str, Any]]

    @property
    def url(self) -> str:
        """The page's URL as the address bar shows it after the events so far (each reply's
        ``patch_url`` effects applied; a redirect or a navigation leaves it as it was)."""
        return self._url

    @property
    def effects(self) -> list[dict[str, Any]]:
        """The effects the page would apply after the latest event (or the first render), in
        order: those of its reply, or of every frame of the latest ``stream``."""
        replies = self.frames if self.frames else [self._reply]
        return [effect for reply in replies for effect in reply.get("effects", ())]

    @property
    def browser_events(self) -> list[tuple[str, Any]]:
        """The browser events of ``effects``, as ``(name, detail)`` pairs."""
        return [(e["name"], e["detail"]) for e in self.effects if e["type"] == "browser_event"]

    @property
    def emitted(self) -> list[dict[str, Any]]:
        """The ``emit`` effects: ``{"event", "payload"}`` and ``to``, ``component_id`` or
        ``parent``."""
        return [
            {key: value for key, value in effect.items() if key != "type"}
            for effect in self.effects
            if effect["type"] == "emit"
        ]

    def _follow(self, effects: Any) -> None:
        # The address bar after a reply: its patch_url effects, in order.
        for effect in effects:
            if effect.get("type") == "patch_url":
                url = urljoin(self._url, effect["url"]) if effect.get("url") else self._url
                path, _, query = url.partition("?")
                query = merge_query(query, effect.get("query") or {})
                self._url = f"{path}?{query}" if query else path

    def _effects_of(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.effects if e.get("type") == kind]

    def assert_redirect(self, url: str | None = None) -> Self:
        """Assert the latest reply redirects (to *url*, when given)."""
        return self._assert_leaves("redirect", url)

    def assert_navigate(self, url: str | None = None) -> Self:
        """Assert the latest reply navigates live (to *url*, when given)."""
        return self._assert_leaves("navigate", url)

    def _assert_leaves(self, kind: str, url: str | None) -> Self:
        found = self._effects_of(kind)
        assert found, f"no {kind} in the reply; its effects: {self.effects}"
        if url is not None:
            assert found[0]["url"] == url, f"{kind} to {found[0]['url']!r}, expected {url!r}"
        return self

    def assert_no_redirect(self) -> Self:
        """Assert the latest reply neither redirects nor navigates."""
        leaving = [e for e in self.effects if e.get("type") in ("redirect", "navigate")]
        assert not leaving, f"the reply leaves the page: {leaving}"
        return self

    def assert_url(self, expected: str) -> Self:
        """Assert the page's URL is *expected* (query parameters in any order)."""
        assert _same_url(self._url, expected), f"the URL is {self._url!r}, expected {expected!r}"
        return self

    def assert_flash(self, text: str | None = None, level: str | None = None) -> Self:
        """Assert the latest reply flashes a message (with this *text* and *level*, if given)."""
        flashes = self._effects_of("flash")
        assert flashes, f"no flash message in the reply; its effects: {self.effects}"
        matching = [
            f
            for f in flashes
            if (text is None or f["text"] == text) and (level is None or f["level"] == level)
        ]
        shown = [(f["level"], f["text"]) for f in flashes]
        wanted = " ".join(part for part in (level, None if text is None else repr(text)) if part)
        assert matching, f"no flash {wanted}; flashed: {shown}"
        return self

    def assert_browser_event(self, name: str, detail: Any = _MISSING) -> Self:
        """Assert the latest event dispatched the browser event *name* (with *detail*)."""
        details = [found for event, found in self.browser_events if event == name]
        assert details, f"no browser event {name!r}; effects: {self.effects}"
        if detail is not _MISSING:
            assert detail in details, f"browser event {name!r} had detail {details}, not {detail!r}"
        return self

    def assert_emitted(
        self,
        event: str,
        payload: Any = _MISSING,
        *,
        to: Any = _MISSING,
        component_id: Any = _MISSING,
        parent: Any = _MISSING,
    ) -> Self:
        """Assert the latest event emitted *event* (with *payload*, to the given target)."""
        wanted = {"payload": payload, "to": to, "component_id": component_id, "parent": parent}
        wanted = {key: value for key, value in wanted.items() if value is not _MISSING}
        same = [e for e in self.emitted if e["event"] == event]
        assert same, f"{event!r} was not emitted; effects: {self.effects}"
        assert any(all(e.get(k) == v for k, v in wanted.items()) for e in same), (
            f"{event!r} was emitted as {same}, not with {wanted}"
        )
        return self

    @property
    def stream_changes(self) -> list[dict[str, Any]]:
        """The ``stream`` effects (``core.streams``): ``{"stream", "op", "id", "html", ...}``,
        each item's HTML as the page gets it."""
        return [
            {key: value for key, value in effect.items() if key != "type"}
            for effect in self._effects_of("stream")
        ]

    def assert_streamed(
        self, stream: str, op: str, id: str | None = None, *, contains: str | None = None
    ) -> Self:
        """Assert the latest event changed *stream* with *op* (``insert``, ``update``,
        ``delete``, ``reset``), for the item with DOM *id*, its HTML containing *contains*."""
        found = [
            change
            for change in self.stream_changes
            if change["stream"] == stream
            and change["op"] == op
            and (id is None or change.get("id") == id)
            and (contains is None or contains in change.get("html", ""))
        ]
        shown = [(c["stream"], c["op"], c.get("id")) for c in self.stream_changes]
        assert found, f"no {op} of {id or 'an item'} in stream {stream!r}; stream changes: {shown}"
        return self

    def assert_upload(self, name: str, **fields: Any) -> Self:
        """Assert the latest render offers the upload *name* (with these *fields*: ``accept``,
        ``max_size``, ``max_files``, ``chunk_size``, ``events``)."""
        offered = {e["name"]: e for e in self._effects_of("upload")}
        assert name in offered, f"no upload {name!r}; the render offers {sorted(offered)}"
        differ = {k: offered[name].get(k) for k, v in fields.items() if offered[name].get(k) != v}
        assert not differ, f"upload {name!r} has {differ}, not {fields}"
        return self

    def assert_no_effects(self) -> Self:
        """Assert the latest event asked the page for nothing but its HTML and state (the
        ``upload`` effects every render of a component with uploads carries aside)."""
        asked = [e for e in self.effects if e.get("type") != "upload"]
        assert not asked, f"unexpected effects: {asked}"
        return self
