"""Running a coroutine that never waits to its end in the calling thread.

Code that differs between sync and async only in a few calls is written once as a coroutine
over those calls; the sync side passes calls that return at once and runs it with ``finish``
(no event loop needed), the async side awaits it.
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any, TypeVar

__all__ = ["finish"]

T = TypeVar("T")


def finish(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine whose awaited calls are all sync to its end in the calling thread.

    Raises:
        RuntimeError: The coroutine waited on something (a bug: sync steps never wait).
    """
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    coroutine.close()
    raise RuntimeError("A sync message step suspended: it must not await anything that waits.")
