"""What a page does, offline: send files in chunks through the upload endpoint, for
``ComponentTester.upload`` and ``cf dispatch --file``."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from typing import IO, Any

from ._upload_body import Read
from ._upload_http import UploadRequest, upload_reply_sync
from .config import AppConfig
from .exceptions import UploadError

__all__ = ["send_files"]


def send_files(
    config: AppConfig, request: Any, token: str, files: Iterable[tuple[str, IO[bytes], int]]
) -> list[str]:
    """Send each ``(filename, stream, size)`` in chunks through the endpoint, as a page
    does with *token*; return the finished uploads' ids.

    Raises:
        UploadError: The endpoint refused a file (its message, code and status).
    """

    def answer(method: str, upload_id: str | None, read: Read, offset: int = 0) -> Any:
        head = UploadRequest(method, upload_id, str(offset), token, True, None)
        reply = upload_reply_sync(config, request, head, read)
        body = json.loads(reply.body)
        if reply.status >= 400:
            raise UploadError(body["error"], code=body["code"], status=reply.status)
        return body

    ids = []
    for filename, stream, size in files:
        start = io.BytesIO(json.dumps({"filename": filename, "size": size}).encode())
        progress = answer("POST", None, start.read)
        chunk_size = progress["chunk_size"]
        while not progress["complete"]:
            data = stream.read(chunk_size)
            if not data:
                raise UploadError(f"File {filename!r} ended before its {size:,} bytes.")
            chunk = io.BytesIO(data)
            progress = answer("PUT", progress["upload_id"], chunk.read, progress["offset"])
        ids.append(progress["upload_id"])
    return ids
