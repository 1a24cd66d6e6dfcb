"""The clear error a missing optional dependency gives, naming the extra to install."""

from __future__ import annotations

import importlib.util

__all__ = ["require"]


def require(module: str, extra: str, feature: str) -> None:
    """Raise ImportError naming *extra* when *module* cannot be imported.

    Raises:
        ImportError: *module* is not installed.
    """
    if importlib.util.find_spec(module) is None:
        raise ImportError(
            f"{feature} needs {module}, which is not installed: "
            f"pip install 'cf-components[{extra}]'"
        )
