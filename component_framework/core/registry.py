"""The component registry: names the browser may ask for, mapped to component classes."""

from __future__ import annotations

import builtins
import difflib
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from ._events import list_events
from .component import Component
from .exceptions import ComponentNotFoundError, RegistryConflictError
from .form import FormComponent
from .streaming import StreamingComponent

__all__ = ["ComponentRegistry", "component_kind", "registry"]

C = TypeVar("C", bound=type[Component])


def component_kind(cls: type[Component]) -> str:
    """Return ``"form"``, ``"streaming"`` or ``"basic"`` for a component class."""
    if issubclass(cls, FormComponent):
        return "form"
    if issubclass(cls, StreamingComponent):
        return "streaming"
    return "basic"


class ComponentRegistry:
    """Registry for component classes.

    Example:

        @registry.register("counter")
        class Counter(Component): ...

        registry.get("counter")  # -> Counter
    """

    def __init__(self) -> None:
        self._registry: dict[str, type[Component]] = {}

    def __repr__(self) -> str:
        return f"<ComponentRegistry {sorted(self._registry)!r}>"

    def register(self, name: str) -> Callable[[C], C]:
        """
        Decorator to register a component class.

        Registering the same class again is a no-op; another class under a taken
        name raises ValueError.

        Usage:

            @registry.register("counter")
            class Counter(Component):
                ...
        """

        def decorator(cls: C) -> C:
            existing = self._registry.get(name)
            if existing is not None:
                if existing is cls:
                    return cls
                raise RegistryConflictError(name, existing, cls)
            self._registry[name] = cls
            return cls

        return decorator

    def unregister(self, name: str) -> type[Component] | None:
        """Remove *name* and return its class, or None if it was not registered."""
        return self._registry.pop(name, None)

    def get(self, name: str) -> type[Component] | None:
        """Get component class by name."""
        return self._registry.get(name)

    def __getitem__(self, name: str) -> type[Component]:
        """Get component class by name, raises KeyError if not found."""
        return self._registry[name]

    def __contains__(self, name: object) -> bool:
        return name in self._registry

    def __iter__(self) -> Iterator[str]:
        return iter(self._registry)

    def __len__(self) -> int:
        return len(self._registry)

    def items(self) -> builtins.list[tuple[str, type[Component]]]:
        """Return ``(name, class)`` pairs in registration order."""
        return builtins.list(self._registry.items())

    def name_of(self, cls: type[Component]) -> str | None:
        """Return the name *cls* is registered under, or None."""
        for name, registered in self._registry.items():
            if registered is cls:
                return name
        return None

    def describe(self, name: str) -> dict[str, Any]:
        """Describe the component registered as *name* (what ``cf registry list --json`` prints).

        Raises:
            ComponentNotFoundError: If *name* is not registered.
        """
        cls = self.resolve(name)
        return {
            "name": name,
            "class": f"{cls.__module__}.{cls.__qualname__}",
            "kind": component_kind(cls),
            "template": cls.template_name,
            "events": list_events(cls),
            "permissions": [p.__name__ for p in cls.permission_classes],
            "slots": builtins.list(cls.slots),
        }

    def resolve(self, name: str) -> type[Component]:
        """Return the class registered as *name*.

        Raises:
            ComponentNotFoundError: With the close matches, if *name* is not registered.
        """
        cls = self._registry.get(name)
        if cls is None:
            raise ComponentNotFoundError(self.not_found_message(name))
        return cls

    def not_found_message(self, name: str) -> str:
        """Explain that *name* is unknown, naming close matches or the registered names."""
        # A name far longer than any registered one matches none: skip difflib, whose cost grows
        # with the name's length (0.6 s of a server's loop for a 0.9 MB name), and echo a prefix.
        longest = max(map(len, self._registry), default=0)
        too_long = len(name) > max(3 * longest, 64)  # past 2.33x, no ratio reaches 0.6
        close = [] if too_long else difflib.get_close_matches(name, self._registry, n=3)
        if too_long:
            name = name[:64] + f"... ({len(name):,} characters)"
        if close:
            hint = "Did you mean " + " or ".join(repr(c) for c in close) + "?"
        elif self._registry:
            hint = "Registered: " + ", ".join(sorted(self._registry)) + "."
        else:
            hint = "No components are registered."
        # repr(): the name comes from the client and may hold anything, even text UTF-8 cannot
        # encode (a lone surrogate), which must not break the error reply that echoes it.
        return f"Component {name!r} not found. {hint}"

    def list(self) -> builtins.list[str]:
        """List all registered component names."""
        return builtins.list(self._registry.keys())


registry = ComponentRegistry()
"""The default registry: ``@registry.register("name")`` adds a component every transport finds."""
