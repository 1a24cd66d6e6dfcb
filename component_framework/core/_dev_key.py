"""The development signing key: one per project, kept in ``.cf/secret-key``, made on first use.

Without ``CF_SECRET_KEY``, apps in debug mode (``ComponentApp(debug=True)``,
``create_router(debug=True)``) and ``cf dev`` sign state with this key, so a page left open
keeps working when the server restarts (``uvicorn --reload`` on every save). It is never used
when ``CF_SECRET_KEY`` is set, and production (no debug) refuses to start without that key.

The project is the nearest folder, from the working directory up, with a ``pyproject.toml``
(the working directory without one). Its ``.cf`` folder holds a ``.gitignore`` of ``*``, as
``.pytest_cache`` does, so git never picks the key up. A key that cannot be kept (a read-only
folder) means a random key for the process, with a warning.

Example:

    key = development_key()  # the same string on every start in this project
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

__all__ = ["FOLDER", "development_key", "key_path"]

logger = logging.getLogger("component_framework.security")

FOLDER = ".cf"
_FILE = "secret-key"
_IGNORE = "# Made by cf-components: nothing in this folder belongs in version control.\n*\n"


def key_path(start: str | os.PathLike[str] | None = None) -> Path:
    """Where the development key of the project around *start* (the working directory) lives."""
    here = Path(start if start is not None else os.getcwd()).resolve()
    root = next((d for d in (here, *here.parents) if (d / "pyproject.toml").is_file()), here)
    return root / FOLDER / _FILE


def development_key(start: str | os.PathLike[str] | None = None) -> str | None:
    """Return the project's development key, made on first use; None if it cannot be kept."""
    path = key_path(start)
    try:
        return _read(path) or _create(path)
    except OSError as error:
        logger.warning(
            "Cannot keep a development key in %s (%s): using a random key for this process, "
            "so open pages stop working when it restarts.",
            path,
            error,
        )
        return None


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None


def _create(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    ignore = path.parent / ".gitignore"
    if not ignore.exists():
        ignore.write_text(_IGNORE, encoding="utf-8")
    key = secrets.token_urlsafe(32)
    # Written whole under another name, then linked into place: two processes starting at
    # once (a reloader and its worker, two workers) both end up with the one key that won.
    temporary = path.with_name(f"{_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(key + "\n")
        try:
            os.link(temporary, path)
        except FileExistsError:
            return _read(path) or _replace(temporary, path, key)
    finally:
        temporary.unlink(missing_ok=True)
    logger.info("Made a development signing key in %s.", path)
    return key


def _replace(temporary: Path, path: Path, key: str) -> str:
    # The file exists but is empty (cut short by hand): the new key takes its place.
    os.replace(temporary, path)
    return key
