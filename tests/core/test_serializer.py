"""StateSerializer: JSON round trip, byte limits, and visible lossy values."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

import pytest

from component_framework.core import ComponentError, StateSerializer
from component_framework.core._json import LossyStateWarning, canonical_dumps, find_lossy
from component_framework.core.exceptions import MessageError, StateTooLargeError


@pytest.fixture
def small_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(StateSerializer, "warn_bytes", 50)
    monkeypatch.setattr(StateSerializer, "max_bytes", 100)


def test_defaults() -> None:
    assert StateSerializer.warn_bytes == 64 * 1024
    assert StateSerializer.max_bytes == 512 * 1024


def test_round_trip() -> None:
    state = {"count": 1, "items": [1, "a", None, True], "nested": {"x": 1.5}}
    text = StateSerializer.serialize(state)
    assert text == '{"count": 1, "items": [1, "a", null, true], "nested": {"x": 1.5}}'
    assert StateSerializer.deserialize(text) == state


def test_deserialize_empty_is_an_empty_state() -> None:
    assert StateSerializer.deserialize("") == {}
    assert StateSerializer.deserialize(b"") == {}


def test_deserialize_refuses_non_objects_and_bad_json() -> None:
    with pytest.raises(MessageError, match=r"^State must be a JSON object, got list\.$"):
        StateSerializer.deserialize("[1]")
    with pytest.raises(
        MessageError, match=r"^State is not valid JSON: Expecting value at line 1 column 7\.$"
    ):
        StateSerializer.deserialize('{"a": }')


def test_serialize_canonical_sorts_keys_and_keeps_utf8() -> None:
    text = StateSerializer.serialize_canonical({"b": 1, "a": "é"})
    assert text == '{"a":"é","b":1}'
    assert text == canonical_dumps({"a": "é", "b": 1})


def test_serialize_canonical_refuses_nan() -> None:
    with pytest.raises(ComponentError, match=r"cannot be sent as JSON: .*Replace NaN/Infinity"):
        StateSerializer.serialize_canonical({"x": float("nan")})


def test_warn_bytes_logs_a_warning(small_limits: None, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="component_framework"):
        StateSerializer.serialize({"text": "x" * 60})
    assert caplog.records[-1].levelno == logging.WARNING
    assert caplog.records[-1].getMessage() == (
        "Component state is 72 bytes (threshold: 50). Consider moving large data out of state."
    )


def test_under_warn_bytes_logs_nothing(
    small_limits: None, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="component_framework"):
        StateSerializer.serialize({"text": "x"})
    assert caplog.records == []


def test_max_bytes_raises_a_component_error(small_limits: None) -> None:
    with pytest.raises(ComponentError) as info:
        StateSerializer.serialize({"text": "x" * 200})
    assert isinstance(info.value, StateTooLargeError)
    assert (info.value.code, info.value.status) == ("too_large", 413)
    assert str(info.value) == (
        "Component state is 212 bytes (hard limit: 100). Move large data out of state — "
        "store IDs/keys instead of full objects, or use server-side caching."
    )


def test_zero_disables_the_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(StateSerializer, "warn_bytes", 0)
    monkeypatch.setattr(StateSerializer, "max_bytes", 0)
    assert len(StateSerializer.serialize({"t": "x" * 1000})) == 1009


def test_sizes_are_utf8_bytes_not_characters(small_limits: None) -> None:
    # 68 characters, 128 bytes: the seed measured characters and let it through.
    state = {"t": "é" * 60}
    assert len(canonical_dumps(state)) == 68
    with pytest.raises(StateTooLargeError, match=r"^Component state is 128 bytes "):
        StateSerializer.serialize_canonical(state)
    with pytest.raises(StateTooLargeError, match=r"^Component state is 128 bytes "):
        StateSerializer.deserialize(canonical_dumps(state))
    with pytest.raises(StateTooLargeError, match=r"^Component state is 128 bytes "):
        StateSerializer.check_size(canonical_dumps(state))
    assert StateSerializer.check_size(canonical_dumps({"t": "é" * 10})) == 28


def test_ascii_size_is_its_length(small_limits: None) -> None:
    assert StateSerializer.check_size('{"t":"abc"}') == 11


@pytest.mark.parametrize(
    ("value", "kind", "back"),
    [
        ({"b", "a"}, "set", '["a", "b"]'),
        (dt.datetime(2026, 11, 25, 12, 0), "datetime", '"2026-11-25T12:00:00"'),
        (dt.date(2026, 11, 25), "date", '"2026-11-25"'),
        (Decimal("1.10"), "Decimal", '"1.10"'),
    ],
)
def test_lossy_values_warn(value: object, kind: str, back: str) -> None:
    with pytest.warns(LossyStateWarning, match=rf"^Component state holds {kind} "):
        text = StateSerializer.serialize({"v": value})
    assert text == f'{{"v": {back}}}'
    with pytest.warns(LossyStateWarning, match=rf"^Component state holds {kind} "):
        StateSerializer.serialize_canonical({"v": value})


def test_lossy_warning_says_what_comes_back_and_the_fix() -> None:
    with pytest.warns(LossyStateWarning) as record:
        StateSerializer.serialize({"v": Decimal("2.5")})
    assert str(record[0].message) == (
        "Component state holds Decimal Decimal('2.5'), which JSON cannot carry: it comes back "
        "as str '2.5'. Store plain JSON values (str, int, float, bool, None, list, dict) in state."
    )


def test_plain_json_state_does_not_warn() -> None:
    # filterwarnings=error: any warning here fails the test.
    StateSerializer.serialize({"a": [1, 2.5, "x", None, False, {"b": []}]})


def test_find_lossy_lists_every_problem() -> None:
    problems = find_lossy(
        {"tags": {"a"}, "when": dt.date(2026, 1, 1), "pair": (1, 2), 1: "x", "ok": [1]}
    )
    assert problems == [
        "state: key 1 is int, not str",
        "state['pair']: tuple",
        "state['tags']: set",
        "state['when']: date",
    ]
    assert find_lossy({"nan": float("nan")}) == ["state['nan']: nan is not valid JSON"]
    assert find_lossy({"ok": {"nested": [1, "x", None]}}) == []


def test_deserialize_bad_json_is_both_a_message_error_and_a_json_decode_error() -> None:
    import json

    from component_framework.core.exceptions import MessageError

    with pytest.raises(json.JSONDecodeError) as info:
        StateSerializer.deserialize("{bad")
    assert isinstance(info.value, MessageError)
    assert info.value.code == "bad_message"
    assert str(info.value) == (
        "State is not valid JSON: Expecting property name enclosed in double quotes "
        "at line 1 column 2."
    )
