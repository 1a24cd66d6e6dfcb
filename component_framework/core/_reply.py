"""Building and signing replies: ``component_update``, ``error``, and their HTTP status.

Every state that leaves the server is signed here; ``signed_message`` is the one way to
vouch for a state that did not come from a reply (``cf dispatch``, tests).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from . import _held_state as held_state
from ._effects import carry_flash
from .component import StateSerializer
from .config import AppConfig, config_of
from .exceptions import ComponentError, EffectError, RateLimitedError
from .signing import Signer

if TYPE_CHECKING:
    from .registry import ComponentRegistry

__all__ = ["error_reply", "http_status", "signed_message", "update_reply"]

logger = logging.getLogger("component_framework")

_INTERNAL_ERROR = "Internal error while handling the event; it has been logged."
_STATUS_BY_CODE = {"internal_error": 500}


def update_reply(
    name: str, result: Mapping[str, Any], signer: Signer, trusted_id: bool = True
) -> dict[str, Any]:
    """Turn a dispatch result into a signed ``component_update`` reply.

    The subscribe token is issued only for an id the server chose or signed (*trusted_id*).
    """
    component_id = result["component_id"]
    state_json = StateSerializer.serialize_canonical(result["state"])
    reply = {
        "type": "component_update",
        "html": result["html"],
        "state": state_json,
        "checksum": signer.sign(name, component_id, state_json),
        "component_id": component_id,
        "slots": result["slots"],
        "subscribe_token": signer.subscription_token(name, component_id) if trusted_id else None,
    }
    if result.get("effects"):
        reply["effects"] = carry_flash(result["effects"], signer)
    if "stream_done" in result:
        reply["stream_done"] = result["stream_done"]
    return reply


def error_reply(exc: BaseException) -> dict[str, Any]:
    """Return the wire reply for *exc*: its safe message for a ComponentError, else generic.

    An ``EffectError`` with a 5xx status is the code's own mistake: its message goes to the
    log (with the traceback: ``cf dev`` shows it), the client gets the generic message.
    """
    if isinstance(exc, RateLimitedError):
        return {
            "type": "error",
            "error": str(exc),
            "code": exc.code,
            "retry_after": exc.retry_after,
        }
    if isinstance(exc, EffectError) and exc.status >= 500:
        logger.error("A bad effect failed the message: %s", exc, exc_info=exc)
        return {"type": "error", "error": _INTERNAL_ERROR, "code": exc.code}
    if isinstance(exc, ComponentError):
        return {"type": "error", "error": str(exc), "code": exc.code}
    logger.error("Unexpected error while handling a component message", exc_info=exc)
    return {"type": "error", "error": _INTERNAL_ERROR, "code": "internal_error"}


def http_status(reply: Mapping[str, Any]) -> int:
    """Return the HTTP status for a reply: 200 for an update, else the error code's status."""
    if reply.get("type") != "error":
        return 200
    return _STATUS_BY_CODE.get(reply.get("code", ""), 500)


def _index_status_codes() -> None:
    stack: list[type[ComponentError]] = [ComponentError]
    while stack:
        cls = stack.pop()
        _STATUS_BY_CODE.setdefault(cls.code, cls.status)
        stack.extend(cls.__subclasses__())


_index_status_codes()


def signed_message(
    name: str,
    event: str | None = None,
    payload: dict[str, Any] | None = None,
    state: dict[str, Any] | None = None,
    *,
    component_id: str | None = None,
    config: AppConfig | None = None,
    signer: Signer | None = None,
    registry: ComponentRegistry | None = None,
) -> dict[str, Any]:
    """Build a ``component_event`` message whose *state* is signed as the server would sign it.

    For trusted callers only (``cf dispatch``, tests): it vouches for *state* without any check.
    For a component with server-held state (looked up in the config's *registry*, the global
    one by default), *state* is written to its store and the message carries the signed
    reference.
    """
    message: dict[str, Any] = {
        "type": "component_event",
        "component": name,
        "component_id": component_id,
        "event": event,
        "payload": payload or {},
        "state": None,
        "checksum": None,
    }
    if state is not None:
        if component_id is None:
            component_id = message["component_id"] = "component-cli"
        config = config_of(config, registry, signer)
        held = held_state.reference_for(config, name, component_id, state)  # held state
        signed = state if held is None else held
        state_json, checksum = config.signer.sign_state(name, component_id, signed)
        message["state"], message["checksum"] = state_json, checksum
    return message
