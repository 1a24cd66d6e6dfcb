"""Lazy components: a placeholder in the page's HTML, the component once the page asks for it.

A component with ``lazy = True`` is not mounted while the page renders, so a slow ``mount()``
(a report, a remote call) never holds the page back. Its root holds a placeholder and its
signed mount parameters (the mount token pages already carry to recover, ``_recovery``); cf.js
sends them right after the page loaded (``lazy = True``) or when the root first comes into view
(``lazy = "visible"``), and the server mounts the component under the root's id, as the page's
render would have. Its permission classes are checked at both steps.

The placeholder is ``placeholder_template``, rendered with ``params`` and ``component_id``
only (the component does not exist yet), else a short "Loading..." line. A mount that fails
shows its error in the root, like any failed event; the page is not reloaded, and the
component is not asked again until the page is.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from ._recovery import mount_attributes
from .exceptions import ConfigurationError
from .permissions import check_permissions
from .renderer import get_default_renderer

if TYPE_CHECKING:
    from .component import Component
    from .config import AppConfig

__all__ = ["DEFAULT_PLACEHOLDER", "lazy_attributes"]

DEFAULT_PLACEHOLDER = '<p class="cf-placeholder" aria-busy="true">Loading...</p>'
"""What a lazy component without a ``placeholder_template`` shows until it is mounted."""


def lazy_attributes(
    component_cls: type[Component],
    name: str,
    request: Any,
    *,
    params: Mapping[str, Any],
    config: AppConfig,
) -> tuple[dict[str, str | None], Markup]:
    """The root attributes and placeholder HTML of lazy *component_cls*, not mounted.

    Raises:
        NotAuthenticatedError, PermissionDeniedError: A permission class refused *request*.
        ConfigurationError: The component cannot be mounted later: it is not ``remountable``,
            or its parameters are not plain JSON (the page must carry them, signed).
    """
    check_permissions(component_cls, request)
    component_id = params.get("component_id") or f"component-{secrets.token_hex(16)}"
    mount = mount_attributes(component_cls, name, component_id, params, config.signer)
    if not mount:
        raise ConfigurationError(
            f"{component_cls.__name__} is lazy, so the page carries its mount parameters "
            "(signed) to mount it later; it needs remountable = True and parameters JSON "
            f"carries exactly (str, int, float, bool, None, lists, dicts), got {dict(params)!r}."
        )
    pairs: dict[str, str | None] = {
        "data-cf-id": component_id,
        "data-cf-token": config.signer.subscription_token(name, component_id),
        "data-cf-lazy": "visible" if component_cls.lazy == "visible" else "load",
        **mount,
    }
    return pairs, _placeholder(component_cls, component_id, params)


def _placeholder(cls: type[Component], component_id: str, params: Mapping[str, Any]) -> Markup:
    if cls.placeholder_template is None:
        return Markup(DEFAULT_PLACEHOLDER)
    renderer = cls.renderer or get_default_renderer()
    if renderer is None:
        raise ConfigurationError(
            f"No renderer for {cls.__name__}'s placeholder_template: set `renderer` on the "
            "class or call set_default_renderer(JinjaRenderer([...]))."
        )
    context = {"params": dict(params), "component_id": component_id}
    # Rendered by the component's (autoescaping) renderer.
    return Markup(renderer.render(cls.placeholder_template, context))
