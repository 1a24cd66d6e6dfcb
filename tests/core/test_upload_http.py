"""The upload endpoint on an ASGI body: a client that hangs up or stalls mid-chunk leaves the
upload where its last whole chunk left it."""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path
from typing import Any

import pytest

from component_framework.core import Component, ComponentRegistry
from component_framework.core._http import AsgiBody
from component_framework.core._upload_http import UploadRequest, upload_reply
from component_framework.core.config import AppConfig
from component_framework.core.signing import Signer
from component_framework.core.uploads import LocalUploadStore, Upload, issue_token


def setup(
    tmp_path: Path, store: LocalUploadStore | None = None, **options: Any
) -> tuple[AppConfig, str, LocalUploadStore]:
    store = store or LocalUploadStore(tmp_path)
    upload = Upload(chunk_size=1000, store=store)
    registry = ComponentRegistry()

    @registry.register("box")
    class Box(Component):
        uploads = {"file": upload}

        def render(self) -> str:
            return ""

    signer = Signer(["k" * 32])
    config = AppConfig(registry=registry, signer=signer, **options)
    return config, issue_token(signer, "box", "b-1", "file", upload, "address:unknown"), store


def body(*messages: dict[str, Any], stall: bool = False) -> AsgiBody:
    queue = list(messages)

    async def receive() -> dict[str, Any]:
        if not queue:
            await asyncio.sleep(3600 if stall else 0)
            return {"type": "http.disconnect"}
        return queue.pop(0)

    return AsgiBody(receive)


def piece(data: bytes, more: bool) -> dict[str, Any]:
    return {"type": "http.request", "body": data, "more_body": more}


async def begin(config: AppConfig, token: str, size: int = 3000) -> str:
    start = piece(json.dumps({"filename": "a.bin", "size": size}).encode(), False)
    head = UploadRequest("POST", None, None, token, True, None)
    reply = await upload_reply(config, None, head, body(start))
    return str(json.loads(reply.body)["upload_id"])


async def test_a_client_that_hangs_up_mid_chunk_leaves_the_chunk_undone(tmp_path: Path) -> None:
    config, token, store = setup(tmp_path)
    upload_id = await begin(config, token)
    head = UploadRequest("PUT", upload_id, "0", token, True, None)
    reply = await upload_reply(config, None, head, body(piece(b"x" * 500, True)))
    assert reply.status == 499
    info = store.get(upload_id)
    assert info is not None and info.offset == 0


async def test_a_stalled_chunk_times_out_and_is_undone(tmp_path: Path) -> None:
    config, token, store = setup(tmp_path, body_timeout=0.05)
    upload_id = await begin(config, token)
    head = UploadRequest("PUT", upload_id, "0", token, True, None)
    reply = await upload_reply(config, None, head, body(piece(b"x" * 500, True), stall=True))
    assert (reply.status, json.loads(reply.body)["code"]) == (408, "request_timeout")
    info = store.get(upload_id)
    assert info is not None and info.offset == 0


async def test_a_method_the_endpoint_does_not_take_is_refused_with_what_it_takes(
    tmp_path: Path,
) -> None:
    config, token, _ = setup(tmp_path)
    head = UploadRequest("PATCH", None, None, token, True, None)
    reply = await upload_reply(config, None, head, body())
    assert (reply.status, reply.headers["Allow"]) == (405, "POST")


class ThreadRecordingStore(LocalUploadStore):
    """Records the thread each piece of a chunk is written in."""

    writers: list[int]

    def receive(self, info: Any, offset: int) -> Any:
        recorded = super().receive(info, offset)
        writers = self.writers

        class Recording:
            def __enter__(self) -> Any:
                write = recorded.__enter__()

                def record(data: bytes) -> None:
                    writers.append(threading.get_ident())
                    write(data)

                return record

            def __exit__(self, *exc: Any) -> Any:
                return recorded.__exit__(*exc)

        return Recording()


async def test_a_chunk_is_written_off_the_event_loop_and_arrives_whole(tmp_path: Path) -> None:
    # The disk never holds up the loop that serves every other request.
    store = ThreadRecordingStore(tmp_path)
    store.writers = []
    config, token, _ = setup(tmp_path, store=store)
    upload_id = await begin(config, token)
    head = UploadRequest("PUT", upload_id, "0", token, True, None)
    pieces = [piece(bytes([n]) * 100, more=n < 9) for n in range(10)]
    reply = await upload_reply(config, None, head, body(*pieces))
    assert json.loads(reply.body)["offset"] == 1000
    assert len(store.writers) == 10
    assert threading.get_ident() not in store.writers
    with store.open(upload_id) as written:
        assert written.read() == b"".join(bytes([n]) * 100 for n in range(10))


async def test_beginning_uploads_counts_against_the_app_s_rate_limit(tmp_path: Path) -> None:
    # A begin reserves space without a byte sent: past the app's limit it is refused like a
    # message (pages are free to make, so the per-page bound alone does not stop a client);
    # chunks of uploads already begun still go.
    config, token, _ = setup(tmp_path, rate_limit="2/min")
    upload = config.registry.resolve("box").uploads["file"]
    other = issue_token(config.signer, "box", "b-2", "file", upload, "address:unknown")
    first = await begin(config, token)
    await begin(config, other)
    third = issue_token(config.signer, "box", "b-3", "file", upload, "address:unknown")
    start = piece(json.dumps({"filename": "a.bin", "size": 3000}).encode(), False)
    head = UploadRequest("POST", None, None, third, True, None)
    reply = await upload_reply(config, None, head, body(start))
    refused = json.loads(reply.body)
    assert (reply.status, refused["code"]) == (429, "rate_limited"), refused
    assert "at most 2 messages" in refused["error"] and reply.headers["Retry-After"]
    assert len(list(tmp_path.glob("*.part"))) == 2
    chunk = UploadRequest("PUT", first, "0", token, True, None)
    sent = await upload_reply(config, None, chunk, body(piece(b"x" * 1000, False)))
    assert sent.status == 200, sent.body


PNG = b"\x89PNG\r\n\x1a\n"  # a signature: the type is read from the first chunk


@pytest.mark.parametrize("size", [1000, 2000])  # its type read from this chunk, or before
async def test_an_upload_cancelled_while_its_last_chunk_arrives_stays_gone(
    tmp_path: Path, size: int
) -> None:
    # A page that replaces a file stops its chunk and cancels it; the server may still be
    # reading that chunk. The chunk ends refused, and the upload no longer counts against
    # max_files (1 here): the replacing file can begin.
    config, token, store = setup(tmp_path)
    upload_id = await begin(config, token, size)
    if size > 1000:
        first = UploadRequest("PUT", upload_id, "0", token, True, None)
        assert (
            await upload_reply(config, None, first, body(piece(PNG.ljust(1000, b"x"), False)))
        ).status == 200
    queue = [piece(b"x" * 500, True), piece(b"x" * 500, False)]

    async def receive() -> dict[str, Any]:
        if len(queue) == 1:  # halfway through the chunk
            cancel = UploadRequest("DELETE", upload_id, None, token, True, None)
            cancelled = await upload_reply(config, None, cancel, body())
            assert json.loads(cancelled.body)["cancelled"] is True
        return queue.pop(0)

    chunk = UploadRequest("PUT", upload_id, str(size - 1000), token, True, None)
    reply = await upload_reply(config, None, chunk, AsgiBody(receive))
    assert (reply.status, json.loads(reply.body)["code"]) == (404, "upload_not_found")
    assert store.get(upload_id) is None and list(tmp_path.iterdir()) == []
    await begin(config, token)
