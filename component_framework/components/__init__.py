"""Ready-made components, for 0.6.0's ``component_framework.components`` path."""
