"""0.6.0's ``adapters.jinjax_renderer``: ``JinjaxRenderer`` is ``JinjaXRenderer``."""

from __future__ import annotations

from component_framework.jinjax import JinjaXRenderer

__all__ = ["JinjaXRenderer", "JinjaxRenderer"]

JinjaxRenderer = JinjaXRenderer
