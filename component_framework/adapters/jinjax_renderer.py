"""0.6.0's ``adapters.jinjax_renderer``: ``JinjaxRenderer(catalog)`` is this project's
``JinjaXRenderer`` over that catalog (its globals and filters reach every component).

New code: ``JinjaXRenderer(catalog=catalog)`` from ``component_framework.jinjax``.
"""

from __future__ import annotations

from . import require

require("jinjax", "jinjax", "fastapi")

from typing import Any

from component_framework.jinjax import JinjaXRenderer

__all__ = ["JinjaXRenderer", "JinjaxRenderer"]


class JinjaxRenderer(JinjaXRenderer):
    """``JinjaXRenderer`` taking 0.6.0's first argument: a JinjaX ``Catalog`` to share (or
    the folders of a new one).

    Args:
        catalog_or_folders: A ``jinjax.Catalog``, or folders of component templates.
        options: ``JinjaXRenderer``'s keyword options.
    """

    def __init__(self, catalog_or_folders: Any = (), **options: Any) -> None:
        if hasattr(catalog_or_folders, "jinja_env"):  # a Catalog
            super().__init__(catalog=catalog_or_folders, **options)
        else:
            super().__init__(catalog_or_folders, **options)
