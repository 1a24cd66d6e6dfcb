"""Polled components: the page asks for a fresh render every ``poll`` seconds.

``poll = 5`` on a component has its page send ``poll_event`` (a handler's name; ``None``
renders the component again from its state) every five seconds, as an event of its own (the
usual path: permissions, signed state, rate limits). cf.js skips a poll while the tab is hidden
(and polls once when it is shown again), while a request of the component is in flight, and
while a ``live`` component is subscribed to pushes: pushes keep it current, so it polls only
while its socket is down. The interval has a floor (``POLL_FLOOR`` seconds): a faster poll is
a configuration error, raised where the component is put on a page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._events import handler_spec
from .exceptions import ComponentError, ConfigurationError

if TYPE_CHECKING:
    from .component import Component

__all__ = ["POLL_FLOOR", "poll_attributes"]

POLL_FLOOR = 1.0
"""The shortest ``poll`` interval, in seconds: a page asks no more often than this."""


def poll_attributes(component_cls: type[Component]) -> dict[str, str | None]:
    """The root attributes of a polled component (``data-cf-poll`` in ms, and
    ``data-cf-poll-event``); none when it does not poll.

    Raises:
        ConfigurationError: ``poll`` is not a number of seconds at least ``POLL_FLOOR``, or
            ``poll_event`` names no handler.
    """
    poll, event = component_cls.poll, component_cls.poll_event
    if poll is None:
        return {}
    name = component_cls.__name__
    if isinstance(poll, bool) or not isinstance(poll, int | float) or not poll >= POLL_FLOOR:
        raise ConfigurationError(
            f"{name}.poll = {poll!r}: poll at most once a second (poll >= {POLL_FLOOR:g}); "
            "for updates as they happen, make it live and push them (docs/push.md)."
        )
    pairs: dict[str, str | None] = {"data-cf-poll": str(round(poll * 1000))}
    if event is not None:
        try:
            handler_spec(component_cls, event)
        except ComponentError as exc:
            raise ConfigurationError(f"{name}.poll_event = {event!r}: {exc}") from None
        pairs["data-cf-poll-event"] = event
    return pairs
