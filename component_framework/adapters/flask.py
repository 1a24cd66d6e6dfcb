"""0.6.0's ``adapters.flask``: this project's Flask extension.

New code: ``Components(app)`` from ``component_framework.flask`` (docs/flask.md).
"""

from __future__ import annotations

from component_framework.flask import ComponentRequest, Components

__all__ = ["ComponentRequest", "Components"]
