"""0.6.0's Django views (``component_view``, ``ComponentView`` and its guarded subclasses) over
this project's message path; public under 0.6.0's path, ``adapters.django_views``.

They serve 0.6.0's route, ``path("components/<str:name>/", component_view)``, taking this
project's message: the component's name comes from the URL, the JSON body holds the rest
(``event``, ``payload``, ``state``, ``checksum``, ``component_id``) as cf.js sends it to
``/cf/event``, and the reply is the same ``component_update``. Every check of every transport
runs: signed state, permission classes, validated payloads, rate limits. The body needs no
``X-CF-Request`` header (0.6.0's clients send none): Django's CSRF middleware guards the route.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from asgiref.sync import async_to_sync
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.utils import translation
from django.views import View

from component_framework.core._http import json_reply
from component_framework.core.exceptions import (
    ComponentError,
    MessageError,
    NotAuthenticatedError,
    PermissionDeniedError,
)
from component_framework.core.permissions import check_permissions, user_of
from component_framework.core.protocol import error_reply, handle_message, http_status
from component_framework.core.registry import ComponentRegistry

from ._config import config
from ._hops import wrap_hops
from ._user import load_user

__all__ = [
    "AuthenticatedComponentView",
    "ComponentView",
    "PermissionComponentView",
    "authenticated",
    "component_view",
    "error_response",
]

_FIELDS = ("component_id", "event", "payload", "state", "checksum", "url")


def error_response(exc: ComponentError) -> HttpResponse:
    """*exc* as the JSON error reply every transport sends, with its status."""
    return _http(error_reply(exc))


def authenticated(request: Any) -> bool:
    """Whether *request* has a logged-in user."""
    return bool(getattr(user_of(request), "is_authenticated", False))


def _http(reply: dict[str, Any]) -> HttpResponse:
    answer = json_reply(reply, http_status(reply))
    response = HttpResponse(answer.body, status=answer.status, content_type=answer.media_type)
    for key, value in answer.headers.items():
        response[key] = value
    return response


def _message(name: str, body: bytes) -> dict[str, Any]:
    """This project's message for component *name* from the body posted to 0.6.0's route."""
    try:
        fields = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise MessageError("Message is not valid JSON.") from None
    if not isinstance(fields, dict):
        raise MessageError("Message must be a JSON object.")
    if fields.get("params"):
        raise MessageError(
            "Field 'params' is not accepted: mount parameters come from the server. Render "
            "the component in the page with its parameters (docs/migrating.md)."
        )
    message = {key: fields[key] for key in _FIELDS if key in fields}
    return {"type": "component_event", "component": name, **message}


async def _answer(
    request: HttpRequest, name: str, registry: ComponentRegistry | None
) -> dict[str, Any]:
    try:
        message = _message(name, request.body)
    except MessageError as exc:
        return error_reply(exc)
    await load_user(request)
    hops = wrap_hops(translation.get_language())
    try:
        return await handle_message(message, request, config=config(), registry=registry)
    finally:
        hops.var.reset(hops)


def component_view(
    request: HttpRequest, name: str, registry: ComponentRegistry | None = None
) -> HttpResponse:
    """``POST components/<name>/``: one message for component *name*, one reply.

    Args:
        request: The request; its JSON body is the message less ``component``.
        name: The component, from the URL.
        registry: Where *name* is looked up; None: the app's (``CF_REGISTRY``).
    """
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if request.content_type != "application/json":
        return error_response(
            MessageError(f"Content-Type must be application/json, got {request.content_type!r}.")
        )
    return _http(async_to_sync(_answer)(request, name, registry))


class ComponentView(View):
    """``component_view`` as a class: ``ComponentView.as_view()`` at a URL with
    ``<str:name>``. Subclasses add checks in ``dispatch`` before the message is read."""

    http_method_names: ClassVar[list[str]] = ["post"]

    def component_registry(self) -> ComponentRegistry | None:
        """Where names are looked up; None: the app's."""
        return None

    def post(self, request: HttpRequest, name: str) -> HttpResponse:
        """Handle the message posted for component *name*."""
        return self.dispatch_component(request, name)

    def dispatch_component(self, request: HttpRequest, name: str) -> HttpResponse:
        """Run the message through this project's message path (every check included)."""
        return component_view(request, name, self.component_registry())

    def check_component_permissions(
        self, request: HttpRequest, component_cls: type[Any]
    ) -> HttpResponse | None:
        """The refusal of *component_cls*'s permission classes, or None when all grant.

        The message path runs the same check on every message; this is for a view that
        decides before it.
        """
        try:
            check_permissions(component_cls, request)
        except ComponentError as exc:
            return error_response(exc)
        return None


class AuthenticatedComponentView(ComponentView):
    """A ``ComponentView`` that answers 401 (JSON, not a redirect) without a logged-in user."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Refuse an anonymous request before the message is read."""
        if not authenticated(request):
            return error_response(NotAuthenticatedError("Authentication required"))
        response: HttpResponse = super().dispatch(request, *args, **kwargs)
        return response


class PermissionComponentView(AuthenticatedComponentView):
    """A ``ComponentView`` that needs every Django permission in ``permission_required``
    (403 JSON without one, 401 without a logged-in user)."""

    permission_required: ClassVar[str | list[str] | tuple[str, ...]] = ()

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Refuse a request whose user lacks one of ``permission_required``."""
        required = self.permission_required
        perms = [required] if isinstance(required, str) else list(required)
        if authenticated(request) and not user_of(request).has_perms(perms):
            return error_response(PermissionDeniedError("Permission denied"))
        return super().dispatch(request, *args, **kwargs)
