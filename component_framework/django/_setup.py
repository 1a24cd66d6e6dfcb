"""``django.setup()`` for tools outside ``manage.py``: ``cf`` and its dev server."""

from __future__ import annotations

import os

import django
from django.apps import apps

__all__ = ["setup_django"]


def setup_django(settings_module: str) -> None:
    """Set Django up with *settings_module*, once per process (the app imports components)."""
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    if not apps.ready:
        django.setup()
