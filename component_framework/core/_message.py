"""Reading and validating a ``component_event`` message, before any component code runs.

Checks run cheapest first, so a hostile message costs as little as possible: the raw size,
strict JSON, the message shape, the component name and the event name, and that an event for
a component with server-held state carries its reference (``read_message``, no user code: it
runs on the event loop); then the permission classes, the payload's depth and integers, the
state checksum (or, for a remount, the mount token: ``_recovery``) and the payload against
the handler's signature (``check_message``, which runs with the rest of the message: in the
worker thread for a sync component). ``parse_message`` does both.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ._events import CheckedPayload, HandlerSpec, handler_spec
from ._held_state import store_for
from ._json import canonical_dumps, payload_problem
from ._recovery import carry_forward, mount_params
from .component import Component, StateSerializer
from .config import DEFAULT_LIMITS, AppConfig, Limits, config_of
from .exceptions import MessageError, StateIntegrityError, StateTooLargeError
from .permissions import check_permissions
from .registry import ComponentRegistry
from .signing import Signer
from .uploads import resolve_uploads
from .url_state import read_url

__all__ = [
    "DEFAULT_LIMITS",
    "Limits",
    "ParsedEvent",
    "check_message",
    "json_object",
    "load_message",
    "parse_message",
    "read_message",
]

_ID_PATTERN = re.compile(r"[A-Za-z0-9_.:-]{1,128}")


@dataclass(slots=True)
class ParsedEvent:
    """A message read from the client; ``checked`` once it may run component code."""

    name: str
    component_cls: type[Component]
    component_id: str | None
    event: str | None
    payload: dict[str, Any]
    state: dict[str, Any] | None
    spec: HandlerSpec | None
    trusted_id: bool = True
    """Whether the server chose or signed the component id (only then is a push token issued)."""
    server_render: bool = False
    """A page's first render on the server (``render_component``): never rate-limited."""
    state_json: str | dict[str, Any] | None = None
    checksum: Any = None
    checked: bool = True
    url: str | None = None
    """The page's query string, sent for a render from the URL (back and forward)."""
    url_values: dict[str, Any] | None = None
    """The component's URL state read from ``url`` (checked), set after mount or hydrate."""
    mount: str | None = None
    """A remount's mount parameters (canonical JSON, signed by ``mount_checksum``)."""
    mount_checksum: Any = None
    params: dict[str, Any] | None = None
    """The mount parameters of a remount, once checked."""
    release: str | None = None
    """The earlier release a page-held state was signed under, once carried forward; for a
    server-held one, the release to carry its stored state forward from."""

    @property
    def runs_on_loop(self) -> bool:
        """Whether the handler is ``async def`` (or an async generator): the message then runs
        on the event loop; otherwise it runs whole in one worker thread."""
        return self.spec is not None and (self.spec.is_async or self.spec.is_generator)


def load_message(raw: str | bytes, limits: Limits = DEFAULT_LIMITS) -> Any:
    """Decode a raw message as every transport must: size limit, strict JSON (no NaN).

    Raises:
        StateTooLargeError: The message is over ``limits.max_message_bytes``.
        MessageError: It is not valid JSON (the message gives the position), or holds a
            number Python cannot take from JSON (infinity, more than 4,300 digits).
    """
    size = len(raw) if isinstance(raw, bytes) else len(raw.encode())
    if size > limits.max_message_bytes:
        raise StateTooLargeError(
            f"Message is {size:,} bytes (limit: {limits.max_message_bytes:,})."
        )
    try:
        # As json.loads does: bytes in any JSON encoding; text with a BOM is refused.
        text = raw
        if isinstance(text, bytes):
            text = text.decode(json.detect_encoding(text), "surrogatepass")
        if text.startswith("\ufeff"):
            raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
        return _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        raise MessageError(
            f"Message is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}."
        ) from None
    except RecursionError:
        raise MessageError("Message is nested too deeply.") from None
    except UnicodeDecodeError:
        raise MessageError("Message is not valid JSON.") from None
    except ValueError:
        # int() refuses more than sys.get_int_max_str_digits() (4,300) digits.
        raise MessageError("Message holds a number with too many digits.") from None


def json_object(message: Any) -> Mapping[str, Any]:
    """Return the decoded *message* if it is a JSON object.

    Raises:
        MessageError: It is not.
    """
    if not isinstance(message, Mapping):
        raise MessageError(f"Message must be a JSON object, got {type(message).__name__}.")
    return message


def _refuse_constant(name: str) -> Any:
    # Python's json accepts NaN and Infinity, which are not JSON and cannot be sent back.
    raise MessageError(f"Message is not valid JSON: {name} is not a JSON value.")


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):  # 1e999: valid JSON, but no float holds it
        raise MessageError(f"Message holds the number {text[:20]!r}, too large for a float.")
    return value


# Built once: json.loads(raw, parse_constant=...) builds a decoder on every call.
_DECODER = json.JSONDecoder(parse_constant=_refuse_constant, parse_float=_finite_float)


def _field(message: Mapping[str, Any], key: str, kind: type | tuple[type, ...], what: str) -> Any:
    value = message.get(key)
    if value is not None and not isinstance(value, kind):
        raise MessageError(f"Field {key!r} must be {what}, got {type(value).__name__}.")
    return value


