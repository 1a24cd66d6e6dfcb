"""A value every annotated type accepts, to prefill the playground's payloads and fields.

Made from the type's JSON schema (Pydantic's, the validation the payload meets), honouring its
bounds, lengths, choices and formats, then checked against the type itself: a value that would
still be refused is not offered (``None``, and the developer types one).
"""

from __future__ import annotations

import json
from typing import Any

import pydantic

__all__ = ["example_for"]

_FORMATS = {
    "date-time": "2026-01-01T00:00:00Z",
    "date": "2026-01-01",
    "time": "00:00:00",
    "duration": "PT0S",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "uri": "https://example.com/",
    "email": "user@example.com",
    "ipv4": "127.0.0.1",
    "ipv6": "::1",
}


def example_for(annotation: Any) -> Any:
    """A JSON value *annotation* validates (None when none could be made)."""
    try:
        adapter: pydantic.TypeAdapter[Any] = pydantic.TypeAdapter(annotation)
        schema = adapter.json_schema()
        value = _from_schema(schema, schema.get("$defs", {}), depth=0)
        # As the event's payload is checked: JSON from the page, validated as Python data.
        adapter.validate_python(json.loads(json.dumps(value)))
    except Exception:  # an exotic type or an unmet constraint: leave the value to the developer
        return None
    return value


def _from_schema(schema: dict[str, Any], defs: dict[str, Any], depth: int) -> Any:
    if depth > 8:
        return None
    if "$ref" in schema:
        return _from_schema(defs[schema["$ref"].rsplit("/", 1)[-1]], defs, depth + 1)
    for key in ("const", "default"):
        if key in schema:
            return schema[key]
    if schema.get("enum"):
        return schema["enum"][0]
    options = schema.get("anyOf") or schema.get("oneOf") or schema.get("allOf")
    if options:
        typed = [o for o in options if o.get("type") != "null"] or options
        return _from_schema(typed[0], defs, depth + 1)
    kind = schema.get("type")
    if kind == "boolean":
        return False
    if kind in ("integer", "number"):
        return _number(schema, kind == "integer")
    if kind == "string":
        return _string(schema)
    if kind == "array":
        if "prefixItems" in schema:
            return [_from_schema(item, defs, depth + 1) for item in schema["prefixItems"]]
        item = _from_schema(schema.get("items", {}), defs, depth + 1)
        return [item] * int(schema.get("minItems", 0))
    if kind == "object":
        properties = schema.get("properties", {})
        return {
            name: _from_schema(properties.get(name, {}), defs, depth + 1)
            for name in schema.get("required", [])
        }
    return None


def _number(schema: dict[str, Any], integer: bool) -> int | float:
    step = 1 if integer else 0.5
    low = schema.get("minimum", schema.get("exclusiveMinimum"))
    if "exclusiveMinimum" in schema:
        low = schema["exclusiveMinimum"] + step
    high = schema.get("maximum")
    if "exclusiveMaximum" in schema:
        high = schema["exclusiveMaximum"] - step
    value = 0 if low is None or low <= 0 else low
    if high is not None and value > high:
        value = high
    return int(value) if integer else float(value)


def _string(schema: dict[str, Any]) -> str:
    if schema.get("format") in _FORMATS:
        return _FORMATS[schema["format"]]
    return "x" * int(schema.get("minLength", 0))
