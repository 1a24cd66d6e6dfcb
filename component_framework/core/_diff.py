"""What changed between two states: the dev server's event log and ``cf dispatch`` show it."""

from __future__ import annotations

from typing import Any

__all__ = ["state_diff"]


def state_diff(before: Any, after: Any, path: str = "") -> list[dict[str, Any]]:
    """List the changes from *before* to *after*: ``{"path", "op", "old", "new"}`` each.

    Objects are compared key by key (paths like ``form_data.name``); anything else, lists
    included, is compared as a whole.
    """
    if isinstance(before, dict) and isinstance(after, dict):
        changes: list[dict[str, Any]] = []
        for key in sorted(set(before) | set(after), key=str):
            where = f"{path}.{key}" if path else str(key)
            if key not in after:
                changes.append({"path": where, "op": "removed", "old": before[key], "new": None})
            elif key not in before:
                changes.append({"path": where, "op": "added", "old": None, "new": after[key]})
            else:
                changes.extend(state_diff(before[key], after[key], where))
        return changes
    if before == after and type(before) is type(after):
        return []
    return [{"path": path or "(state)", "op": "changed", "old": before, "new": after}]
