"""Adapter tests: Django with the example site's settings on real SQLite (pytest-django).

``settings.configure()`` rather than ``DJANGO_SETTINGS_MODULE``: the variable would leak into
every ``cf`` subprocess of the rest of the suite.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import re
import sys
import tempfile
from collections.abc import Callable, Iterator
from html import unescape
from pathlib import Path
from typing import Any

import django
import pytest
from django.conf import settings

import examples.django_site.settings as site_settings
from component_framework.core import registry
from component_framework.core.renderer import get_default_renderer, set_default_renderer

if not settings.configured:
    values = {name: getattr(site_settings, name) for name in dir(site_settings) if name.isupper()}
    test_db = Path(tempfile.mkdtemp(prefix="cf-django-")) / "test.sqlite3"
    values["DATABASES"]["default"]["TEST"] = {"NAME": str(test_db)}
    settings.configure(**values)
    previous = get_default_renderer()
    django.setup()
    # The app installs a default renderer when none is set; the rest of the suite expects none.
    set_default_renderer(previous)

HEADERS = {"Content-Type": "application/json", "X-CF-Request": "1"}


def roots(html: str) -> dict[str, dict[str, str]]:
    """The component roots of a page: name -> their data-cf-* attributes."""
    found: dict[str, dict[str, str]] = {}
    for tag in re.findall(r"<div data-cf-component=[^>]*>", html):
        attrs = {k: unescape(v) for k, v in re.findall(r'(data-cf-[a-z-]+)(?:="([^"]*)")?', tag)}
        found[attrs["data-cf-component"]] = attrs
    return found


def message(root: dict[str, str], event: str | None, payload: Any = None) -> dict[str, Any]:
    """The message cf.js sends to fire *event* on the component of *root*."""
    return {
        "type": "component_event",
        "component": root["data-cf-component"],
        "component_id": root["data-cf-id"],
        "event": event,
        "payload": payload or {},
        "state": root["data-cf-state"],
        "checksum": root["data-cf-checksum"],
    }


def csrf_header(html: str) -> dict[str, str]:
    """The headers cf.js takes from the script tag's ``data-cf-headers``."""
    match = re.search(r'data-cf-headers="([^"]*)"', html)
    assert match, html
    headers: dict[str, str] = json.loads(unescape(match.group(1)))
    return headers


@pytest.fixture
def post_json() -> Callable[..., Any]:
    """Factory: ``post_json(client, "/cf/event", message, **headers)``."""

    def post(client: Any, path: str, body: Any, **headers: str) -> Any:
        data = body if isinstance(body, bytes | str) else json.dumps(body)
        return client.post(
            path,
            data=data,
            content_type="application/json",
            headers={"X-CF-Request": "1", **headers},
        )

    return post


@contextlib.contextmanager
def example_app(module: str) -> Iterator[Any]:
    """``examples.<module>``'s ``app``; what importing it registered and set is undone after."""
    names, renderer, modules = set(registry), get_default_renderer(), set(sys.modules)
    yield importlib.import_module(f"examples.{module}").app
    for name in set(registry) - names:
        registry.unregister(name)
    set_default_renderer(renderer)
    for name in set(sys.modules) - modules:
        if name.startswith("examples."):
            del sys.modules[name]
            # The package keeps its submodule as an attribute: `from . import x` would reuse it.
            parent, _, child = name.rpartition(".")
            if parent in sys.modules and hasattr(sys.modules[parent], child):
                delattr(sys.modules[parent], child)