def read_message(message: str | bytes | Mapping[str, Any], config: AppConfig) -> ParsedEvent:
    """Do the cheap checks of a message: its shape, component and event names.

    Runs no user code. The result is not ``checked``: pass it to ``check_message``.

    Raises:
        ComponentError: The matching subclass for the first problem found (see ``exceptions``).
    """
    if isinstance(message, str | bytes):
        message = load_message(message, config.limits)
    message = json_object(message)
    kind = message.get("type", "component_event")
    if kind != "component_event":
        raise MessageError(f"Message type must be 'component_event', got {kind!r}.")
    name = message.get("component")
    if not isinstance(name, str) or not name:
        raise MessageError("Field 'component' is required and must be a non-empty string.")
    component_id = _field(message, "component_id", str, "a string")
    if component_id is not None and not _ID_PATTERN.fullmatch(component_id):
        raise MessageError(
            "Field 'component_id' must be 1-128 letters, digits or '_.:-' characters."
        )
    event = _field(message, "event", str, "a string")
    payload = _field(message, "payload", dict, "an object") or {}
    state_json = _field(message, "state", (str, dict), "a JSON string")
    if state_json is not None and component_id is None:
        raise MessageError("Field 'component_id' is required when 'state' is sent.")
    url = _field(message, "url", str, "a string (the page's query string)")
    mount = _field(message, "mount", str, "a JSON string")
    if mount is not None and (state_json is not None or component_id is None):
        raise MessageError(
            "A message with 'mount' (a remount) needs 'component_id' and no 'state'."
        )

    component_cls = config.registry.resolve(name)
    if event is not None and state_json is None and store_for(component_cls, config) is not None:
        # A page always sends the reference of its render; without one, only a mount (a first
        # render) may run, so no client's payload is kept in the store unasked.
        raise MessageError(
            f"Component {name!r} keeps its state on the server: an event must send the "
            "'state' and 'checksum' of a render (a message without state may only mount it)."
        )
    spec = handler_spec(component_cls, event) if event is not None else None
    return ParsedEvent(
        name,
        component_cls,
        component_id,
        event,
        payload,
        None,
        spec,
        state_json=state_json,
        checksum=message.get("checksum"),
        checked=False,
        url=url,
        mount=mount,
        mount_checksum=message.get("mount_checksum"),
    )


def check_message(parsed: ParsedEvent, request: Any, config: AppConfig) -> ParsedEvent:
    """Do the remaining checks: permissions, payload limits, state checksum, payload types.

    Runs the component's permission classes (user code), so it runs where the component does.

    Raises:
        ComponentError: The matching subclass for the first problem found (see ``exceptions``).
    """
    if parsed.checked:
        return parsed
    component_cls = parsed.component_cls
    if component_cls.permission_classes:
        check_permissions(component_cls, request)
    limits = config.limits
    problem = payload_problem(parsed.payload, limits.max_depth, limits.max_integer)
    if problem is not None:
        raise MessageError(problem)
    state_json = parsed.state_json
    if state_json is not None and parsed.component_id is not None:  # read_message required it
        if isinstance(state_json, dict):
            try:
                state_json = canonical_dumps(state_json)
            except (TypeError, ValueError):
                raise MessageError("Field 'state' must hold only JSON values.") from None
        StateSerializer.check_size(state_json)
        _check_state(parsed, state_json, config)
    elif parsed.mount is not None:
        parsed.params = mount_params(parsed, config.signer)
    if parsed.spec is not None and parsed.event is not None:
        payload = parsed.payload
        if component_cls.uploads and isinstance(payload, dict):
            where = (parsed.name, parsed.component_id or "")
            payload = resolve_uploads(
                component_cls, parsed.spec.fields, payload, where, request, config
            )
        parsed.payload = component_cls._check_payload(parsed.spec, parsed.event, payload)
    else:
        parsed.payload = CheckedPayload()
    if parsed.url is not None:
        parsed.url_values = read_url(component_cls, parsed.url, limits)
    # Only an id the server picks now is subscribable. A client may name any id (and get state
    # signed for it back, which it can send again): a token for such an id would let one page
    # watch, or re-label, pushes meant for another. Pages keep the token of their first render
    # and renew it when they re-subscribe.
    # A remount's id is signed with its parameters: the server chose it.
    parsed.trusted_id = parsed.component_id is None or parsed.params is not None
    parsed.checked = True
    return parsed


def _check_state(parsed: ParsedEvent, state_json: str, config: AppConfig) -> None:
    # Signed under the current release: as sent. Under an earlier one: carried forward by the
    # component's migrate_state (a page-held state here, a stored one once it is read).
    signer = config.signer
    component_id = parsed.component_id
    assert component_id is not None  # read_message required it
    release = signer.verify_signature(parsed.name, component_id, state_json, parsed.checksum)
    state = json.loads(state_json)
    if not isinstance(state, dict):
        raise StateIntegrityError("Signed state is not a JSON object.")
    if release != signer.release:
        parsed.release = release
        if store_for(parsed.component_cls, config) is None:
            state = carry_forward(parsed, release, state)
    parsed.state = state


def parse_message(
    message: str | bytes | Mapping[str, Any],
    request: Any = None,
    *,
    config: AppConfig | None = None,
    registry: ComponentRegistry | None = None,
    signer: Signer | None = None,
    limits: Limits | None = None,
) -> ParsedEvent:
    """Check a ``component_event`` message completely, running no component code but its
    permission classes.

    Raises:
        ComponentError: The matching subclass for the first problem found (see ``exceptions``).
    """
    config = config_of(config, registry, signer, limits)
    return check_message(read_message(message, config), request, config)
