"""A component's root element and cf.js's ``<script>`` tag, for Django pages.

Both template tags (``{% component %}``, ``{% cf_scripts %}``) and the Jinja2 globals call these.
The root element has the shape cf.js reads on every transport:

    <div data-cf-component="counter" data-cf-id="..." data-cf-state="{...}"
         data-cf-checksum="..." data-cf-token="..." data-cf-endpoint="/cf">...</div>
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.middleware.csrf import get_token
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import SafeString, mark_safe

from component_framework.core._execution import current_request
from component_framework.core._http import script_version
from component_framework.core._markup import component_root, page_request, script_tag
from component_framework.core._scripts import page_scripts
from component_framework.core.config import AppConfig
from component_framework.core.exceptions import ConfigurationError
from component_framework.core.flash import (
    FLASH_COOKIE,
    FLASH_LEVELS,
    FlashMessage,
    flash_region,
    read_flash,
)

from ._config import config
from ._websocket import websocket_enabled

_CSRF_MIDDLEWARE = "django.middleware.csrf.CsrfViewMiddleware"

__all__ = [
    "current_request",
    "endpoint",
    "jinja_globals",
    "render_component_html",
    "render_flash_html",
    "render_root",
    "render_scripts_html",
]

logger = logging.getLogger("component_framework")


def endpoint() -> str:
    """The URL path the component endpoints are served under (``/cf`` for ``path("cf/", ...)``)."""
    try:
        path: str = reverse("cf:event")
    except (NoReverseMatch, KeyError):  # KeyError: no URLconf names the "cf" namespace
        raise ConfigurationError(
            "The component endpoints are not in the URLconf: add "
            'path("cf/", include("component_framework.django.urls")) to urls.py.'
        ) from None
    return path.removesuffix("/event")


def render_component_html(name: str, request: Any = None, /, **params: Any) -> SafeString:
    """Render component *name* mounted with *params* inside its root element.

    *request* reaches the permission classes; a refusal renders the root with the message.

    Raises:
        ComponentError: Unknown component (a bug in the page), or the component failed.
    """
    return render_root(config(), name, request, params)


def render_root(settings: AppConfig, name: str, request: Any, params: dict[str, Any]) -> SafeString:
    """``render_component_html`` with the app's config given (its registry, signer, stores)."""
    request = request if request is not None else current_request()
    component_cls = settings.registry.resolve(name)
    sockets = websocket_enabled()
    if (component_cls.live or component_cls.transport == "ws") and not sockets:
        logger.warning(
            "Component %r is live but Django Channels is not set up: its events go over HTTP "
            "and it gets no server pushes (see docs/django.md, 'WebSocket').",
            name,
        )
    meta = getattr(request, "META", None)
    query = meta.get("QUERY_STRING", "") if isinstance(meta, dict) else None
    html = component_root(
        name,
        request,
        params=params,
        config=settings,
        endpoint=endpoint(),
        sockets=sockets,
        query=query,
    )
    return mark_safe(str(html))


def render_scripts_html(request: Any = None, scripts: Iterable[str] = ()) -> SafeString:
    """The ``<script>`` tags loading cf.js, carrying the page's CSRF token for cf.js to send,
    and the optional *scripts* (``"navigate"``, ...) with those the app's components need.

    Raises:
        ConfigurationError: An unknown optional script.
    """
    request = request if request is not None else current_request()
    if request is None and _CSRF_MIDDLEWARE in getattr(django_settings, "MIDDLEWARE", []):
        raise ImproperlyConfigured(
            "cf_scripts needs the request to put Django's CSRF token in the page (without it "
            "every event is refused with 403). Render the page with render(request, ...) or "
            "render_to_string(..., request=request), and keep "
            "'django.template.context_processors.request' in TEMPLATES' context_processors."
        )
    headers = {"X-CSRFToken": get_token(request)} if request is not None else None
    optional = page_scripts(scripts, config().registry)
    return mark_safe(str(script_tag(endpoint(), script_version(), headers, optional)))


def render_flash_html(request: Any = None) -> SafeString:
    """The flash region: the messages of Django's messages framework (read, so marked as
    shown) and those a component's redirect or navigation brought (the ``cf_flash`` cookie)."""
    request = request if request is not None else current_request()
    messages: list[FlashMessage] = []
    if request is not None:
        if apps.is_installed("django.contrib.messages"):
            from django.contrib.messages import get_messages

            for message in get_messages(request):
                level = message.level_tag if message.level_tag in FLASH_LEVELS else "info"
                messages.append(FlashMessage(level, str(message)))
        cookies = getattr(request, "COOKIES", {})
        messages += read_flash(cookies.get(FLASH_COOKIE), config().signer)
    return mark_safe(str(flash_region(messages)))


def jinja_globals() -> dict[str, Any]:
    """``component`` and ``cf_scripts`` for Jinja2 templates (Django's backend or components)."""
    import jinja2

    @jinja2.pass_context
    def component(context: Any, name: str, /, **params: Any) -> SafeString:
        return render_component_html(name, page_request(context), **params)

    @jinja2.pass_context
    def cf_scripts(context: Any, *scripts: str) -> SafeString:
        return render_scripts_html(page_request(context), scripts)

    @jinja2.pass_context
    def cf_flash(context: Any) -> SafeString:
        return render_flash_html(page_request(context))

    return {"component": component, "cf_scripts": cf_scripts, "cf_flash": cf_flash}
