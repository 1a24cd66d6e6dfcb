"""0.6.0's ``adapters.django_websocket``: this project's Channels consumer.

New code: ``component_framework.django.routing`` (docs/django.md).
"""

from __future__ import annotations

from . import require

require("channels", "channels", "django")

from component_framework.django.consumers import ComponentConsumer

__all__ = ["ComponentConsumer"]
