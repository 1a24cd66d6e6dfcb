"""Uploads in core: declarations, the local store (bounded, swept), tokens, sniffing, and
finished uploads handed to a handler through the one message path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from component_framework.core import Component, ComponentRegistry
from component_framework.core._sniff import accepts, sniff
from component_framework.core.exceptions import UploadError
from component_framework.core.protocol import handle_message, signed_message
from component_framework.core.signing import Signer
from component_framework.core.upload_store import UploadInfo, new_upload_id
from component_framework.core.uploads import (
    LocalUploadStore,
    Upload,
    UploadedFile,
    check_filename,
    issue_token,
    read_token,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def info(
    store: LocalUploadStore, *, size: int = 10, user: str = "user:1", **more: Any
) -> UploadInfo:
    now = store._clock()
    fields: dict[str, Any] = {
        "component": "profile",
        "component_id": "p-1",
        "name": "avatar",
        "user": user,
        "filename": "a.png",
        "size": size,
        "accept": [],
        "chunk_size": 1024,
        "created": now,
        "touched": now,
        **more,
    }
    return UploadInfo(new_upload_id(), **fields)


def write(store: LocalUploadStore, upload: UploadInfo, data: bytes, offset: int = 0) -> None:
    with store.receive(upload, offset) as send:
        send(data)
    store.save_info(upload)


# ---------- Declaring ----------


def test_a_type_the_server_cannot_recognise_is_refused_where_declared() -> None:
    with pytest.raises(ValueError, match=r"'image/svg\+xml' cannot be recognised.*image/png"):
        Upload(accept=["image/svg+xml"])
    assert Upload(accept=["image/*", "text/csv"]).accept == ("image/*", "text/csv")


@pytest.mark.parametrize("name", ["max_size", "max_files", "chunk_size"])
def test_limits_must_be_positive_integers(name: str) -> None:
    with pytest.raises(ValueError, match=f"Upload {name} must be a positive integer, got 0"):
        Upload(**{name: 0})


# ---------- Sniffing: the bytes decide, never the name or the client ----------


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (PNG, "image/png"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 20, "image/jpeg"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"PK\x03\x04" + b"\x00" * 20, "application/zip"),
        (b"%PDF-1.7\n", "application/pdf"),
        (b"name,price\nTea,3\n", "text/plain"),
        (b"\x00\x01\x02garbage", "application/octet-stream"),
    ],
)
def test_sniff_reads_the_type_from_the_bytes(head: bytes, kind: str) -> None:
    assert sniff(head) == kind


def test_text_is_accepted_as_the_declared_text_type() -> None:
    assert accepts(["text/csv"], "text/plain", "prices.csv") == "text/csv"
    assert accepts(["image/*"], "image/png", "x.txt") == "image/png"
    assert accepts(["image/png"], "application/zip", "bomb.png") is None
    # Cut inside a multi-byte character: still text while more is to come.
    assert sniff("é".encode()[:1], complete=False) == "text/plain"
    assert sniff("é".encode()[:1], complete=True) == "application/octet-stream"


# ---------- File names ----------


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("../etc/passwd", "holds a path"),
        ("a\\b.png", "holds a path"),
        ("..", "holds a path"),
        ("a\x00.png", "control character"),
        ("a\udc80.png", "not valid Unicode"),
        ("photo\u202egnp.exe", "text-direction control"),
        ("x" * 256, "longer than 255 bytes"),
        ("  ", "empty"),
        (None, "empty"),
    ],
)
def test_bad_file_names_are_refused_with_the_reason(name: Any, problem: str) -> None:
    with pytest.raises(UploadError, match=problem) as caught:
        check_filename(name)
    assert (caught.value.status, caught.value.code) == (400, "upload_bad_filename")


def test_a_plain_name_is_kept() -> None:
    assert check_filename(" été 2026.png ") == "été 2026.png"


# ---------- Tokens ----------


def test_a_token_binds_everything_and_expires() -> None:
    clock = Clock()
    signer = Signer(["k" * 32], clock=clock)
    upload = Upload(accept=["image/png"])
    token = issue_token(signer, "profile", "p-1", "avatar", upload, "user:7")
    assert read_token(signer, token, 60) == {
        "c": "profile",
        "i": "p-1",
        "n": "avatar",
        "u": "user:7",
        "l": [["image/png"], upload.max_size, 1, upload.chunk_size],
    }
    clock.now += 61
    with pytest.raises(UploadError, match="expired: reload the page") as caught:
        read_token(signer, token, 60)
    assert caught.value.code == "upload_token_expired"
    with pytest.raises(UploadError, match="missing or invalid"):
        read_token(Signer(["o" * 32], clock=clock), token, 600)


# ---------- The local store: bounded, swept, nothing outside its directory ----------


def test_space_and_unfinished_uploads_are_bounded(tmp_path: Path) -> None:
    store = LocalUploadStore(tmp_path, max_bytes=100, max_pending=2, max_user_bytes=100)
    store.begin(info(store, size=60), max_files=5)
    with pytest.raises(UploadError, match="upload space is full") as caught:
        store.begin(info(store, size=41), max_files=5)
    assert caught.value.status == 507
    store.begin(info(store, size=40), max_files=5)
    with pytest.raises(UploadError, match="'avatar' takes at most 2 file"):
        store.begin(info(store, size=0), max_files=2)
    with pytest.raises(UploadError, match="Too many unfinished uploads") as caught:
        store.begin(info(store, size=0, component_id="p-2"), max_files=5)
    assert caught.value.status == 429


def test_a_client_that_opens_many_uploads_and_never_finishes_is_swept(tmp_path: Path) -> None:
    clock = Clock()
    store = LocalUploadStore(tmp_path, max_pending=1001, abandon_after=60, max_age=600, clock=clock)
    for _ in range(1000):
        store.begin(info(store, size=1, component_id=new_upload_id()), max_files=1)
    finished = store.begin(info(store, size=3), max_files=1)
    write(store, finished, b"abc")
    finished.complete = True
    store.save_info(finished)
    (tmp_path / f"{new_upload_id()}.part").write_bytes(b"orphan")
    clock.now += 61
    assert store.sweep() == 1000  # the abandoned; the finished one waits for its handler
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f"{finished.upload_id}.json", f"{finished.upload_id}.part"]
    )
    clock.now += 600
    assert store.sweep() == 1
    assert list(tmp_path.iterdir()) == []


def test_a_failed_chunk_is_undone_and_a_busy_upload_refuses_a_second_writer(
    tmp_path: Path,
) -> None:
    store = LocalUploadStore(tmp_path)
    upload = store.begin(info(store, size=10), max_files=1)
    write(store, upload, b"abcd")
    with pytest.raises(RuntimeError), store.receive(upload, 4) as send:
        send(b"ef")
        raise RuntimeError("the client went away")
    assert (tmp_path / f"{upload.upload_id}.part").read_bytes() == b"abcd"
    with store.receive(upload, 4), pytest.raises(UploadError) as caught, store.receive(upload, 4):
        pass
    assert (caught.value.code, caught.value.offset) == ("upload_busy", 4)


def test_ids_that_are_not_upload_ids_name_no_file(tmp_path: Path) -> None:
    store = LocalUploadStore(tmp_path / "store")
    (tmp_path / "secret.json").write_text("{}")
    assert store.get("../secret") is None
    store.discard("../secret")
    assert (tmp_path / "secret.json").exists()


# ---------- Finished uploads handed to a handler ----------


@pytest.fixture
def profile(fresh_registry: ComponentRegistry, tmp_path: Path) -> tuple[ComponentRegistry, Any]:
    store = LocalUploadStore(tmp_path)
    seen: list[UploadedFile] = []

    @fresh_registry.register("profile")
    class Profile(Component):
        uploads = {"avatar": Upload(accept=["image/png"], store=store)}

        def render(self) -> str:
            return "<p></p>"

        def on_save(self, avatar: UploadedFile | None = None) -> None:
            assert avatar is not None
            seen.append(avatar)
            if avatar.read() != PNG:
                raise RuntimeError("broken")

    return fresh_registry, (store, seen)


def _finished(store: LocalUploadStore, data: bytes, **more: Any) -> UploadInfo:
    upload = store.begin(info(store, size=len(data), user="address:unknown", **more), 1)
    write(store, upload, data)
    upload.complete, upload.content_type = True, "image/png"
    store.save_info(upload)
    return upload


async def test_a_handler_receives_the_file_then_it_is_removed(
    profile: tuple[ComponentRegistry, Any], signer: Signer
) -> None:
    registry, (store, seen) = profile
    upload = _finished(store, PNG)
    message = signed_message(
        "profile", "save", {"avatar": upload.upload_id}, {}, component_id="p-1"
    )
    reply = await handle_message(message, registry=registry, signer=signer)
    assert reply["type"] == "component_update", reply
    assert [(f.name, f.size, f.content_type) for f in seen] == [("a.png", len(PNG), "image/png")]
    assert store.get(upload.upload_id) is None and not seen[0].path.exists()
    assert [e["type"] for e in reply["effects"]] == ["upload"]


async def test_an_optional_list_of_files_takes_the_upload(
    fresh_registry: ComponentRegistry, tmp_path: Path, signer: Signer
) -> None:
    store = LocalUploadStore(tmp_path)
    seen: list[str] = []

    @fresh_registry.register("gallery")
    class Gallery(Component):
        uploads = {"photos": Upload(max_files=3, store=store)}

        def render(self) -> str:
            return "<p></p>"

        def on_save(self, photos: list[UploadedFile] | None = None) -> None:
            seen.extend(file.name for file in photos or [])

    upload = _finished(store, PNG, component="gallery", component_id="g-1", name="photos")
    message = signed_message(
        "gallery", "save", {"photos": [upload.upload_id]}, {}, component_id="g-1"
    )
    reply = await handle_message(message, registry=fresh_registry, signer=signer)
    assert reply["type"] == "component_update", reply
    assert seen == ["a.png"]
    assert reply["effects"][0]["events"] == ["save"]


async def test_a_handler_that_fails_leaves_the_file_for_another_try(
    profile: tuple[ComponentRegistry, Any], signer: Signer
) -> None:
    registry, (store, _) = profile
    upload = _finished(store, PNG[:-1] + b"!")
    message = signed_message(
        "profile", "save", {"avatar": upload.upload_id}, {}, component_id="p-1"
    )
    reply = await handle_message(message, registry=registry, signer=signer)
    assert reply["code"] == "handler_error"
    assert store.get(upload.upload_id) is not None


@pytest.mark.parametrize(
    ("where", "complete"), [("p-2", True), ("p-1", False)], ids=["another page", "unfinished"]
)
async def test_only_a_finished_upload_of_this_page_is_handed_over(
    profile: tuple[ComponentRegistry, Any], signer: Signer, where: str, complete: bool
) -> None:
    registry, (store, seen) = profile
    upload = _finished(store, PNG)
    upload.complete = complete
    store.save_info(upload)
    message = signed_message(
        "profile", "save", {"avatar": upload.upload_id}, {}, component_id=where
    )
    reply = await handle_message(message, registry=registry, signer=signer)
    assert reply["code"] == "invalid_payload"
    assert "is not a finished upload of this page" in reply["error"]
    assert seen == []


async def test_an_argument_taking_files_must_name_a_declared_upload(
    fresh_registry: ComponentRegistry, signer: Signer, caplog: pytest.LogCaptureFixture
) -> None:
    @fresh_registry.register("bad")
    class Bad(Component):
        uploads = {"avatar": Upload()}

        def render(self) -> str:
            return ""

        def on_save(self, photo: list[UploadedFile]) -> None:
            pass

    message = signed_message("bad", "save", {"photo": []}, {}, component_id="b-1")
    reply = await handle_message(message, registry=fresh_registry, signer=signer)
    assert reply["code"] == "server_misconfigured"
    assert "add uploads = {'photo': Upload(...)}" in reply["error"]


async def test_a_streaming_handler_receives_files_too(
    fresh_registry: ComponentRegistry, signer: Signer, tmp_path: Path
) -> None:
    from component_framework.core import StreamingComponent
    from component_framework.core.protocol import stream_message

    store = LocalUploadStore(tmp_path)

    @fresh_registry.register("importer")
    class Importer(StreamingComponent):
        uploads = {"avatar": Upload(store=store)}

        def render(self) -> str:
            return f"<p>{self.state.get('rows')}</p>"

        async def on_run(self, avatar: list[UploadedFile]) -> Any:
            for file in avatar:
                self.state["rows"] = file.size
                yield

    upload = store.begin(info(store, size=3, user="address:unknown", component="importer"), 1)
    write(store, upload, b"abc")
    upload.complete = True
    store.save_info(upload)
    message = signed_message(
        "importer", "run", {"avatar": [upload.upload_id]}, {}, component_id="p-1"
    )
    frames = [f async for f in stream_message(message, registry=fresh_registry, signer=signer)]
    assert [f["html"] for f in frames] == ["<p>3</p>", "<p>3</p>"]
    assert all(f["effects"][-1]["type"] == "upload" for f in frames)
    assert store.get(upload.upload_id) is None
