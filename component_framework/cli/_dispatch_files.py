"""``cf dispatch --file NAME=PATH``: files sent to a component's upload before its event,
through the upload endpoint's own checks, as a page sends them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._common import USAGE, fail

if TYPE_CHECKING:
    from component_framework.core.config import AppConfig

__all__ = ["discard_files", "read_files", "send_files"]


def read_files(values: list[str]) -> dict[str, list[Path]]:
    """Parse ``--file NAME=PATH`` options (repeatable) into paths by upload name."""
    found: dict[str, list[Path]] = {}
    for value in values:
        name, sep, path = value.partition("=")
        if not (sep and name and path):
            fail(
                f"--file takes NAME=PATH (an upload's name and a file), got {value!r}",
                USAGE,
            )
        if not Path(path).is_file():
            fail(f"--file {name}={path}: no such file", USAGE)
        found.setdefault(name, []).append(Path(path))
    return found


def send_files(
    config: AppConfig,
    request: Any,
    component: str,
    component_id: str,
    event: str | None,
    files: dict[str, list[Path]],
) -> dict[str, list[str]]:
    """Send *files* to the component's uploads; return the finished uploads' ids by name."""
    from component_framework.core._upload_send import send_files as send
    from component_framework.core.exceptions import UploadError
    from component_framework.core.uploads import events_taking, issue_token, visitor

    component_cls = config.registry.resolve(component)
    sent: dict[str, list[str]] = {}
    for name, paths in files.items():
        option = f"--file {name}={paths[0]}"
        upload = component_cls.uploads.get(name)
        if upload is None:
            declared = ", ".join(component_cls.uploads) or "none"
            problem = f"{component} declares no upload {name!r} (its uploads: {declared})"
            fail(f"{option}: {problem}", USAGE)
        if event is None or event not in events_taking(component_cls, name):
            takers = ", ".join(events_taking(component_cls, name)) or "no handler"
            fail(f"{option} goes with an event that takes it: {takers}", USAGE)
        if len(paths) > upload.max_files:
            fail(
                f"--file {name}=...: {name!r} takes at most {upload.max_files} file(s), "
                f"got {len(paths)}: give --file {name}=PATH at most {upload.max_files} time(s)",
                USAGE,
            )
        token = issue_token(config.signer, component, component_id, name, upload, visitor(request))
        sent[name] = []
        # One file at a time, so that a refusal names its file.
        for path in paths:
            try:
                with path.open("rb") as stream:
                    file = (path.name, stream, path.stat().st_size)
                    sent[name] += send(config, request, token, [file])
            except UploadError as exc:
                discard_files(config, component, sent)
                fail(f"--file {name}={path}: refused: {exc}", USAGE)
    return sent


def discard_files(config: AppConfig, component: str, sent: dict[str, list[str]]) -> None:
    """Remove what is left of the files *sent* (the event did not take them, or failed):
    a one-shot command keeps nothing for another try, which would count against the upload's
    ``max_files`` at the next ``cf dispatch``."""
    uploads = config.registry.resolve(component).uploads
    for name, ids in sent.items():
        store = uploads[name].store_for(config)
        for upload_id in ids:
            store.discard(upload_id)
