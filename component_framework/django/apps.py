"""The Django app: ``"component_framework.django"`` in ``INSTALLED_APPS``."""

from __future__ import annotations

from django.apps import AppConfig

__all__ = ["ComponentFrameworkConfig"]


class ComponentFrameworkConfig(AppConfig):
    """Configures signing, imports components and sets the component template renderer."""

    name = "component_framework.django"
    label = "cf"
    verbose_name = "cf-components"

    def ready(self) -> None:
        from . import _checks  # noqa: F401  (registers the system checks)
        from ._config import setup

        setup()
