"""Uploads through every adapter: one endpoint in core, the same replies everywhere.

Each case sends real requests (a file in chunks, and every kind of bad chunk, token and name)
through Starlette, FastAPI, Django under WSGI and ASGI, Litestar and Flask, anonymous or
logged in by each framework's own authentication, and checks the status and error code.
"""

from __future__ import annotations

import asyncio
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import AsyncClient, Client

from component_framework.core import Component
from component_framework.core.uploads import LocalUploadStore, Upload, UploadedFile
from component_framework.django._config import config

from .conftest import Adapters, logged_in

pytestmark = pytest.mark.django_db

Send = Callable[[str, str, bytes, dict[str, str]], tuple[int, Any]]
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10  # 2,568 bytes
CHUNK = 1024
EVENT = {"Content-Type": "application/json", "X-CF-Request": "1"}


@pytest.fixture(scope="module")
def upload_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("uploads")


@pytest.fixture(scope="module")
def uploader(upload_dir: Path) -> Iterator[None]:
    """``uploader``: an avatar (PNG, 3 KB at most, chunks of 1 KB) and two attachments."""
    registry = config().registry
    store = LocalUploadStore(upload_dir, max_pending=10_000)  # every case leaves some behind

    class Uploader(Component):
        uploads = {
            "avatar": Upload(accept=["image/png"], max_size=3000, chunk_size=CHUNK, store=store),
            "files": Upload(max_files=2, chunk_size=CHUNK, store=store),
        }

        def render(self) -> str:
            return f"<p>{self.state.get('got', '')}</p>"

        def on_save(self, avatar: list[UploadedFile]) -> None:
            self.state["got"] = ";".join(f"{f.name}:{f.size}:{f.content_type}" for f in avatar)

    registry.register("uploader")(Uploader)
    yield
    registry.unregister("uploader")


@pytest.fixture(scope="module")
def alice(django_db_blocker: Any, django_db_setup: None) -> Iterator[tuple[Client, AsyncClient]]:
    with logged_in("alice-uploads", django_db_blocker) as clients:
        yield clients


