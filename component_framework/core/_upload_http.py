"""The upload endpoint, host-neutral: every host (Starlette, FastAPI, Litestar, Django, Flask)
translates its request into an ``UploadRequest`` and a body, and the reply back.

    POST   {prefix}/upload               {"filename", "size"} -> 201 {"upload_id", "offset": 0, ...}
    POST   {prefix}/upload/{id}          {"adopt": token} -> 200: a reloaded page takes it over
    PUT    {prefix}/upload/{id}?offset=N  the chunk's bytes    -> 200 {"offset", "size", "complete"}
    GET    {prefix}/upload/{id}           where it stands (to resume) -> 200 {...}
    DELETE {prefix}/upload/{id}           cancel               -> 200 {..., "cancelled": true}

Every request carries ``X-CF-Request`` and the page's token (``X-CF-Upload-Token``, from the
``upload`` effect). A chunk goes to disk as it arrives (memory stays about one network read),
whole or not at all. Refusals are ``UploadError``s with their status and code:

| status | code | why |
| --- | --- | --- |
| 400 | missing_header, upload_bad_request | no header, bad JSON, a bad offset or size |
| 400 | upload_bad_filename | a path, a control character, not Unicode, too long |
| 403 | upload_token_invalid, upload_token_expired, upload_forbidden | forged, expired, another's |
| 404 | upload_not_found | unknown, cancelled or swept |
| 408 | request_timeout | a chunk slower than the body timeout |
| 409 | upload_offset_mismatch, upload_busy, upload_complete | out of order, overlapping, done |
| 413 | upload_too_large | a file, a chunk or bytes beyond the declared size |
| 415 | upload_type_refused | the bytes are not of an accepted type (the upload is removed) |
| 429 | upload_too_many | more files than declared, too many unfinished |
| 507 | upload_space_full | the store's space is reserved |
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from contextlib import aclosing
from dataclasses import dataclass
from typing import Any

from ._coroutines import finish
from ._held_state import ASYNC_STEPS, SYNC_STEPS, Steps
from ._http import AsgiBody, HttpReply, Refused, _Gone, json_reply
from ._reply import error_reply
from ._sniff import HEAD_BYTES, accepts, sniff
from ._upload_body import START_LIMIT, AsgiSource, Read, ReadSource
from .config import AppConfig
from .exceptions import RateLimitedError, UploadError
from .rate_limit import check_app_rate
from .upload_store import UploadInfo, UploadStore, new_upload_id, upload_gone
from .uploads import Upload, check_filename, read_token, visitor

__all__ = ["TOKEN_HEADER", "UploadRequest", "upload_reply", "upload_reply_sync"]

TOKEN_HEADER = "x-cf-upload-token"
_SIGNATURE_BYTES = 16  # enough for every signature sniff() knows
_NO_SIGNATURE = ("text/plain", "application/octet-stream")
_HEADERS = (b"x-cf-request", TOKEN_HEADER.encode(), b"content-length")


@dataclass(frozen=True, slots=True)
class UploadRequest:
    """What the endpoint reads from a request besides its body."""

    method: str
    upload_id: str | None
    offset: str | None
    """The ``offset`` query parameter of a chunk."""
    token: str | None
    marked: bool
    content_length: str | None

    @classmethod
    def from_asgi(
        cls, method: str, upload_id: str | None, offset: str | None, headers: Iterable[Any]
    ) -> UploadRequest:
        """Read an ASGI scope's headers (the first of repeated ones counts)."""
        found: dict[bytes, bytes] = {}
        for key, value in headers:
            if key in _HEADERS:
                found.setdefault(key, value)
        length = found.get(b"content-length")
        return cls(
            method,
            upload_id,
            offset,
            found.get(TOKEN_HEADER.encode(), b"").decode("latin-1") or None,
            bool(found.get(b"x-cf-request")),
            None if length is None else length.decode("latin-1"),
        )


def _error(exc: UploadError | Refused) -> HttpReply:
    reply: dict[str, Any] = {
        "type": "error",
        "error": exc.message if isinstance(exc, Refused) else str(exc),
        "code": exc.code,
    }
    if isinstance(exc, UploadError) and exc.offset is not None:
        reply["offset"] = exc.offset
    return json_reply(reply, exc.status)


def _ok(body: dict[str, Any], status: int = 200) -> HttpReply:
    return json_reply(body, status)


# ---------- What every request checks ----------


@dataclass(slots=True)
class _Target:
    upload: Upload
    store: UploadStore
    binding: dict[str, Any]
    info: UploadInfo | None = None


def _binding(config: AppConfig, request: Any, token: Any) -> tuple[Upload, dict[str, Any]]:
    # The token's lifetime is its store's, known once the token names its component: read
    # it without an age first, then again with the store's.
    binding = read_token(config.signer, token, float("inf"))
    component_cls = config.registry.get(str(binding.get("c")))
    upload = None if component_cls is None else component_cls.uploads.get(binding.get("n", ""))
    if upload is None or upload.limits() != binding.get("l"):
        raise UploadError(
            "This page's upload settings changed: reload the page to upload.",
            code="upload_token_expired",
            status=403,
        )
    binding = read_token(config.signer, token, upload.store_for(config).max_age)
    if binding["u"] != visitor(request):
        raise UploadError(
            "Upload refused: the upload token was issued to someone else.",
            code="upload_token_invalid",
            status=403,
        )
    return upload, binding


