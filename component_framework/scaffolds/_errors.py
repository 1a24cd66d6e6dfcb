"""The exceptions of the scaffolds.

Exception tree:

    ScaffoldError            a scaffold cannot be generated; the message says why and what to do
    ├── InvalidNameError     the name cannot be a module and class name (also a ValueError)
    ├── CollisionError       files (or the registry name) already exist; nothing was written
    └── LayoutError          the project does not say where the files go, or not usably
"""

from __future__ import annotations

__all__ = ["CollisionError", "InvalidNameError", "LayoutError", "ScaffoldError"]


class ScaffoldError(Exception):
    """A scaffold cannot be generated here; the message says why and what to do."""


class InvalidNameError(ScaffoldError, ValueError):
    """The name cannot become a Python module and class name; the message says why."""


class CollisionError(ScaffoldError):
    """Files the scaffold would write already exist (and --force was not given)."""


class LayoutError(ScaffoldError):
    """The project does not say where the files go, or says it in a way cf cannot use."""
