"""Which web framework serves a project, where advice depends on it (``cf check``)."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from pathlib import Path

__all__ = ["served_by_flask"]

_REQUIREMENT = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?")


def served_by_flask(root: Path, pyproject: Path | None) -> bool:
    """Whether Flask serves the project's components.

    Under Flask a ``def`` handler runs on the server's own thread and an ``async def`` one on
    a background event loop, the other way round from the ASGI hosts. Flask is the host when
    the project's dependencies (``pyproject.toml``'s ``[project] dependencies``, else
    ``requirements.txt``) name Flask or the ``flask`` extra (``cf-components[flask]``).
    """
    return any(_names_flask(line) for line in _requirements(root, pyproject))


def _requirements(root: Path, pyproject: Path | None) -> Iterable[str]:
    if pyproject is not None and pyproject.is_file():
        try:
            table = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
            table = {}
        dependencies = table.get("project", {}).get("dependencies", [])
        if isinstance(dependencies, list) and dependencies:
            return [d for d in dependencies if isinstance(d, str)]
    requirements = root / "requirements.txt"
    try:
        return requirements.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []


def _names_flask(requirement: str) -> bool:
    found = _REQUIREMENT.match(requirement)
    if found is None:
        return False
    name, extras = found.group(1).lower(), found.group(2) or ""
    return name == "flask" or "flask" in (e.strip().lower() for e in extras.split(","))
