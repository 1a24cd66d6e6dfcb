"""Polled components: the root's poll attributes, and the floor under the interval."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from component_framework.core import Component
from component_framework.core.exceptions import ConfigurationError
from component_framework.core.polling import POLL_FLOOR, poll_attributes


def polled(interval: Any, event: str | None = None) -> type[Component]:
    class Clock(Component):
        poll: ClassVar[Any] = interval
        poll_event: ClassVar[str | None] = event

        def on_tick(self) -> None:
            pass

    return Clock


def test_the_root_carries_the_interval_in_ms_and_the_event() -> None:
    assert poll_attributes(polled(2.5, "tick")) == {
        "data-cf-poll": "2500",
        "data-cf-poll-event": "tick",
    }
    assert poll_attributes(polled(POLL_FLOOR)) == {"data-cf-poll": "1000"}
    assert poll_attributes(Component) == {}


@pytest.mark.parametrize("interval", [0.2, 0, -5, True, "5", float("nan")])
def test_an_interval_under_the_floor_is_a_clear_error(interval: Any) -> None:
    with pytest.raises(ConfigurationError, match=r"poll at most once a second \(poll >= 1\)"):
        poll_attributes(polled(interval))


def test_a_poll_event_without_a_handler_is_a_clear_error() -> None:
    with pytest.raises(ConfigurationError, match=r"Clock\.poll_event = 'tock'"):
        poll_attributes(polled(5, "tock"))
