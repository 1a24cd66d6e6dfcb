"""Whether the ASGI server can speak WebSocket: live components need it.

uvicorn serves WebSockets only when ``websockets`` or ``wsproto`` is importable; without one it
answers the handshake with an error, and pages marked ``live`` would never get a push. The app
says so once at start-up instead of letting pages go silently stale.
"""

from __future__ import annotations

import logging
from importlib.util import find_spec

__all__ = ["warn_without_websocket"]

logger = logging.getLogger("component_framework")

LIBRARIES = ("websockets", "wsproto")


def warn_without_websocket() -> bool:
    """Log a warning when no WebSocket library uvicorn can use is importable.

    Returns:
        Whether one is importable.
    """
    if any(find_spec(name) is not None for name in LIBRARIES):
        return True
    logger.warning(
        "No WebSocket library is installed (websockets or wsproto): live components will show "
        "as offline and get no server pushes. Fix: pip install websockets "
        "(it comes with `pip install cf-components`)."
    )
    return False
