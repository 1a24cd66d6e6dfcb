"""The core's log warnings as one line each on stderr (``cf`` commands and ``cf dev``)."""

from __future__ import annotations

import logging
import sys

__all__ = ["WarningLines"]


class WarningLines(logging.Handler):
    """Write each warning (a refused checksum, a large state) as ``warning: ...`` on stderr.

    Errors, and records carrying a traceback, are left to whoever reports them.
    """

    def __init__(self) -> None:
        super().__init__(logging.WARNING)

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info or record.levelno >= logging.ERROR:
            return
        sys.stderr.write(f"warning: {record.getMessage()}\n")
