"""JSON in and out of the web transports, the same way on HTTP, SSE and WebSocket."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import JSONResponse

from component_framework.core.exceptions import ComponentError
from component_framework.core.protocol import Limits, load_message

__all__ = ["NO_STORE", "ReplyResponse", "decode", "encode", "encode_bytes"]


def decode(raw: str | bytes, limits: Limits) -> Any:
    """Decode a message with core's rules (strict JSON, size limit); else return it raw.

    A raw message goes on to core, which answers with the same error on every transport.
    """
    try:
        return load_message(raw, limits)
    except ComponentError:
        return raw


# Built once: json.dumps with any non-default argument builds an encoder on every call.
_encode_utf8 = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_encode_ascii = json.JSONEncoder(separators=(",", ":")).encode


def encode(data: Any) -> str:
    """Encode a reply as compact JSON text, UTF-8 where possible.

    Client JSON may carry a lone surrogate ("\\ud800") that UTF-8 cannot hold: such a reply
    is sent with ASCII escapes instead of failing.
    """
    text = _encode_utf8(data)
    try:
        text.encode()
    except UnicodeEncodeError:
        return _encode_ascii(data)
    return text


def encode_bytes(data: Any) -> bytes:
    """Encode a reply as ``encode`` does, straight to UTF-8 bytes (one encode, not two)."""
    try:
        return _encode_utf8(data).encode()
    except UnicodeEncodeError:
        return _encode_ascii(data).encode()


class ReplyResponse(JSONResponse):
    """A reply as an uncached JSON response that never fails to encode (see ``encode``)."""

    def __init__(self, content: Any, status_code: int = 200) -> None:
        super().__init__(content, status_code, headers=NO_STORE)

    def render(self, content: Any) -> bytes:
        """Encode *content* compactly, as UTF-8 where possible."""
        return encode_bytes(content)


NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
"""Headers of every reply, streamed or not: never cached, never content-sniffed."""
