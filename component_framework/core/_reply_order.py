"""A reply goes after the pushes its message made are with the broker.

With several workers, a page's next event may be served by another worker. If this worker
replied before publishing, that worker's pushes could reach the broker first, and every page
would see a person's second message before the first. So the message path notes each push
delivery a message published to and, before the reply goes, waits until those pushes are handed
to the broker (a second at most; not at all while the broker is down, when the pushes wait
for it anyway).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from contextvars import ContextVar
from typing import Protocol

__all__ = ["note_push", "pushes_before_reply"]

_WAIT = 1.0


class _Delivery(Protocol):
    async def handed_over(self, timeout: float) -> None: ...


# A set, not a value: a sync handler runs in a worker thread with a copy of the context, and
# adds to the same set.
_made: ContextVar[set[_Delivery] | None] = ContextVar("cf_pushes_made", default=None)


def note_push(delivery: _Delivery) -> None:
    """Record that the message being handled published through *delivery*."""
    made = _made.get()
    if made is not None:
        made.add(delivery)


@contextlib.asynccontextmanager
async def pushes_before_reply() -> AsyncIterator[None]:
    """Around the handling of one message: on the way out, wait for its pushes' publication."""
    made: set[_Delivery] = set()
    token = _made.set(made)
    try:
        yield
    finally:
        _made.reset(token)
    for delivery in made:
        await delivery.handed_over(_WAIT)
