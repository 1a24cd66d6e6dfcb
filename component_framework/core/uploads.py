"""File uploads: declared on a component, sent in chunks, checked, handed to a handler.

A component declares its uploads; every render gives the page an ``upload`` effect per upload
with a signed token bound to the component, its id, the upload's name, its limits and the
user. The page sends each file in chunks to the app's upload endpoint (``core._upload_http``)
with that token, then sends an event whose payload names the finished uploads; a handler
argument annotated ``UploadedFile`` (or ``list[UploadedFile]``) named after the upload receives
them, checked, before any of its code runs. They are removed once that dispatch succeeds.

Example:

    class Profile(Component):
        uploads = {"avatar": Upload(accept=["image/png", "image/jpeg"], max_size=2_000_000)}

        def on_save(self, avatar: list[UploadedFile]) -> None:
            for file in avatar:
                file.save(MEDIA / f"{self.id}.img")

The ``upload`` effect: ``{"type": "upload", "name", "token", "accept", "max_size",
"max_files", "chunk_size", "events"}``; cf.js keeps it for the page's ``cf-upload="name"``
inputs, and adds the ids of their finished uploads to the payload of the ``events`` that
take them.
"""

from __future__ import annotations

import typing
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._events import handler_spec, list_events
from ._sniff import check_accept
from .exceptions import ConfigurationError, InvalidPayloadError, UploadError
from .upload_store import (
    LocalUploadStore,
    UploadedFile,
    UploadInfo,
    UploadStore,
    default_upload_store,
    is_upload_id,
)

if TYPE_CHECKING:
    from .component import Component
    from .config import AppConfig
    from .signing import Signer

__all__ = [
    "TOKEN_PURPOSE",
    "LocalUploadStore",
    "Upload",
    "UploadInfo",
    "UploadStore",
    "UploadedFile",
    "check_filename",
    "consume",
    "events_taking",
    "issue_token",
    "read_token",
    "resolve_uploads",
    "upload_effects",
    "upload_fields",
    "visitor",
    "with_upload_effects",
]

TOKEN_PURPOSE = "cf.upload"
_MAX_NAME_BYTES = 255


@dataclass(frozen=True, slots=True)
class Upload:
    """One upload a component takes.

    Args:
        accept: Content types taken (``"image/png"``, or a family ``"image/*"``), checked
            against the file's bytes; empty takes any.
        max_size: Largest file, in bytes.
        max_files: Files at most at once.
        chunk_size: Most bytes one request may hold. cf.js starts at 1 MiB and doubles while
            chunks arrive quickly; the server holds about one network read of a chunk.
        store: Where the files go; None: the app's ``upload_store`` (temporary files).
    """

    accept: Sequence[str] = ()
    max_size: int = 10 * 1024 * 1024
    max_files: int = 1
    chunk_size: int = 8 * 1024 * 1024
    store: UploadStore | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "accept", check_accept(self.accept))
        for name in ("max_size", "max_files", "chunk_size"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"Upload {name} must be a positive integer, got {value!r}.")

    def limits(self) -> list[Any]:
        """What a token binds besides who: the limits the page was told."""
        return [list(self.accept), self.max_size, self.max_files, self.chunk_size]

    def store_for(self, config: AppConfig | None) -> UploadStore:
        """Where this upload's files go."""
        if self.store is not None:
            return self.store
        given = None if config is None else config.upload_store
        return given if given is not None else default_upload_store()


def visitor(request: Any) -> str:
    """Who sends *request*: the logged-in user's id, else the client's address."""
    from .rate_limit import visitor_key

    return visitor_key(request)


# ---------- Tokens ----------


def issue_token(
    signer: Signer, component: str, component_id: str, name: str, upload: Upload, user: str
) -> str:
    """The token allowing uploads to *name* of this component id, for *user*."""
    return signer.sign_value(
        TOKEN_PURPOSE,
        {"c": component, "i": component_id, "n": name, "u": user, "l": upload.limits()},
    )


def read_token(signer: Signer, token: Any, max_age: float) -> dict[str, Any]:
    """The binding a token carries (``c``, ``i``, ``n``, ``u``, ``l``).

    Raises:
        UploadError: Missing, forged or malformed (403 ``upload_token_invalid``), or older
            than *max_age* (403 ``upload_token_expired``).
    """
    binding = signer.verify_value(TOKEN_PURPOSE, token, max_age)
    if isinstance(binding, dict):
        return binding
    if signer.verify_value(TOKEN_PURPOSE, token, float("inf")) is not None:
        raise UploadError(
            "This page's upload token expired: reload the page to upload again.",
            code="upload_token_expired",
            status=403,
        )
    raise UploadError(
        "Upload refused: the upload token is missing or invalid.",
        code="upload_token_invalid",
        status=403,
    )


def upload_effects(
    component_cls: type[Component],
    name: str,
    component_id: str,
    request: Any,
    config: AppConfig | None,
) -> list[dict[str, Any]]:
    """The ``upload`` effects of a render: one per declared upload, each with a fresh token."""
    from .signing import get_signer

    signer = config.signer if config is not None else get_signer()
    user = visitor(request)
    return [
        {
            "type": "upload",
            "name": key,
            "token": issue_token(signer, name, component_id, key, upload, user),
            "accept": list(upload.accept),
            "max_size": upload.max_size,
            "max_files": upload.max_files,
            "chunk_size": upload.chunk_size,
            "events": events_taking(component_cls, key),
        }
        for key, upload in component_cls.uploads.items()
    ]


