"""Live reload of the app's own CSS and static files (``[tool.cf] styles`` and their folders).

A change there needs no re-render: the previews swap their stylesheet links for fresh ones,
so the component keeps its state and the page does not flash.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from pathlib import Path

from ._channel import LiveChannel
from ._watch import is_ignored

__all__ = ["watch_styles"]

logger = logging.getLogger("component_framework.devserver")


def style_folders(styles: Sequence[Path]) -> list[Path]:
    """The existing folders holding *styles*, each once."""
    folders: list[Path] = []
    for style in styles:
        folder = style.resolve().parent
        if folder.is_dir() and folder not in folders:
            folders.append(folder)
    return folders


async def watch_styles(
    root: Path, styles: Sequence[Path], channel: LiveChannel, stop: asyncio.Event
) -> None:
    """Publish a ``styles`` message for every saved file beside the app's stylesheets."""
    import watchfiles

    folders = style_folders(styles)
    if not folders:
        return
    version = 0
    async for batch in watchfiles.awatch(
        *folders, step=20, debounce=1600, stop_event=stop, watch_filter=_keep
    ):
        version += 1
        files = sorted({_relative(root, Path(path)) for _, path in batch})
        channel.publish({"type": "styles", "version": version, "files": files})
        logger.info("Styles changed: %s", ", ".join(files))


def _keep(change: object, path: str) -> bool:
    return not is_ignored(path)


def _relative(root: Path, path: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
