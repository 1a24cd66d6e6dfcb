"""Component templates written as JinjaX components.

    from component_framework.jinjax import JinjaXRenderer

    class Counter(Component):
        template_name = "Counter"                      # components/Counter.jinja
        renderer = JinjaXRenderer(["components"])

The template is a JinjaX component: it declares what it takes with ``{#def state, errors={},
component_id="", slots={} #}`` (the component's context) and uses other JinjaX components as
tags (``<Button label="+1" />``). JinjaX is an optional dependency:
``pip install 'cf-components[jinjax]'``.
"""

from component_framework.core._require import require as _require

_require("jinjax", "jinjax", "component_framework.jinjax")

from ._renderer import JinjaXRenderer  # noqa: E402

__all__ = ["JinjaXRenderer"]
