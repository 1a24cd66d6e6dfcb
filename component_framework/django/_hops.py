"""What a Django request carries into core's worker thread: its language and Django's
database-connection hygiene.

Core runs a sync component (permission classes, handler, render) in a worker thread of its
own (``component_framework.core.threads``). Django keeps the active language and the
database connections in thread-locals, which that thread does not inherit, so for every
message the adapter wraps the hop (``wrap_sync_hops``):
in the worker thread, the request's language is activated (``translation.override``) and
``close_old_connections()`` runs before and after, as Django does around a request, so a
connection the handler opened is closed (or kept, per ``CONN_MAX_AGE``) and never outlives
its welcome in a pooled thread. An ``async def`` handler runs on the event loop, where the
language is already active (Django's ``LocaleMiddleware``, or ``socket_language``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import Token
from functools import partial
from typing import Any

from django.db import close_old_connections
from django.http import HttpRequest, parse_cookie
from django.utils import translation

from component_framework.core.threads import HopSetup, wrap_sync_hops

__all__ = ["request_hop", "socket_language", "wrap_hops"]


@contextmanager
def request_hop(language: str | None) -> Iterator[None]:
    """Inside a worker thread: *language* active, stale connections closed before and after."""
    close_old_connections()
    try:
        with translation.override(language, deactivate=True):
            yield
    finally:
        close_old_connections()


def wrap_hops(language: str | None) -> Token[HopSetup | None]:
    """Run the sync hops of the message being served inside ``request_hop``."""
    return wrap_sync_hops(partial(request_hop, language))


def socket_language(scope: Mapping[str, Any]) -> str:
    """The language of a WebSocket's user, chosen as ``LocaleMiddleware`` chooses it.

    From the language cookie, then ``Accept-Language``, then ``LANGUAGE_CODE`` (a socket URL
    carries no language prefix).
    """
    request = HttpRequest()
    for raw_name, raw_value in scope.get("headers", ()):
        name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
        if name == "cookie":
            request.COOKIES.update(parse_cookie(value))
        elif name == "accept-language":
            request.META["HTTP_ACCEPT_LANGUAGE"] = value
    language: str = translation.get_language_from_request(request)
    return language
