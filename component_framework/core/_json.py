"""Canonical JSON, lossless-state checks and payload limits shared by state and protocol."""

from __future__ import annotations

import datetime as _dt
import json
import warnings
from decimal import Decimal
from typing import Any

__all__ = [
    "LossyStateWarning",
    "canonical_dumps",
    "find_lossy",
    "has_lone_surrogate",
    "lossy_default",
    "payload_problem",
    "wire_bytes",
    "wire_json",
]

_SEPARATORS = (",", ":")
_encode_canonical = json.JSONEncoder(
    sort_keys=True, separators=_SEPARATORS, ensure_ascii=False, allow_nan=False
).encode


class LossyStateWarning(UserWarning):
    """State held a value JSON cannot carry losslessly (set, datetime, Decimal, object...)."""


def lossy_default(value: Any) -> Any:
    """``json.dumps`` fallback: convert a non-JSON value, warning that it will not round-trip."""
    converted: Any
    if isinstance(value, set | frozenset):
        try:
            converted = sorted(value)
        except TypeError:
            converted = list(value)
    elif isinstance(value, _dt.date | _dt.time):
        converted = value.isoformat()
    else:
        converted = str(value)
    warnings.warn(
        f"Component state holds {type(value).__name__} {value!r}, which JSON cannot carry: "
        f"it comes back as {type(converted).__name__} {converted!r}. "
        "Store plain JSON values (str, int, float, bool, None, list, dict) in state.",
        LossyStateWarning,
        stacklevel=4,
    )
    return converted


# Built once: json.dumps with any non-default argument builds an encoder on every call.
_encode_utf8 = json.JSONEncoder(ensure_ascii=False, separators=_SEPARATORS).encode
_encode_ascii = json.JSONEncoder(separators=_SEPARATORS).encode


def wire_json(data: Any) -> str:
    """Encode a reply for the wire: compact JSON text, UTF-8-safe.

    Client JSON may carry a lone surrogate ("\\ud800") that UTF-8 cannot hold: such a reply
    is encoded with ASCII escapes instead of failing when it is sent.
    """
    text = _encode_utf8(data)
    try:
        text.encode()
    except UnicodeEncodeError:
        return _encode_ascii(data)
    return text


def wire_bytes(data: Any) -> bytes:
    """Encode a reply as ``wire_json`` does, straight to UTF-8 bytes (one encode)."""
    try:
        return _encode_utf8(data).encode()
    except UnicodeEncodeError:
        return _encode_ascii(data).encode()


def canonical_dumps(value: Any) -> str:
    """Serialize to canonical JSON: sorted keys, no spaces, UTF-8 text, no NaN.

    Raises:
        TypeError: If *value* holds something JSON cannot represent.
        ValueError: If *value* holds NaN or infinity.
    """
    return _encode_canonical(value)


def find_lossy(value: Any, path: str = "state") -> list[str]:
    """Return a description of every value under *value* that JSON cannot carry losslessly.

    Example: ``find_lossy({"tags": {"a"}})`` -> ``["state['tags']: set"]``.
    """
    problems: list[str] = []
    stack: list[tuple[str, Any]] = [(path, value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, dict):
            for key, child in item.items():
                if not isinstance(key, str):
                    problems.append(f"{where}: key {key!r} is {type(key).__name__}, not str")
                stack.append((f"{where}[{key!r}]", child))
        elif isinstance(item, list):
            stack.extend((f"{where}[{i}]", child) for i, child in enumerate(item))
        elif isinstance(item, float) and (item != item or item in (float("inf"), float("-inf"))):
            problems.append(f"{where}: {item!r} is not valid JSON")
        elif isinstance(item, tuple | set | frozenset | Decimal | _dt.date | _dt.time) or not (
            item is None or isinstance(item, str | int | float | bool)
        ):
            problems.append(f"{where}: {type(item).__name__}")
    return sorted(problems)


def payload_problem(value: Any, max_depth: int, max_integer: int | None) -> str | None:
    """Describe what makes a client payload unsafe to handle, or return None if nothing does.

    Containers may nest at most *max_depth* levels; integers may not exceed *max_integer* in
    size (a browser's JSON holds integers exactly only up to 2**53, and a handler doing
    ``2 ** n`` or ``"#" * n`` with a huge ``n`` stalls the whole process).
    """
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            if depth >= max_depth:
                return f"Payload is nested deeper than {max_depth} levels."
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            if depth >= max_depth:
                return f"Payload is nested deeper than {max_depth} levels."
            stack.extend((child, depth + 1) for child in item)
        elif (
            max_integer is not None
            and type(item) is int
            and not -max_integer <= item <= max_integer
        ):
            return (
                f"Payload holds an integer ({_short(item)}) beyond +/-{max_integer:,}, the most "
                "a browser's JSON holds exactly (Limits.max_integer)."
            )
    return None


def _short(number: int) -> str:
    if abs(number) < 10**30:
        return str(number)
    return f"about {int(number.bit_length() * 0.30103)} digits"


def has_lone_surrogate(value: Any) -> bool:
    """Return True if a string in *value* (keys included) holds a lone UTF-16 surrogate.

    JSON text may spell one (``"\\ud800"``) and Python decodes it into a ``str`` that cannot be
    encoded as UTF-8: kept in state or echoed in HTML, it would break every reply that holds it.
    """
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if not item.isascii():
                try:
                    item.encode()
                except UnicodeEncodeError:
                    return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


_SHOWN_VALUE = 40


def shown_value(value: Any) -> str:
    """*value* as an error message shows it: its ``repr``, cut to 40 characters."""
    text = repr(value)
    return text if len(text) <= _SHOWN_VALUE else text[: _SHOWN_VALUE - 4] + "...'"
