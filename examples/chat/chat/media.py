"""Where attachments are kept: ``CHAT_MEDIA`` (``media/`` beside the project by default),
each under a random name with the extension of its checked type, served to people who signed
in under ``/attachments/``."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

from component_framework.core.uploads import UploadedFile

from .db import Attachment

__all__ = ["TYPES", "directory", "keep", "path"]

TYPES = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "application/pdf": ".pdf",
}
"""What a message may carry, by the type read from the file's bytes: images and PDFs."""

_STORED = re.compile(r"[0-9a-f]{32}\.(png|jpg|gif|webp|pdf)")


def directory() -> Path:
    """The folder of the attachments (made when missing)."""
    path = Path(os.environ.get("CHAT_MEDIA") or Path(__file__).resolve().parent.parent / "media")
    path.mkdir(parents=True, exist_ok=True)
    return path


def keep(upload: UploadedFile) -> Attachment:
    """Move an uploaded file into the folder, under a new random name."""
    stored = secrets.token_hex(16) + TYPES[upload.content_type]
    upload.save(directory() / stored)
    return Attachment(stored, upload.name, upload.content_type)


def path(stored: str) -> Path | None:
    """The file of an attachment's stored name; None for a name this module never made."""
    if not _STORED.fullmatch(stored):
        return None
    found = directory() / stored
    return found if found.is_file() else None
