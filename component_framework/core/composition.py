"""Composition: filling a parent component's slots with child components."""

from __future__ import annotations

from typing import Any

from .component import Component

__all__ = ["SlotRenderer", "compose"]


def compose(
    parent_cls: type[Component],
    *,
    params: dict[str, Any] | None = None,
    **slot_components: Any,
) -> Component:
    """
    Instantiate a parent component and fill its slots in one call.

    Args:
        parent_cls: The component class to instantiate.
        params: Keyword arguments forwarded to the parent constructor.
        **slot_components: Slot names mapped to child ``Component`` instances; any other
            keyword argument is forwarded to the parent constructor with *params*.

    Returns:
        The fully-assembled parent component (not yet dispatched).

    Raises:
        ComponentError: If a slot name is not accepted by the parent.

    Example:

        card = compose(
            CardComponent,
            params={"title": "My Card"},
            header=HeaderComponent(text="Title"),
            body=BodyComponent(items=[1, 2, 3]),
        )
        result = card.dispatch()
    """
    slots = {k: v for k, v in slot_components.items() if isinstance(v, Component)}
    extra = {k: v for k, v in slot_components.items() if k not in slots}
    parent = parent_cls(**{**(params or {}), **extra})
    for slot_name, child in slots.items():
        parent.fill_slot(slot_name, child)
    return parent


class SlotRenderer:
    """
    Mixin for renderers that support slot injection into templates.

    Subclass your concrete ``Renderer`` together with this mixin to gain a
    ``render_with_slots`` helper that merges pre-rendered slot HTML into the
    template context before rendering.

    Example:

        class MyRenderer(SlotRenderer, Renderer):
            def render(self, template_name, context):
                ...
    """

    @staticmethod
    def merge_slot_context(
        context: dict[str, Any],
        slots: dict[str, str],
    ) -> dict[str, Any]:
        """
        Return a *new* context dict with ``slots`` merged in.

        If the context already contains a ``slots`` key it is overwritten
        with the provided *slots* mapping.
        """
        return {**context, "slots": slots}

    def render_with_slots(
        self,
        template_name: str,
        context: dict[str, Any],
        slots: dict[str, str],
    ) -> str:
        """
        Render a template with slot HTML injected into the context.

        Merges the slots into the context and delegates to ``self.render()``.
        """
        merged = self.merge_slot_context(context, slots)
        render = getattr(self, "render", None)
        if render is None:
            raise TypeError(
                f"{type(self).__name__} uses SlotRenderer without a render() method: "
                "combine it with a Renderer, e.g. class MyRenderer(SlotRenderer, Renderer)."
            )
        html: str = render(template_name, merged)
        return html
