"""cf-components: server-driven, stateful HTML components for Python web apps."""

__version__ = "0.1.0"
