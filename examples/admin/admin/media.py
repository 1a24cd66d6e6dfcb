"""Where product photos are kept: ``ADMIN_MEDIA`` (``media/`` beside the project by default),
served under ``/media/``."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["directory", "url"]


def directory() -> Path:
    """The folder of the photos (made when missing)."""
    path = Path(os.environ.get("ADMIN_MEDIA") or Path(__file__).resolve().parent.parent / "media")
    path.mkdir(parents=True, exist_ok=True)
    return path


def url(name: str | None) -> str | None:
    """The address of the photo *name*, or None."""
    return f"/media/{name}" if name else None