def _target(config: AppConfig, request: Any, head: UploadRequest, adopt: Any = None) -> _Target:
    # *adopt*: the token of the page that began the upload (a reload of it, say): with it, a
    # page of the same component, upload and user takes the upload over.
    if not head.marked:
        raise Refused(
            400,
            "missing_header",
            "Missing the X-CF-Request header: uploads are sent "
            "by cf.js; other clients must send 'X-CF-Request: 1'.",
        )
    upload, binding = _binding(config, request, head.token)
    store = upload.store_for(config)
    target = _Target(upload, store, binding)
    if head.upload_id is not None:
        info = store.get(head.upload_id)
        if info is None:
            raise upload_gone()
        b = binding
        if adopt is not None:
            _, old = _binding(config, request, adopt)
            same = all(old[k] == b[k] for k in "cnul")
            if same and info.owned_by(old["c"], old["i"], old["n"], old["u"]):
                info.component_id = b["i"]
                store.save_info(info)
        if not info.owned_by(b["c"], b["i"], b["n"], b["u"]):
            raise UploadError(
                "Upload refused: this upload belongs to another page or user.",
                code="upload_forbidden",
                status=403,
            )
        target.info = info
    return target


# ---------- Each request ----------


def _fields(raw: bytes) -> dict[str, Any] | None:
    try:
        fields = json.loads(raw or b"{}")
    except ValueError:
        return None
    return fields if isinstance(fields, dict) else None


def _post(config: AppConfig, request: Any, head: UploadRequest, raw: bytes) -> HttpReply:
    # Begin an upload; or, for an upload id, take it over (adopt) or confirm it (direct).
    fields = _fields(raw)
    if head.upload_id is None:
        return _start(_target(config, request, head), fields)
    adopt = None if fields is None else fields.get("adopt")
    target = _target(config, request, head, adopt)
    if adopt is None:
        return _confirm(target, fields)
    info = target.info
    assert info is not None
    if target.store.direct and not info.complete:
        # Where the page sends the rest: the same upload in storage, and the parts it holds.
        return _ok({**info.progress(), "direct": True, **target.store.presign(info)})
    return _ok({**info.progress(), "chunk_size": info.chunk_size})


def _start(target: _Target, fields: dict[str, Any] | None) -> HttpReply:
    if fields is None:
        raise UploadError(
            'Start an upload with a JSON object: {"filename": ..., "size": ...}.',
            code="upload_bad_request",
        )
    filename = check_filename(fields.get("filename"))
    size, upload, b = fields.get("size"), target.upload, target.binding
    if not isinstance(size, int) or isinstance(size, bool) or size < 1:
        raise UploadError(
            f"File size must be a positive integer of bytes, got {size!r}.",
            code="upload_bad_request",
        )
    if size > upload.max_size:
        raise UploadError(
            f"File {filename!r} is {size:,} bytes; {b['n']!r} takes at most {upload.max_size:,}.",
            code="upload_too_large",
            status=413,
        )
    now = time.time()
    info = UploadInfo(
        new_upload_id(),
        b["c"],
        b["i"],
        b["n"],
        b["u"],
        filename,
        size,
        list(upload.accept),
        upload.chunk_size,
        now,
        now,
    )
    store = target.store
    store.begin(info, upload.max_files)
    if store.direct:
        # The page sends the bytes to storage, then asks for a confirmation (_confirm).
        return _ok({**info.progress(), "direct": True, **store.presign(info)}, 201)
    return _ok({**info.progress(), "chunk_size": upload.chunk_size}, 201)


def _confirm(target: _Target, fields: dict[str, Any] | None) -> HttpReply:
    # POST {prefix}/upload/<id>: a direct store's upload, sent by the page, is checked.
    info = target.info
    assert info is not None
    if not target.store.direct:
        raise UploadError(
            "This upload takes its bytes in chunks (PUT), not a confirmation.",
            code="upload_bad_request",
        )
    if info.complete:
        raise UploadError("This upload is complete already.", code="upload_complete", status=409)
    parts = fields.get("parts", []) if fields is not None else None
    if not isinstance(parts, list):
        raise UploadError(
            'Confirm with a JSON object: {"parts": [{"number", "etag"}, ...]}.',
            code="upload_bad_request",
        )
    target.store.confirm(info, parts)
    return _chunk_done(target)


