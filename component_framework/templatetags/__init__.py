"""0.6.0's Django template tag package: ``{% load components %}`` with ``component_framework``
in ``INSTALLED_APPS``. New code loads ``cf`` from ``component_framework.django``."""
