"""The adapter module paths of component-framework 0.6.0, as thin shims over this project's.

Each module re-exports what this project offers for the same job, or a thin layer over it
under 0.6.0's names, so code written against 0.6.0 imports; docs/migrating.md gives the new
path of each and what differs. New code imports the new paths:

| 0.6.0 path | this project |
| --- | --- |
| `adapters.fastapi` | `component_framework.web.ComponentApp` |
| `adapters.litestar` | `component_framework.litestar.create_router` |
| `adapters.django_views` | `component_framework.django.urls` (views in `django.views`) |
| `adapters.django_model` | `component_framework.django.DjangoModelMixin` |
| `adapters.django_permissions` | `component_framework.core.permissions` |
| `adapters.django_ratelimit` | `rate_limits` on the component (`core.rate_limit`) |
| `adapters.django_websocket` | `component_framework.django.consumers.ComponentConsumer` |
| `adapters.flask` | `component_framework.flask.Components` |
| `adapters.django_renderer` | `component_framework.django.renderers` |
| `adapters.jinjax_renderer` | `component_framework.jinjax.JinjaXRenderer` |
"""

from __future__ import annotations

import importlib

__all__ = ["require"]


def _require_extra(package: str, extra: str, old_extra: str | None = None) -> ImportError:
    """The error for a missing optional *package*: what to install, and which of 0.6.0's
    extras it replaces (under this project's name only: users never read the old one)."""
    return ImportError(
        f"{package} is not installed: pip install 'cf-components[{extra}]' "
        f"(it replaces 0.6.0's [{old_extra or extra}] extra)."
    )


def require(package: str, extra: str, old_extra: str | None = None) -> None:
    """Import *package* or raise the error of ``_require_extra``, before a shim imports
    the adapter that needs it.

    Raises:
        ImportError: *package* is not installed.
    """
    try:
        importlib.import_module(package)
    except ImportError:
        raise _require_extra(package, extra, old_extra) from None