def _chunk_limit(target: _Target, head: UploadRequest) -> tuple[UploadInfo, int, int]:
    # Where the chunk starts and how many bytes it may hold, checked before any byte is read.
    info = target.info
    assert info is not None  # a PUT names its upload
    if info.complete:
        raise UploadError(
            "This upload is complete: it takes no more bytes.",
            code="upload_complete",
            status=409,
            offset=info.offset,
        )
    offset_text = head.offset or ""
    if not offset_text.isdigit() or len(offset_text) > 15:
        raise UploadError(
            f"A chunk needs ?offset=<bytes already sent>, got {head.offset!r}.",
            code="upload_bad_request",
        )
    offset = int(offset_text)
    limit = min(info.chunk_size, info.size - offset)
    length = head.content_length
    if length is not None and length.isdigit():
        _check_chunk(info, offset, int(length), limit)
    return info, offset, limit


def _check_chunk(info: UploadInfo, offset: int, received: int, limit: int) -> None:
    if received <= limit:
        return
    if received > info.chunk_size:
        problem = f"a chunk holds at most {info.chunk_size:,} bytes"
    else:
        problem = f"the file was declared as {info.size:,} bytes"
    raise UploadError(
        f"Chunk of {received:,} bytes at offset {offset:,} refused: {problem}.",
        code="upload_too_large",
        status=413,
        offset=info.offset,
    )


def _chunk_done(target: _Target) -> HttpReply:
    info, store = target.info, target.store
    assert info is not None
    complete = info.offset == info.size
    known = info.content_type is not None
    sniffed = None
    if info.content_type is None and (info.offset >= _SIGNATURE_BYTES or complete):
        sniffed = sniff(store.head(info, HEAD_BYTES), complete=complete)
    # A signature decides at once (a zip posing as an image stops at its first chunk); text
    # has none, so it waits for the whole head.
    if sniffed is not None and (
        sniffed not in _NO_SIGNATURE or complete or info.offset >= HEAD_BYTES
    ):
        accepted = accepts(info.accept, sniffed, info.filename)
        if accepted is None:
            store.discard(info.upload_id)
            raise UploadError(
                f"File {info.filename!r} is {sniffed} (read from its bytes); {info.name!r} "
                f"takes {', '.join(info.accept)}.",
                code="upload_type_refused",
                status=415,
            )
        info.content_type = accepted
    info.complete = complete
    if complete or (info.content_type is not None and not known):
        store.save_info(info)
    return _ok(info.progress())


def _answer_now(target: _Target, head: UploadRequest) -> HttpReply:
    # GET and DELETE: no body.
    info = target.info
    assert info is not None
    if head.method == "DELETE":
        target.store.discard(info.upload_id)
        return _ok({**info.progress(), "cancelled": True})
    return _ok(info.progress())


def _method_refused(head: UploadRequest) -> HttpReply | None:
    allowed = "POST" if head.upload_id is None else "GET, PUT, POST, DELETE"
    if head.method in allowed.split(", "):
        return None
    reply = json_reply(
        {
            "type": "error",
            "error": f"Method {head.method} not allowed here.",
            "code": "method_not_allowed",
        },
        405,
    )
    reply.headers["Allow"] = allowed
    return reply


# ---------- The hosts' entry points: one answer over the body's two sources ----------


async def _answer(
    config: AppConfig,
    request: Any,
    head: UploadRequest,
    source: AsgiSource | ReadSource,
    steps: Steps,
) -> HttpReply:
    refused = _method_refused(head)
    if refused is not None:
        return refused
    try:
        if head.method == "POST":
            if head.upload_id is None:  # a begin reserves space: it counts as a message
                await check_app_rate(request, config, steps)
            raw = await source.whole()
            if len(raw) > START_LIMIT:
                raise Refused(413, "too_large", f"Request body over {START_LIMIT} bytes.")
            return await source.run(lambda: _post(config, request, head, raw))
        target = _target(config, request, head)
        if head.method != "PUT":
            return _answer_now(target, head)
        info, offset, limit = _chunk_limit(target, head)
        # Closed on the way out: a refused chunk must not leave the body's timeout running.
        async with aclosing(source.pieces(limit)) as pieces:
            with target.store.receive(info, offset) as write:
                await source.write_all(
                    pieces, write, lambda n: _check_chunk(info, offset, n, limit)
                )
        return _chunk_done(target)
    except (UploadError, Refused) as exc:
        return _error(exc)
    except RateLimitedError as exc:
        return json_reply(error_reply(exc), 429)
    except TimeoutError:
        return _error(Refused(408, "request_timeout", "The chunk did not arrive in time."))
    except _Gone:
        return HttpReply(499, None)


async def upload_reply(
    config: AppConfig, request: Any, head: UploadRequest, body: AsgiBody
) -> HttpReply:
    """Answer an upload request of an ASGI host, writing a chunk as it arrives."""
    return await _answer(config, request, head, AsgiSource(body, config), ASYNC_STEPS)


def upload_reply_sync(
    config: AppConfig, request: Any, head: UploadRequest, read: Read
) -> HttpReply:
    """Answer an upload request of a WSGI host (or Django), reading the body with *read*."""
    return finish(_answer(config, request, head, ReadSource(read), SYNC_STEPS))
