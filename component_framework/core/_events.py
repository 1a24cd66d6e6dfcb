"""Resolve an event name to a handler and validate its payload before any handler code runs.

Event names come from the browser: only identifiers without a leading underscore name a
handler, and the ``on_`` attribute must be a callable defined on the class. Payloads are
validated against the handler's type hints with Pydantic (``amount: int`` refuses
``{"amount": {"x": 1}}``); client JSON never picks a type or a class. A handler that takes no
argument needs no validator, so Pydantic is imported only when a handler declares one: a
command-line dispatch of a simple handler starts without it.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NotRequired, Required

from ._json import has_lone_surrogate, shown_value
from .exceptions import EventNotFoundError, InvalidEventError, InvalidPayloadError

if TYPE_CHECKING:
    import pydantic

__all__ = [
    "CheckedPayload",
    "HandlerSpec",
    "binding_handler",
    "check_binding",
    "handler_spec",
    "is_event_name",
    "list_events",
    "refuse_lone_surrogates",
]

_MAX_EVENT_LENGTH = 64


def is_event_name(event: object) -> bool:
    """Return True if *event* may name a handler: an identifier without a leading underscore."""
    return (
        isinstance(event, str)
        and 0 < len(event) <= _MAX_EVENT_LENGTH
        and event.isidentifier()
        and event.isascii()
        and not event.startswith("_")
    )


class CheckedPayload(dict[str, Any]):
    """A payload the message path has already checked: the handler's keyword arguments.

    ``handle_event`` receives it from ``dispatch`` and skips a second validation; client JSON
    always decodes to a plain ``dict``, so a client cannot send one.
    """

    __slots__ = ()


@dataclass(slots=True)
class HandlerSpec:
    """What is known about one ``on_<event>`` handler of a component class.

    ``fields`` maps each keyword the handler takes to its payload type (``Required[...]`` when
    it has no default). The Pydantic validator is built on the first payload that needs it.
    """

    name: str
    is_async: bool
    is_generator: bool
    fields: dict[str, Any]
    accepts_any: bool
    qualname: str = ""
    reserved: frozenset[str] = frozenset()
    """Names ``**kwargs`` cannot take (the ``self`` parameter): Python would refuse the call."""
    _validator: pydantic.TypeAdapter[Any] | None = field(default=None, init=False, repr=False)

    def validate(self, event: str, payload: Any) -> dict[str, Any]:
        """Return the handler's keyword arguments built from *payload*.

        Raises:
            InvalidPayloadError: *payload* is not an object or does not fit the signature.
        """
        if not isinstance(payload, dict):
            raise InvalidPayloadError(
                f"Invalid payload for {event}: expected a JSON object, "
                f"got {type(payload).__name__}."
            )
        if self.accepts_any and self.reserved and not self.reserved.isdisjoint(payload):
            taken = ", ".join(sorted(self.reserved.intersection(payload)))
            raise InvalidPayloadError(
                f"Invalid payload for {event}: {taken}: reserved name, not an argument"
            )
        if not self.fields:
            if payload and not self.accepts_any:
                unexpected = "; ".join(f"{key}: unexpected argument" for key in payload)
                raise InvalidPayloadError(f"Invalid payload for {event}: {unexpected}")
            return payload
        if not payload and not any(_is_required(hint) for hint in self.fields.values()):
            return payload
        import pydantic

        validator = self._validator or self._build_validator()
        try:
            validated: dict[str, Any] = validator.validate_python(payload)
        except pydantic.ValidationError as exc:
            raise InvalidPayloadError(f"Invalid payload for {event}: {_describe(exc)}") from None
        return validated

    def _build_validator(self) -> pydantic.TypeAdapter[Any]:
        import pydantic
        from typing_extensions import TypedDict

        # A TypedDict validates to a plain dict and leaves field names like ``copy`` or
        # ``json`` free, unlike a BaseModel.
        make_typed_dict: Any = TypedDict
        payload_type: Any = make_typed_dict(f"{self.qualname}_payload", self.fields)
        payload_type.__pydantic_config__ = pydantic.ConfigDict(
            extra="allow" if self.accepts_any else "forbid", arbitrary_types_allowed=True
        )
        self._validator = pydantic.TypeAdapter(payload_type)
        return self._validator


def _is_required(hint: Any) -> bool:
    return getattr(hint, "__origin__", None) is Required


def _describe(exc: pydantic.ValidationError) -> str:
    parts = []
    for error in exc.errors(include_url=False):
        where = ".".join(str(p) for p in error["loc"]) or "payload"
        if error["type"] == "extra_forbidden":
            parts.append(f"{where}: unexpected argument")
        elif error["type"] == "missing" or not error["loc"]:
            parts.append(f"{where}: {error['msg']}")
        else:
            # The value shown as a URL's is (url_state): the same input, the same words.
            parts.append(f"{where}: {error['msg']} (got {shown_value(error.get('input'))})")
    return "; ".join(parts)


def _hints(func: Callable[..., Any]) -> dict[str, Any]:
    try:
        return inspect.get_annotations(func, eval_str=True)
    except Exception:
        pass
    # One unresolvable annotation (a name imported only under TYPE_CHECKING, a local class)
    # must not switch off the checks of the others: resolve each on its own, else Any.
    namespace = getattr(func, "__globals__", {})
    hints: dict[str, Any] = {}
    for name, annotation in inspect.get_annotations(func).items():
        if isinstance(annotation, str):
            try:
                annotation = eval(annotation, namespace)
            except Exception:
                annotation = Any
        hints[name] = annotation
    return hints


def _payload_fields(func: Callable[..., Any]) -> tuple[dict[str, Any], bool, frozenset[str]]:
    """Return the keyword fields *func* takes from a payload, whether it takes ``**kwargs``,
    and the names ``**kwargs`` must not take (the bound ``self``)."""
    signature = inspect.signature(func)
    hints = _hints(func)
    fields: dict[str, Any] = {}
    accepts_extra = False
    reserved: frozenset[str] = frozenset()
    for index, (name, param) in enumerate(signature.parameters.items()):
        if index == 0 and name in ("self", "cls"):
            reserved = frozenset({name})
            continue
        if param.kind is param.VAR_KEYWORD:
            accepts_extra = True
            continue
        if param.kind in (param.VAR_POSITIONAL, param.POSITIONAL_ONLY):
            continue
        annotation = hints.get(name, Any)
        # A default means optional; the handler applies its own default when the key is absent.
        fields[name] = (
            Required[annotation] if param.default is param.empty else NotRequired[annotation]
        )
    return fields, accepts_extra, reserved


_cache: dict[tuple[type, str], HandlerSpec] = {}


def handler_spec(component_cls: type, event: Any) -> HandlerSpec:
    """Return the spec of the handler for *event* on *component_cls* (cached per class).

    Raises:
        InvalidEventError: *event* is not a public identifier.
        EventNotFoundError: The class has no callable ``on_<event>``.
    """
    key = (component_cls, event) if isinstance(event, str) else None
    if key is not None:
        cached = _cache.get(key)
        if cached is not None:
            return cached
    if not is_event_name(event):
        shown = event if isinstance(event, str) else repr(event)
        raise InvalidEventError(f"No handler for event: {shown}")
    name = f"on_{event}"
    func = inspect.getattr_static(component_cls, name, None)
    if isinstance(func, staticmethod | classmethod):
        func = func.__func__
    if func is None or not inspect.isroutine(func):
        raise EventNotFoundError(f"No handler for event: {event}")
    fields, accepts_any, reserved = _payload_fields(func)
    spec = HandlerSpec(
        name=name,
        is_async=inspect.iscoroutinefunction(func),
        is_generator=inspect.isasyncgenfunction(func),
        fields=fields,
        accepts_any=accepts_any,
        qualname=func.__qualname__,
        reserved=reserved,
    )
    _cache[key] = spec  # type: ignore[index]
    return spec


def binding_handler(func: Callable[..., Any]) -> Callable[..., Any]:
    """Mark *func* as the built-in ``cf-model`` handler: its payload is checked against the
    class's ``bindable`` declaration (:func:`check_binding`), and a class that binds nothing
    does not list it."""
    func._cf_binding = True  # type: ignore[attr-defined]
    return func


def _binds_nothing(component_cls: type, attr: str) -> bool:
    handler = inspect.getattr_static(component_cls, attr, None)
    return getattr(handler, "_cf_binding", False) and not getattr(component_cls, "bindable", None)


def list_events(component_cls: type) -> list[str]:
    """Return the event names *component_cls* handles, sorted."""
    events = []
    for attr in dir(component_cls):
        if (
            attr.startswith("on_")
            and is_event_name(attr[3:])
            and inspect.isroutine(inspect.getattr_static(component_cls, attr, None))
            and not _binds_nothing(component_cls, attr)
        ):
            events.append(attr[3:])
    return sorted(events)


_binding_validators: dict[tuple[type, str], pydantic.TypeAdapter[Any]] = {}


def check_binding(component_cls: type, payload: dict[str, Any]) -> dict[str, Any]:
    """Check a ``cf-model`` payload (``{"field", "value"}``) against the class's
    ``bindable`` declaration: the field must be declared, the value must fit its type (as a
    handler's argument would, ``"3"`` becoming ``3`` for an ``int``). Returns the payload with
    the validated value.

    Raises:
        InvalidPayloadError: The field is not bindable, or the value does not fit.
    """
    bindable: dict[str, Any] = getattr(component_cls, "bindable", None) or {}
    field_name = payload.get("field")
    name = component_cls.__name__
    if not bindable:
        raise InvalidPayloadError(
            f"Invalid payload for field_change: {name} binds no state key; declare "
            'bindable = {"key": type} on the class for cf-model to set it.'
        )
    if field_name not in bindable:
        raise InvalidPayloadError(
            f"Invalid payload for field_change: {field_name!r} is not bindable on {name}; "
            f"bindable keys are {sorted(bindable)}."
        )
    import pydantic

    key = (component_cls, str(field_name))
    validator = _binding_validators.get(key)
    if validator is None:
        validator = _binding_validators[key] = pydantic.TypeAdapter(bindable[str(field_name)])
    try:
        value = validator.validate_python(payload.get("value"))
    except pydantic.ValidationError as exc:
        problem = "; ".join(error["msg"] for error in exc.errors())
        raise InvalidPayloadError(
            f"Invalid payload for field_change: {field_name}: {problem}"
        ) from None
    return {"field": field_name, "value": value}


def refuse_lone_surrogates(event: str, payload: Any) -> None:
    """Refuse a client payload holding text UTF-8 cannot encode (JSON's ``"\\ud800"``).

    Raises:
        InvalidPayloadError: A string in *payload* holds a lone surrogate.
    """
    if has_lone_surrogate(payload):
        raise InvalidPayloadError(
            f"Invalid payload for {event}: it holds text that is not valid Unicode "
            "(a lone surrogate such as \\ud800)."
        )
