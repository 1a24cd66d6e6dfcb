"""Stories: named variants of a component, declared on its class, shown by the gallery.

A component lists its variants in a ``stories`` mapping: each names the mount ``params``
and/or the ``state`` to render with (a state replaces what ``mount`` produced), an optional
``doc``, and the ``user`` to render it as (a Django username, or a name the project's
``[tool.cf] users`` function knows), for components with permissions:

    class Counter(Component):
        stories = {
            "empty": {"params": {"start": 0}},
            "busy": {"params": {"start": 99}, "doc": "A large count."},
            "stepped": {"state": {"count": 3, "step": 5}},
            "as editor": {"user": "editor"},
        }

A component without ``stories`` gets one story, ``default``, mounted without params, so
nothing has to be written to preview it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from component_framework.core.component import Component

from ._prose import inline_html

__all__ = ["DEFAULT_STORY", "Story", "StoryError", "stories_of"]

DEFAULT_STORY = "default"
_KEYS = frozenset({"params", "state", "doc", "user"})
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


class StoryError(ValueError):
    """A component's ``stories`` mapping is malformed; the message says where and how to fix it."""


@dataclass(frozen=True)
class Story:
    """One named variant of a component: mount *params*, and a *state* to render (or None)."""

    component: str
    name: str
    params: dict[str, Any] = field(default_factory=dict)
    state: dict[str, Any] | None = None
    doc: str = ""
    user: str | None = None

    @property
    def id(self) -> str:
        """``component/story``: the story's address in URLs and snapshot files."""
        return f"{self.component}/{self.name}"

    def to_json(self) -> dict[str, Any]:
        """The gallery's and the playground's form."""
        return {
            "id": self.id,
            "component": self.component,
            "name": self.name,
            "params": self.params,
            "state": self.state,
            "doc": self.doc,
            "doc_html": inline_html(self.doc),
            "user": self.user,
        }


def stories_of(name: str, cls: type[Component]) -> list[Story]:
    """Return the stories of *cls* (registered as *name*), or its one default story.

    Raises:
        StoryError: ``stories`` is not a mapping of names to ``{"params", "state", "doc"}``.
    """
    declared: Any = cls.stories
    where = f"{cls.__module__}.{cls.__qualname__}.stories"
    if declared is None:
        return [Story(name, DEFAULT_STORY)]
    if not isinstance(declared, dict):
        raise StoryError(
            f"{where} must be a dict of story names to {{'params': ..., 'state': ...}}, "
            f"got {type(declared).__name__}."
        )
    stories = [_story(name, story, spec, where) for story, spec in declared.items()]
    return stories or [Story(name, DEFAULT_STORY)]


def _story(component: str, name: Any, spec: Any, where: str) -> Story:
    if not isinstance(name, str) or not _NAME.match(name):
        raise StoryError(
            f"{where}: story name {name!r} must be letters, digits, '-' or '_' (at most 64), "
            "for example 'empty' or 'with-items'."
        )
    if not isinstance(spec, dict):
        raise StoryError(
            f"{where}[{name!r}] must be a dict like {{'params': {{...}}}}, "
            f"got {type(spec).__name__}."
        )
    unknown = sorted(set(spec) - _KEYS)
    if unknown:
        raise StoryError(
            f"{where}[{name!r}] has unknown key(s) {', '.join(map(repr, unknown))}; "
            "a story takes 'params', 'state', 'doc' and 'user'."
        )
    params = spec.get("params") or {}
    state = spec.get("state")
    doc = spec.get("doc") or ""
    if not isinstance(params, dict):
        raise StoryError(f"{where}[{name!r}]['params'] must be a dict of mount parameters.")
    if state is not None and not isinstance(state, dict):
        raise StoryError(f"{where}[{name!r}]['state'] must be a dict (the component's state).")
    if not isinstance(doc, str):
        raise StoryError(f"{where}[{name!r}]['doc'] must be a string.")
    user = spec.get("user")
    if user is not None and not (isinstance(user, str) and user):
        raise StoryError(f"{where}[{name!r}]['user'] must be a user's name, like 'editor'.")
    for what, value in (("params", params), ("state", state)):
        try:
            json.dumps(value)
        except (TypeError, ValueError) as exc:
            raise StoryError(
                f"{where}[{name!r}]['{what}'] must be JSON data (it goes into URLs): {exc}"
            ) from None
    return Story(component, name, dict(params), None if state is None else dict(state), doc, user)
