"""Open in editor: every file:line the dev pages and ``cf registry show`` print is a link.

Shared by the dev server (its pages' links, ``POST /__cf__/open``) and the command line (terminal
hyperlinks), so both open the same editor the same way.

The editor comes from ``[tool.cf] editor`` (or ``CF_EDITOR``, else ``vscode``):

- a known name: ``vscode``, ``vscode-insiders``, ``cursor``, ``pycharm``, ``idea`` (their URL
  schemes; the browser hands the link to the editor);
- a URL template with ``{file}`` and ``{line}`` (any other scheme);
- anything else is a command the dev server runs, ``{file}`` and ``{line}`` replaced (e.g.
  ``code -g {file}:{line}``, ``subl {file}:{line}``); only for a request from loopback, only
  for a file under the project, and only with the ``X-CF-Dev`` header (no cross-site page can
  send it); a terminal link (``file_link``) opens the file itself (``file://``).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import threading
from pathlib import Path
from urllib.parse import quote

__all__ = ["EditorError", "configured", "editor_url", "file_link", "open_in_editor"]

SCHEMES = {
    "vscode": "vscode://file/{file}:{line}",
    "vscode-insiders": "vscode-insiders://file/{file}:{line}",
    "cursor": "cursor://file/{file}:{line}",
    "pycharm": "pycharm://open?file={file}&line={line}",
    "idea": "idea://open?file={file}&line={line}",
}
_LOOPBACK = {"127.0.0.1", "::1", "localhost"}


class EditorError(ValueError):
    """The editor cannot be opened for this request; the message says why."""


def configured(setting: str | None) -> str:
    """The editor setting in force: ``[tool.cf] editor``, else ``CF_EDITOR``, else vscode."""
    return (setting or os.environ.get("CF_EDITOR") or "vscode").strip()


def editor_url(setting: str) -> str:
    """The link template for *setting* ("" when the dev server runs a command instead)."""
    if setting in SCHEMES:
        return SCHEMES[setting]
    return setting if "://" in setting else ""


def file_link(setting: str, file: str | Path, line: int) -> str:
    """The URL that opens *file* at *line* with *setting*'s editor, as the dev pages link it.

    The file is made absolute; a command setting (run by the dev server, not by a link) gets
    a ``file://`` URL, which a terminal hands to the system's opener.
    """
    path = Path(file).resolve()
    template = editor_url(setting)
    if not template:
        return path.as_uri()
    # As the pages' encodeURI(file): the path's separators and punctuation stay as they are.
    encoded = quote(str(path), safe="/;,?:@&=+$-_.!~*'()#")
    return template.replace("{file}", encoded).replace("{line}", str(max(1, line)))


def open_in_editor(setting: str, root: Path, file: str, line: int, client: str | None) -> None:
    """Run the editor command for *file* at *line*.

    Raises:
        EditorError: Not from loopback, not a file of the project, or no command configured.
    """
    if client not in _LOOPBACK:
        raise EditorError("The editor opens for requests from this machine only.")
    command = setting if not editor_url(setting) else ""
    if not command:
        raise EditorError(f"The editor {setting!r} opens through its link, not the server.")
    path = Path(file).resolve()
    if not path.is_file() or not path.is_relative_to(root.resolve()):
        raise EditorError(f"{file} is not a file of the project.")
    args = [part.format(file=str(path), line=max(1, line)) for part in shlex.split(command)]
    try:
        process = subprocess.Popen(args, stdin=subprocess.DEVNULL, start_new_session=True)
    except OSError as exc:
        raise EditorError(
            f"Could not run the editor command {args[0]!r}: {exc}; set [tool.cf] editor."
        ) from None
    # Reaped when it exits (a GUI editor's launcher returns at once; a terminal one may not).
    threading.Thread(target=process.wait, daemon=True).start()
