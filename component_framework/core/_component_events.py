"""How a component routes an event to its handler: the payload checked against the handler's
signature first, then ``on_<event>`` called (awaited if async), a failure wrapped in
``HandlerError`` with its cause logged. ``Component`` has these methods."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from ._events import (
    CheckedPayload,
    HandlerSpec,
    binding_handler,
    check_binding,
    handler_spec,
    refuse_lone_surrogates,
)
from .exceptions import ComponentError, HandlerError

__all__ = ["ComponentEvents"]

logger = logging.getLogger("component_framework")


class ComponentEvents:
    """The event methods of ``Component``: ``handle_event``, ``async_handle_event`` and the
    binding handler ``on_field_change``."""

    if TYPE_CHECKING:
        state: dict[str, Any]

    @classmethod
    def _check_payload(cls, spec: HandlerSpec, event: str, payload: Any) -> CheckedPayload:
        """Check *payload* before any component code runs; return the handler's kwargs.

        The message path calls this once per message, before instantiating the component.
        Subclasses whose event payload is not the handler's keyword arguments
        (``FormComponent.submit``) override it.
        """
        refuse_lone_surrogates(event, payload)
        checked = spec.validate(event, payload)
        # A class that declares ``bindable`` has every binding checked, also when it overrides
        # on_field_change to react to one (and calls super()).
        if event == "field_change" and (
            cls.on_field_change is ComponentEvents.on_field_change or getattr(cls, "bindable", None)
        ):
            checked = check_binding(cls, checked)
        return CheckedPayload(checked)

    @binding_handler
    def on_field_change(self, field: str, value: Any) -> None:
        """Set the state key *field* to *value*: what ``cf-model="field"`` sends. Only the keys
        of ``bindable`` are accepted, the value checked against its type before this runs.

        Override it to react to a binding, calling ``super().on_field_change(field, value)``;
        a key the class does not declare is refused here too.

        Raises:
            InvalidPayloadError: *field* is not a key of ``bindable``.
        """
        if field not in (getattr(type(self), "bindable", None) or {}):
            check_binding(type(self), {"field": field, "value": value})  # raises, saying why
        self.state[field] = value

    def _checked(self, event: str, payload: Any) -> tuple[HandlerSpec, CheckedPayload]:
        """The handler spec and checked payload: checked here unless the message path did."""
        spec = handler_spec(type(self), event)
        if isinstance(payload, CheckedPayload):
            return spec, payload
        return spec, type(self)._check_payload(spec, event, payload)

    def _prepare(self, event: str, payload: Any) -> tuple[Any, dict[str, Any], HandlerSpec]:
        spec, kwargs = self._checked(event, payload)
        return getattr(self, spec.name), kwargs, spec

    def _handler_failed(self, event: str, exc: Exception) -> HandlerError:
        logger.exception("Error handling %s in %s", event, type(self).__name__)
        error = HandlerError(f"Error handling {event}")
        error.__cause__ = exc
        return error

    def handle_event(self, event: str, payload: dict[str, Any]) -> None:
        """
        Route event to a **synchronous** handler method.

        The event name must be a public identifier naming a callable ``on_<event>``,
        and the payload must fit the handler's signature (checked with Pydantic)
        before the handler is called.

        Raises:
            EventNotFoundError: If handler not found (InvalidEventError for a bad name)
            InvalidPayloadError: If the payload does not fit the handler's signature
            ComponentError: If handler raises exception or is async
        """
        handler, kwargs, spec = self._prepare(event, payload)
        if spec.is_async or spec.is_generator:
            raise ComponentError(
                f"Handler 'on_{event}' is async — use async_dispatch() or "
                "async_handle_event() instead of the sync variants."
            )
        try:
            handler(**kwargs)
        except ComponentError:
            raise
        except Exception as exc:
            raise self._handler_failed(event, exc) from exc

    async def async_handle_event(self, event: str, payload: dict[str, Any]) -> None:
        """
        Route event to handler, awaiting if the handler is async.

        Works with both ``def on_*`` and ``async def on_*`` handlers.

        Raises:
            EventNotFoundError: If handler not found
            InvalidPayloadError: If the payload does not fit the handler's signature
            ComponentError: If handler raises exception
        """
        handler, kwargs, spec = self._prepare(event, payload)
        try:
            if spec.is_generator:
                async for _ in handler(**kwargs):
                    pass
            elif spec.is_async:
                await handler(**kwargs)
            else:
                handler(**kwargs)
        except ComponentError:
            raise
        except Exception as exc:
            raise self._handler_failed(event, exc) from exc