@pytest.fixture(scope="module")
def adapters(uploader: None, every_adapter: Adapters) -> dict[str, Send]:
    """name -> send(method, path, body, headers) returning (status, JSON body)."""
    flask = every_adapter.flask
    wsgi_clients, asgi_clients = every_adapter.wsgi, every_adapter.asgi

    def decoded(status: int, content: bytes) -> tuple[int, Any]:
        return status, json.loads(content)

    def over(client: Any) -> Send:
        def send(method: str, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
            response = client.request(method, path, content=body, headers=headers)
            return decoded(response.status_code, response.content)

        return send

    def django_args(headers: dict[str, str]) -> tuple[bool, str, dict[str, str]]:
        extra = {k: v for k, v in headers.items() if k not in ("Content-Type", "X-User")}
        return "X-User" in headers, headers.get("Content-Type", "application/octet-stream"), extra

    def wsgi(method: str, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
        user, content_type, extra = django_args(headers)
        client = wsgi_clients[user]
        response = client.generic(method, path, body, content_type=content_type, headers=extra)
        return decoded(response.status_code, response.content)

    def asgi(method: str, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
        user, content_type, extra = django_args(headers)
        client = asgi_clients[user]

        async def send() -> Any:
            return await client.generic(
                method, path, body, content_type=content_type, headers=extra
            )

        response = asyncio.run(send())
        return decoded(response.status_code, response.content)

    def flask_send(method: str, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
        response = flask.open(path, method=method, data=body, headers=headers)
        return decoded(response.status_code, response.get_data())

    return {
        "starlette": over(every_adapter.starlette),
        "fastapi": over(every_adapter.fastapi),
        "django-wsgi": wsgi,
        "django-asgi": asgi,
        "litestar": over(every_adapter.litestar),
        "flask": flask_send,
    }


class Page:
    """A page showing ``uploader`` through one adapter, for one user (None: anonymous)."""

    def __init__(self, send: Send, user: str | None = None) -> None:
        self.send = send
        self.user = {"X-User": user} if user else {}
        status, self.reply = send("POST", "/cf/event", b'{"component": "uploader"}', self.event)
        assert status == 200, self.reply
        self.tokens = {e["name"]: e["token"] for e in self.reply["effects"]}

    @property
    def event(self) -> dict[str, str]:
        return {**EVENT, **self.user}

    def headers(self, token: str | None, **more: str) -> dict[str, str]:
        found = {"X-CF-Request": "1", **self.user, **more}
        if token is not None:
            found["X-CF-Upload-Token"] = token
        return found

    def begin(
        self, filename: str = "me.png", size: int = len(PNG), name: str = "avatar", **more: Any
    ) -> tuple[int, Any]:
        body = json.dumps({"filename": filename, "size": size, **more}).encode()
        return self.send("POST", "/cf/upload", body, self.headers(self.tokens[name]))

    def put(
        self, upload_id: str, offset: int, data: bytes, name: str = "avatar", token: Any = None
    ) -> tuple[int, Any]:
        headers = self.headers(
            token or self.tokens[name], **{"Content-Type": "application/octet-stream"}
        )
        return self.send("PUT", f"/cf/upload/{upload_id}?offset={offset}", data, headers)

    def send_all(self, data: bytes, name: str = "avatar", filename: str = "me.png") -> str:
        status, body = self.begin(filename, len(data), name)
        assert status == 201, body
        for offset in range(0, len(data), CHUNK):
            status, body = self.put(body["upload_id"], offset, data[offset : offset + CHUNK], name)
            assert status == 200, body
        assert body["complete"], body
        return str(body["upload_id"])

    def save(self, ids: list[str]) -> tuple[int, Any]:
        message = {
            "type": "component_event",
            "component": "uploader",
            "component_id": self.reply["component_id"],
            "event": "save",
            "payload": {"avatar": ids},
            "state": self.reply["state"],
            "checksum": self.reply["checksum"],
        }
        return self.send("POST", "/cf/event", json.dumps(message).encode(), self.event)


ADAPTERS = ["starlette", "fastapi", "django-wsgi", "django-asgi", "litestar", "flask"]


@pytest.fixture(params=ADAPTERS)
def page(request: pytest.FixtureRequest, adapters: dict[str, Send]) -> Page:
    return Page(adapters[request.param])


def test_a_file_sent_in_chunks_reaches_the_handler_then_is_removed(
    page: Page, upload_dir: Path
) -> None:
    upload_id = page.send_all(PNG)
    status, body = page.send(
        "GET", f"/cf/upload/{upload_id}", b"", page.headers(page.tokens["avatar"])
    )
    assert (status, body["offset"], body["complete"]) == (200, len(PNG), True)
    status, reply = page.save([upload_id])
    assert status == 200, reply
    assert reply["html"] == f"<p>me.png:{len(PNG)}:image/png</p>"
    assert not list(upload_dir.glob(f"{upload_id}*"))
    # Consumed: it cannot be handed over twice.
    status, reply = page.save([upload_id])
    assert (status, reply["code"]) == (400, "invalid_payload")


def test_an_interrupted_upload_resumes_where_the_server_stands(page: Page) -> None:
    status, body = page.begin()
    upload_id = body["upload_id"]
    page.put(upload_id, 0, PNG[:CHUNK])
    status, body = page.send(
        "GET", f"/cf/upload/{upload_id}", b"", page.headers(page.tokens["avatar"])
    )
    assert (status, body["offset"]) == (200, CHUNK)
    for offset in range(body["offset"], len(PNG), CHUNK):
        status, body = page.put(upload_id, offset, PNG[offset : offset + CHUNK])
    assert body["complete"] and body["content_type"] == "image/png"


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bomb.txt", b"0" * 1_000_000)  # a thousand to one
    return buffer.getvalue()


def _case_out_of_order(page: Page) -> tuple[int, Any]:
    _, body = page.begin()
    return page.put(body["upload_id"], CHUNK, PNG[CHUNK : 2 * CHUNK])


def _case_overlapping(page: Page) -> tuple[int, Any]:
    _, body = page.begin()
    page.put(body["upload_id"], 0, PNG[:CHUNK])
    return page.put(body["upload_id"], 512, PNG[512 : 512 + CHUNK])


def _case_chunk_too_large(page: Page) -> tuple[int, Any]:
    _, body = page.begin()
    return page.put(body["upload_id"], 0, PNG[: CHUNK + 1])


def _case_beyond_declared_size(page: Page) -> tuple[int, Any]:
    _, body = page.begin(size=100)
    return page.put(body["upload_id"], 0, PNG[:101])


def _case_after_completion(page: Page) -> tuple[int, Any]:
    upload_id = page.send_all(PNG)
    return page.put(upload_id, len(PNG), b"more")


def _forged(token: str) -> str:
    # Another last digit of the signature: always a different token (a fixed suffix is the
    # real one now and then).
    return token[:-1] + ("1" if token.endswith("0") else "0")


def _case_forged_token(page: Page) -> tuple[int, Any]:
    _, body = page.begin()
    forged = _forged(page.tokens["avatar"])
    return page.put(body["upload_id"], 0, PNG[:CHUNK], token=forged)


def _case_no_token(page: Page) -> tuple[int, Any]:
    body = json.dumps({"filename": "me.png", "size": 10}).encode()
    return page.send("POST", "/cf/upload", body, page.headers(None))


def _case_token_of_another_upload(page: Page) -> tuple[int, Any]:
    _, body = page.begin()
    return page.put(body["upload_id"], 0, PNG[:CHUNK], token=page.tokens["files"])


def _case_file_too_large(page: Page) -> tuple[int, Any]:
    return page.begin(size=3001)


def _case_path_in_name(page: Page) -> tuple[int, Any]:
    return page.begin(filename="../../etc/passwd")


def _case_nul_in_name(page: Page) -> tuple[int, Any]:
    return page.begin(filename="me\x00.png")


def _case_long_name(page: Page) -> tuple[int, Any]:
    return page.begin(filename="é" * 200 + ".png")


def _case_non_utf8_name(page: Page) -> tuple[int, Any]:
    body = b'{"filename": "me\xff.png", "size": 10}'
    return page.send("POST", "/cf/upload", body, page.headers(page.tokens["avatar"]))


def _case_lone_surrogate_name(page: Page) -> tuple[int, Any]:
    body = b'{"filename": "me\\udc80.png", "size": 10}'
    return page.send("POST", "/cf/upload", body, page.headers(page.tokens["avatar"]))


def _case_zip_as_png(page: Page) -> tuple[int, Any]:
    data = _zip()
    _, body = page.begin(size=len(data), type="image/png")
    return page.put(body["upload_id"], 0, data[:CHUNK])


def _case_too_many_files(page: Page) -> tuple[int, Any]:
    page.begin()
    return page.begin()


def _case_no_header(page: Page) -> tuple[int, Any]:
    headers = {"X-CF-Upload-Token": page.tokens["avatar"], **page.user}
    return page.send("GET", "/cf/upload/" + "a" * 24, b"", headers)


def _case_unknown_upload(page: Page) -> tuple[int, Any]:
    return page.send("GET", "/cf/upload/" + "a" * 24, b"", page.headers(page.tokens["avatar"]))


def _case_bad_offset(page: Page) -> tuple[int, Any]:
    _, body = page.begin()
    return page.put(body["upload_id"], -1, PNG[:10])  # type: ignore[arg-type]


CASES: dict[str, tuple[Callable[[Page], tuple[int, Any]], int, str]] = {
    "out of order": (_case_out_of_order, 409, "upload_offset_mismatch"),
    "overlapping": (_case_overlapping, 409, "upload_offset_mismatch"),
    "chunk too large": (_case_chunk_too_large, 413, "upload_too_large"),
    "beyond the declared size": (_case_beyond_declared_size, 413, "upload_too_large"),
    "after completion": (_case_after_completion, 409, "upload_complete"),
    "forged token": (_case_forged_token, 403, "upload_token_invalid"),
    "no token": (_case_no_token, 403, "upload_token_invalid"),
    "another upload's token": (_case_token_of_another_upload, 403, "upload_forbidden"),
    "file too large": (_case_file_too_large, 413, "upload_too_large"),
    "../ in the name": (_case_path_in_name, 400, "upload_bad_filename"),
    "NUL in the name": (_case_nul_in_name, 400, "upload_bad_filename"),
    "very long name": (_case_long_name, 400, "upload_bad_filename"),
    "non-UTF-8 name": (_case_non_utf8_name, 400, "upload_bad_request"),
    "lone surrogate in the name": (_case_lone_surrogate_name, 400, "upload_bad_filename"),
    "zip declared as an image": (_case_zip_as_png, 415, "upload_type_refused"),
    "too many files": (_case_too_many_files, 429, "upload_too_many"),
    "no X-CF-Request": (_case_no_header, 400, "missing_header"),
    "unknown upload": (_case_unknown_upload, 404, "upload_not_found"),
    "bad offset": (_case_bad_offset, 400, "upload_bad_request"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_every_adapter_refuses_bad_input_alike(case: str, page: Page) -> None:
    run, status, code = CASES[case]
    got_status, body = run(page)
    assert (got_status, body.get("code")) == (status, code), body
    assert body["error"] and "Traceback" not in body["error"]


def test_another_users_upload_is_refused(adapters: dict[str, Send]) -> None:
    for name, send in adapters.items():
        visitor, alice = Page(send), Page(send, user="alice-uploads")
        _, body = visitor.begin()
        # Alice with the visitor's token (stolen), then with her own for the same upload.
        stolen = alice.put(body["upload_id"], 0, PNG[:CHUNK], token=visitor.tokens["avatar"])
        assert (stolen[0], stolen[1]["code"]) == (403, "upload_token_invalid"), name
        own = alice.put(body["upload_id"], 0, PNG[:CHUNK])
        assert (own[0], own[1]["code"]) == (403, "upload_forbidden"), name
        # Nor can alice's event take the visitor's finished upload.
        upload_id = Page(send).send_all(PNG)
        status, reply = alice.save([upload_id])
        assert (status, reply["code"]) == (400, "invalid_payload"), name


def test_a_refused_type_is_removed_and_a_cancelled_upload_is_gone(
    page: Page, upload_dir: Path
) -> None:
    data = _zip()
    _, body = page.begin(size=len(data))
    page.put(body["upload_id"], 0, data[:CHUNK])
    assert not list(upload_dir.glob(f"{body['upload_id']}*"))
    _, body = page.begin()
    headers = page.headers(page.tokens["avatar"])
    status, cancelled = page.send("DELETE", f"/cf/upload/{body['upload_id']}", b"", headers)
    assert (status, cancelled["cancelled"]) == (200, True)
    assert not list(upload_dir.glob(f"{body['upload_id']}*"))


def test_a_reloaded_page_takes_over_its_upload_and_finishes_it(page: Page) -> None:
    _, begun = page.begin()
    page.put(begun["upload_id"], 0, PNG[:CHUNK])
    reloaded = Page(page.send)  # a new render: another component id, another token
    upload_id, path = begun["upload_id"], f"/cf/upload/{begun['upload_id']}"
    headers = reloaded.headers(reloaded.tokens["avatar"])
    status, body = reloaded.send("GET", path, b"", headers)
    assert (status, body["code"]) == (403, "upload_forbidden")
    # Another upload's token, or a forged one, adopts nothing.
    for token in (page.tokens["files"], _forged(page.tokens["avatar"])):
        adopt = json.dumps({"adopt": token}).encode()
        status, body = reloaded.send("POST", path, adopt, headers)
        assert status == 403, body
    adopt = json.dumps({"adopt": page.tokens["avatar"]}).encode()
    status, body = reloaded.send("POST", path, adopt, headers)
    assert (status, body["offset"], body["chunk_size"]) == (200, CHUNK, CHUNK), body
    for offset in range(CHUNK, len(PNG), CHUNK):
        reloaded.put(upload_id, offset, PNG[offset : offset + CHUNK])
    status, reply = reloaded.save([upload_id])
    assert reply["html"] == f"<p>me.png:{len(PNG)}:image/png</p>", reply
    # The first page no longer owns it.
    assert page.save([upload_id])[1]["code"] == "invalid_payload"


def test_a_confirmation_is_only_for_uploads_sent_straight_to_storage(page: Page) -> None:
    _, begun = page.begin()
    headers = page.headers(page.tokens["avatar"])
    status, body = page.send("POST", f"/cf/upload/{begun['upload_id']}", b"{}", headers)
    assert (status, body["code"]) == (400, "upload_bad_request"), body
