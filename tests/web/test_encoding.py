"""Replies always encode: UTF-8 where possible, ASCII escapes for what UTF-8 cannot hold."""

from __future__ import annotations

import json

from component_framework.core.protocol import DEFAULT_LIMITS
from component_framework.web._encoding import ReplyResponse, decode, encode


def test_replies_are_compact_utf8() -> None:
    assert encode({"html": "<p>é</p>"}) == '{"html":"<p>é</p>"}'


def test_a_lone_surrogate_is_escaped_instead_of_crashing() -> None:
    text = encode({"error": "Component '\ud800' not found."})
    assert json.loads(text) == {"error": "Component '\ud800' not found."}
    assert ReplyResponse({"x": "\ud800"}).body == b'{"x":"\\ud800"}'


def test_decode_leaves_bad_json_raw_for_core_to_answer() -> None:
    assert decode(b'{"a": 1}', DEFAULT_LIMITS) == {"a": 1}
    assert decode(b'{"a": NaN}', DEFAULT_LIMITS) == b'{"a": NaN}'
    assert decode("{oops", DEFAULT_LIMITS) == "{oops"
