"""``StateSerializer``: component state to JSON text and back, with byte limits.

Re-exported by ``component``, where the documented API has it.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from ._json import canonical_dumps, lossy_default
from .exceptions import ComponentError, MessageError, StateTooLargeError

__all__ = ["StateDecodeError", "StateSerializer", "stored_json"]

logger = logging.getLogger("component_framework")


class StateDecodeError(MessageError, json.JSONDecodeError):
    """State text that is not JSON: a ``MessageError`` that is also the ``JSONDecodeError``
    (a ``ValueError``) the documented ``deserialize`` raises."""

    def __init__(self, exc: json.JSONDecodeError) -> None:
        json.JSONDecodeError.__init__(self, exc.msg, exc.doc, exc.pos)
        self.args = (
            f"State is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}.",
        )

    def __str__(self) -> str:
        return str(self.args[0])


class StateSerializer:
    """Handles safe serialization/deserialization of component state.

    Class attributes:
        warn_bytes: Emit a warning when serialised state exceeds this size
            (default 64 KB). Set to ``0`` to disable warnings.
        max_bytes: Raise ``ComponentError`` when serialised state exceeds
            this size (default 512 KB). Set to ``0`` to disable the hard limit.

    Sizes are UTF-8 bytes. A value JSON cannot carry (set, datetime, Decimal, object)
    is converted and reported with a ``LossyStateWarning``.
    """

    warn_bytes: int = 64 * 1024
    max_bytes: int = 512 * 1024

    @staticmethod
    def check_size(serialized: str) -> int:
        """Return the UTF-8 size of *serialized*, enforcing the limits.

        Raises:
            StateTooLargeError: If the size exceeds ``max_bytes``.
            MessageError: If *serialized* holds a lone surrogate (not encodable as UTF-8).
        """
        try:
            size = len(serialized) if serialized.isascii() else len(serialized.encode())
        except UnicodeEncodeError:
            # Client JSON may carry "\ud800": Python decodes it into a str no page can receive.
            raise MessageError(
                "Component state holds text that is not valid Unicode (a lone surrogate such "
                "as \\ud800); it cannot be sent. Refuse or clean such input in the handler."
            ) from None
        if StateSerializer.max_bytes and size > StateSerializer.max_bytes:
            raise StateTooLargeError(
                f"Component state is {size:,} bytes "
                f"(hard limit: {StateSerializer.max_bytes:,}). "
                "Move large data out of state — store IDs/keys instead of "
                "full objects, or use server-side caching."
            )
        if StateSerializer.warn_bytes and size > StateSerializer.warn_bytes:
            logger.warning(
                "Component state is %s bytes (threshold: %s). "
                "Consider moving large data out of state.",
                f"{size:,}",
                f"{StateSerializer.warn_bytes:,}",
            )
        return size

    @staticmethod
    def serialize(state: dict[str, Any]) -> str:
        """Serialize state to JSON string.

        Emits a warning if the result exceeds ``warn_bytes`` and raises
        ``ComponentError`` if it exceeds ``max_bytes``.
        """
        serialized = json.dumps(state, default=lossy_default)
        StateSerializer.check_size(serialized)
        return serialized

    @staticmethod
    def serialize_canonical(state: dict[str, Any]) -> str:
        """Serialize state to canonical JSON (the signed form), with the same checks."""
        try:
            try:
                serialized = canonical_dumps(state)
            except TypeError:
                serialized = json.dumps(
                    state,
                    default=lossy_default,
                    sort_keys=True,
                    separators=(",", ":"),
                    ensure_ascii=False,
                    allow_nan=False,
                )
        except ValueError as exc:
            raise ComponentError(
                f"Component state cannot be sent as JSON: {exc}. Replace NaN/Infinity with None."
            ) from None
        StateSerializer.check_size(serialized)
        return serialized

    @staticmethod
    def deserialize(data: str | bytes) -> dict[str, Any]:
        """Deserialize state from JSON string.

        Raises:
            StateTooLargeError: If *data* exceeds ``max_bytes``.
            MessageError: If *data* is not a JSON object (``StateDecodeError``, also a
                ``json.JSONDecodeError``, if it is not JSON at all).
        """
        if not data:
            return {}
        size = len(data) if isinstance(data, bytes) else len(data.encode())
        if StateSerializer.max_bytes and size > StateSerializer.max_bytes:
            raise StateTooLargeError(
                f"Component state is {size:,} bytes (hard limit: {StateSerializer.max_bytes:,})."
            )
        try:
            state = json.loads(data)
        except json.JSONDecodeError as exc:
            raise StateDecodeError(exc) from None
        except RecursionError:
            raise MessageError("State is nested too deeply.") from None
        if not isinstance(state, dict):
            raise MessageError(f"State must be a JSON object, got {type(state).__name__}.")
        return state


def stored_json(state: dict[str, Any]) -> str:
    """The JSON text a state store keeps for *state* (canonical, as it is signed)."""
    try:
        return canonical_dumps(state)
    except (TypeError, ValueError):
        # Lossy values (sets, dates) are converted with a warning; NaN is refused clearly.
        return StateSerializer.serialize_canonical(state)