def events_taking(component_cls: type[Component], name: str) -> list[str]:
    """The events whose handler takes the upload *name*: the page adds its finished
    uploads' ids to their payloads."""
    key = (component_cls, name)
    if key not in _events_taking:
        _events_taking[key] = [
            event
            for event in list_events(component_cls)
            if name in upload_fields(component_cls, handler_spec(component_cls, event).fields)
        ]
    return list(_events_taking[key])


_events_taking: dict[tuple[type, str], list[str]] = {}


def with_upload_effects(
    result: dict[str, Any],
    component_cls: type[Component],
    name: str,
    request: Any,
    config: AppConfig | None,
) -> dict[str, Any]:
    """A dispatch *result* with the ``upload`` effects of its component appended."""
    effects = upload_effects(component_cls, name, result["component_id"], request, config)
    return {**result, "effects": [*result.get("effects", ()), *effects]}


# ---------- File names ----------


# Right-to-left overrides and their kin: "photo\u202egnp.exe" shows as "photoexe.png".
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def check_filename(name: Any) -> str:
    """*name* if it can name an uploaded file: no path, no control character, valid
    Unicode, at most 255 bytes in UTF-8.

    Raises:
        UploadError: What is wrong with it (400 ``upload_bad_filename``).
    """
    problem = None
    if not isinstance(name, str) or not name.strip():
        problem = "it is empty"
    elif any(unicodedata.category(c) in ("Cc", "Cs") for c in name):
        problem = "it holds a control character, a NUL or text that is not valid Unicode"
    elif any(c in _BIDI_CONTROLS for c in name):
        problem = "it holds a text-direction control character (one can disguise its extension)"
    elif "/" in name or "\\" in name or name.strip() in (".", ".."):
        problem = "it holds a path: send the file's own name only"
    elif len(name.encode()) > _MAX_NAME_BYTES:
        problem = f"it is longer than {_MAX_NAME_BYTES} bytes"
    if problem is not None:
        shown = name[:60] if isinstance(name, str) else name
        raise UploadError(
            f"File name {shown!r} refused: {problem}.", code="upload_bad_filename", status=400
        )
    return str(name).strip()


# ---------- Handing finished uploads to a handler ----------


def _upload_kind(hint: Any) -> str | None:
    # "one", "many" or None for a handler argument's type hint.
    args = typing.get_args(hint)
    if typing.get_origin(hint) in (typing.Required, typing.NotRequired):
        return _upload_kind(args[0])
    if hint is UploadedFile:
        return "one"
    if typing.get_origin(hint) is list and args == (UploadedFile,):
        return "many"
    if type(None) in args:  # UploadedFile | None, list[UploadedFile] | None
        rest = [arg for arg in args if arg is not type(None)]
        return _upload_kind(rest[0]) if len(rest) == 1 else None
    return None


def upload_fields(component_cls: type[Component], fields: Mapping[str, Any]) -> dict[str, str]:
    """The handler's arguments that take uploads: name -> ``"one"`` or ``"many"``.

    Raises:
        ConfigurationError: Such an argument names no declared upload.
    """
    found = {}
    for key, hint in fields.items():
        kind = _upload_kind(hint)
        if kind is None:
            continue
        if key not in component_cls.uploads:
            raise ConfigurationError(
                f"{component_cls.__name__}'s handler takes uploaded files as {key!r}, but it "
                f"declares no such upload: add uploads = {{{key!r}: Upload(...)}}."
            )
        found[key] = kind
    return found


def resolve_uploads(
    component_cls: type[Component],
    fields: Mapping[str, Any],
    payload: dict[str, Any],
    where: tuple[str, str],
    request: Any,
    config: AppConfig | None,
) -> dict[str, Any]:
    """*payload* with the upload ids of its upload arguments replaced by ``UploadedFile``s.

    *where* is ``(component name, component id)``: an upload is handed over only to the
    component id it was begun for, for the same user, finished.

    Raises:
        InvalidPayloadError: An id that is not a finished upload of this component, upload
            and user, or more files than the upload takes.
    """
    wanted = upload_fields(component_cls, fields)
    if not wanted:
        return payload
    resolved = dict(payload)
    user = visitor(request)
    for key, kind in wanted.items():
        if key not in payload:
            continue
        ids = payload[key]
        if kind == "one" and (ids is None or isinstance(ids, str)):
            ids = [] if ids is None else [ids]
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise InvalidPayloadError(f"Invalid payload: {key} must be a list of upload ids.")
        upload: Upload = component_cls.uploads[key]
        if len(ids) > upload.max_files or (kind == "one" and len(ids) > 1):
            raise InvalidPayloadError(
                f"Invalid payload: {key} takes at most {upload.max_files} file(s), got {len(ids)}."
            )
        store = upload.store_for(config)
        files = []
        for upload_id in ids:
            info = store.get(upload_id) if is_upload_id(upload_id) else None
            if info is None or not info.owned_by(*where, key, user) or not info.complete:
                raise InvalidPayloadError(
                    f"Invalid payload: {key}: {upload_id[:40]!r} is not a finished upload of "
                    "this page (unknown, unfinished, expired or someone else's)."
                )
            files.append(store.file(info))
        resolved[key] = files if kind == "many" else (files[0] if files else None)
    return resolved


def consume(payload: Mapping[str, Any]) -> None:
    """Remove the uploaded files a successful dispatch received (those it did not save)."""
    for value in payload.values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, UploadedFile) and item._store is not None:
                item._store.discard(item.upload_id)
