"""The docs tab: what a component is, generated from its code.

The class docstring rendered as Markdown (raw HTML in it is escaped), its mount params, the keys
of its state (from its first story) with their types, its events with their argument types,
its slots and permissions, and its source with the file and line it starts at.
"""

from __future__ import annotations

import inspect
from typing import Any

from component_framework.core.component import Component

from ._inspect import describe_component
from ._prose import markdown_html

__all__ = ["component_docs"]


def _type_of(value: Any) -> str:
    if value is None:
        return "None"
    if isinstance(value, list):
        inner = sorted({_type_of(v) for v in value})
        return f"list[{' | '.join(inner)}]" if inner else "list"
    if isinstance(value, dict):
        return "dict"
    return type(value).__name__


def component_docs(name: str, cls: type[Component], state: dict[str, Any] | None) -> dict[str, Any]:
    """Describe *cls* for the docs tab; *state* is a rendered state (its keys are listed)."""
    info = describe_component(name, cls).to_json()
    doc = inspect.getdoc(cls) if cls.__doc__ else ""
    try:
        lines, start = inspect.getsourcelines(cls)
        source, file = "".join(lines), inspect.getsourcefile(cls) or ""
    except (OSError, TypeError):
        source, file, start = "", "", 0
    return {
        "name": name,
        "class": info["class"],
        "kind": info["kind"],
        "template": info["template"],
        "doc_html": markdown_html(doc or ""),
        "params": info["params"],
        "state": [{"name": k, "type": _type_of(v)} for k, v in (state or {}).items()],
        "events": info["events"],
        "slots": list(cls.slots),
        "permissions": [p.__name__ for p in cls.permission_classes],
        "source": source,
        "file": file,
        "line": start,
    }
