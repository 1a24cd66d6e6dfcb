"""Uploads in Chromium: cf-uploads.js against the real endpoint under uvicorn.

A picked file goes in chunks with progress and a preview, and reaches the handler with the
next event that takes it; a file of the wrong type, too big or one too many is refused before
any byte is sent; one the browser cannot judge is refused by the server; a drop zone takes
dropped files; cancel stops them; a page reloaded halfway through an upload resumes it. The
app is tests/browser/uploads_app.py.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Request, Route, expect

from tests._moto import s3_client

from .conftest import TIMEOUT_MS, serve_app

pytestmark = pytest.mark.browser

CHUNK = 64 * 1024
MIB = 1024 * 1024


@pytest.fixture(scope="module")
def uploads_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("uploads")


@pytest.fixture(scope="module")
def app_url(uploads_dir: Path, s3_url: str) -> Iterator[str]:
    s3_client(s3_url, "browser-uploads", cors=True)
    env = {
        "CF_TEST_UPLOADS": str(uploads_dir),
        "CF_TEST_S3": s3_url,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    with serve_app("uploads_app:app", "--app-dir", "tests/browser", env=env) as url:
        yield url


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """Files on disk (a picked file keeps its modification time: what resume relies on)."""
    png = b"\x89PNG\r\n\x1a\n" + os.urandom(400_000)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as made:
        made.writestr("a.txt", "x" * 1000)
    made_files = {
        "avatar.png": png,
        "big.png": b"\x89PNG\r\n\x1a\n" + bytes(700_000),
        "notes.txt": b"plain text",
        "zip.png": archive.getvalue(),
        "a.bin": os.urandom(1_500_000),
        "b.bin": os.urandom(3000),
    }
    for name, data in made_files.items():
        (tmp_path / name).write_bytes(data)
    return {name: tmp_path / name for name in made_files}


@pytest.fixture
def open_page(browser: Browser, app_url: str) -> Iterator[Any]:
    contexts = []
    errors: list[str] = []

    def open_() -> tuple[Page, list[Request]]:
        context = browser.new_context(base_url=app_url)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        sent: list[Request] = []
        page.on("request", lambda r: sent.append(r) if "/cf/upload" in r.url else None)
        page.goto("/")
        # cf-uploads.js has the upload's limits: the picker shows only what it takes.
        expect(page.get_by_label("Avatar")).to_have_attribute("accept", "image/png")
        return page, sent

    yield open_
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def saved(page: Page) -> Any:
    return page.get_by_test_id("saved")


def test_a_picked_file_shows_progress_and_a_preview_and_reaches_the_handler(
    open_page: Any, files: dict[str, Path], uploads_dir: Path
) -> None:
    page, sent = open_page()
    page.evaluate(
        """() => { window.seen = [];
        for (const step of ["start", "progress", "done"])
          document.addEventListener("cf:upload-" + step, (e) => window.seen.push(step)); }"""
    )
    page.get_by_label("Avatar").set_input_files(files["avatar.png"])
    expect(page.get_by_test_id("avatar-progress")).to_have_attribute("value", "100")
    expect(page.get_by_label("Avatar")).to_have_attribute("data-cf-upload-state", "done")
    assert page.get_by_test_id("preview").get_attribute("src").startswith("blob:")
    seen = page.evaluate("window.seen")
    assert seen[0] == "start" and seen[-1] == "done" and seen.count("progress") >= 7
    chunks = [r for r in sent if r.method == "PUT"]
    assert len(chunks) == -(-files["avatar.png"].stat().st_size // CHUNK)
    page.get_by_role("button", name="Save").click()
    size = files["avatar.png"].stat().st_size
    expect(saved(page)).to_have_text(f"avatar.png {size} image/png {digest(files['avatar.png'])}")
    assert list((uploads_dir / "store").glob("*.part")) == []


@pytest.mark.parametrize(
    ("name", "field", "error"),
    [
        ("big.png", "Avatar", "big.png is 700,008 bytes; avatar takes at most 600,000."),
        ("notes.txt", "Avatar", "notes.txt is text/plain; avatar takes image/png."),
    ],
)
def test_the_browser_refuses_what_it_can_tell_before_sending_a_byte(
    open_page: Any, files: dict[str, Path], name: str, field: str, error: str
) -> None:
    page, sent = open_page()
    page.get_by_label(field).set_input_files(files[name])
    expect(page.get_by_test_id("avatar-error")).to_have_text(error)
    expect(page.get_by_label(field)).to_have_attribute("data-cf-upload-state", "error")
    assert sent == []


def test_one_file_too_many_is_refused_in_the_browser_and_the_server_reads_the_bytes(
    open_page: Any, files: dict[str, Path]
) -> None:
    page, sent = open_page()
    page.get_by_test_id("attachments").set_input_files(
        [files["a.bin"], files["b.bin"], files["notes.txt"], files["avatar.png"]]
    )
    expect(page.get_by_test_id("attachments-error")).to_have_text(
        "attachments takes at most 3 file(s)."
    )
    assert sent == []
    # A zip named .png: the browser says image/png; the server reads a zip and refuses it.
    page.get_by_label("Avatar").set_input_files(files["zip.png"])
    expect(page.get_by_test_id("avatar-error")).to_contain_text(
        "File 'zip.png' is application/zip (read from its bytes); 'avatar' takes image/png."
    )


def test_dropped_files_upload_and_cancel_stops_them(
    open_page: Any, files: dict[str, Path], uploads_dir: Path
) -> None:
    page, sent = open_page()
    held: list[Route] = []
    # Hold every chunk but the first: the upload stays in flight until it is cancelled.
    page.route("**/cf/upload/*?offset=*", lambda route: held.append(route) if held or
               "offset=0" not in route.request.url else route.continue_())  # fmt: skip
    data = list(files["a.bin"].read_bytes()[:200_000])
    page.evaluate(
        """(data) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([new Uint8Array(data)], "dropped.bin"));
        const zone = document.querySelector("[data-testid=drop]");
        zone.dispatchEvent(new DragEvent("dragover", {dataTransfer: transfer, cancelable: true}));
        zone.dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, cancelable: true}));
        }""",
        data,
    )
    expect(page.get_by_test_id("drop")).to_have_attribute("data-cf-upload-state", "uploading")
    for _ in range(TIMEOUT_MS // 50):  # until the second chunk is held
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "no chunk after the first was sent"
    # The files are gone once the server has answered the cancel (the page need not wait).
    with page.expect_response(lambda response: response.request.method == "DELETE") as answer:
        page.get_by_role("button", name="Cancel attachments").click()
    expect(page.get_by_test_id("drop")).not_to_have_attribute("data-cf-upload-state", "uploading")
    deleted = [r for r in sent if r.method == "DELETE"]
    assert len(deleted) == 1
    assert answer.value.ok, answer.value.status
    assert list((uploads_dir / "store").glob("*.part")) == []


def test_an_upload_can_send_its_event_once_its_files_are_sent(
    open_page: Any, files: dict[str, Path]
) -> None:
    page, _ = open_page()
    page.get_by_label("Photo").set_input_files(files["avatar.png"])
    size = files["avatar.png"].stat().st_size
    expect(page.get_by_test_id("photo")).to_have_text(f"avatar.png {size} image/png")


def test_a_file_goes_straight_to_object_storage_in_parts(
    open_page: Any, files: dict[str, Path], tmp_path: Path
) -> None:
    page, sent = open_page()
    big = tmp_path / "scan.png"
    big.write_bytes(files["avatar.png"].read_bytes() + os.urandom(11 * 1024 * 1024))
    storage: list[str] = []
    page.on("request", lambda r: storage.append(r.method) if "partNumber=" in r.url else None)
    page.get_by_label("Scan").set_input_files(big)
    size = big.stat().st_size
    expect(page.get_by_test_id("photo")).to_have_text(
        f"scan.png {size} image/png {digest(big)} stored", timeout=3 * TIMEOUT_MS
    )
    assert storage == ["PUT", "PUT", "PUT"]  # three parts of 5 MiB at most, to storage
    assert [r.method for r in sent] == ["POST", "POST"]  # the app: begin, confirm


def test_chunks_start_at_one_mib_and_grow_to_the_declared_size_on_a_fast_link(
    open_page: Any, tmp_path: Path
) -> None:
    page, sent = open_page()
    archive = tmp_path / "archive.bin"
    archive.write_bytes(os.urandom(5 * MIB))
    page.get_by_label("Archive").set_input_files(archive)
    expect(page.get_by_test_id("photo")).to_have_text(
        f"archive.bin {5 * MIB} application/octet-stream {digest(archive)} stored"
    )
    offsets = [int(r.url.rsplit("=", 1)[1]) for r in sent if r.method == "PUT"]
    assert offsets == [0, MIB, 3 * MIB]  # 1 MiB, then 2, then the 2 left (of 8 at most)


def test_a_page_reloaded_halfway_resumes_the_upload(open_page: Any, files: dict[str, Path]) -> None:
    page, sent = open_page()
    # The connection drops after three chunks.
    page.route(
        "**/cf/upload/*?offset=*",
        lambda route: (
            route.continue_()
            if int(route.request.url.rsplit("=", 1)[1]) < 3 * CHUNK
            else route.abort()
        ),
    )
    page.get_by_label("Avatar").set_input_files(files["avatar.png"])
    expect(page.get_by_test_id("avatar-progress")).to_have_attribute(
        "value", str(round(3 * CHUNK * 100 / files["avatar.png"].stat().st_size))
    )
    page.reload()  # before the route goes: cf.js retrying meanwhile must not send more
    page.unroute("**/cf/upload/*?offset=*")
    sent.clear()
    page.get_by_label("Avatar").set_input_files(files["avatar.png"])
    expect(page.get_by_label("Avatar")).to_have_attribute("data-cf-upload-state", "done")
    first = next(r for r in sent if r.method == "PUT")
    assert first.url.endswith(f"offset={3 * CHUNK}")
    assert sent[0].method == "POST" and '"adopt"' in (sent[0].post_data or "")
    page.get_by_role("button", name="Save").click()
    size = files["avatar.png"].stat().st_size
    expect(saved(page)).to_have_text(f"avatar.png {size} image/png {digest(files['avatar.png'])}")


def test_a_page_reloaded_halfway_through_a_direct_upload_sends_only_the_missing_parts(
    open_page: Any, files: dict[str, Path], tmp_path: Path
) -> None:
    page, sent = open_page()
    scan = tmp_path / "scan.png"
    scan.write_bytes(files["avatar.png"].read_bytes() + os.urandom(11 * MIB))
    # The connection drops at the third part (to storage): the first two are there.
    page.route("**/*partNumber=3*", lambda route: route.abort())
    with page.expect_event("requestfailed", lambda r: "partNumber=3" in r.url):
        page.get_by_label("Scan").set_input_files(scan)
    page.reload()  # before the route goes: cf.js retrying meanwhile must not send the part
    page.unroute("**/*partNumber=3*")
    sent.clear()
    storage: list[str] = []
    page.on("request", lambda r: storage.append(r.url) if "partNumber=" in r.url else None)
    page.get_by_label("Scan").set_input_files(scan)
    expect(page.get_by_test_id("photo")).to_have_text(
        f"scan.png {scan.stat().st_size} image/png {digest(scan)} stored", timeout=3 * TIMEOUT_MS
    )
    assert len(storage) == 1 and "partNumber=3" in storage[0]  # only the missing part
    assert sent[0].method == "POST" and '"adopt"' in (sent[0].post_data or "")


def test_an_upload_goes_on_after_the_connection_drops_for_a_while(
    open_page: Any, files: dict[str, Path]
) -> None:
    page, _ = open_page()
    held: list[Route] = []
    # Hold the second chunk: the connection drops while it is in flight.
    page.route("**/cf/upload/*?offset=*", lambda route: held.append(route) if not held and
               "offset=0" not in route.request.url else route.continue_())  # fmt: skip
    page.get_by_test_id("attachments").set_input_files(files["a.bin"])
    for _ in range(TIMEOUT_MS // 50):
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the second chunk was not sent"
    page.context.set_offline(True)
    held[0].abort("internetdisconnected")
    # Offline longer than the first tries wait: asking where the upload stands fails too.
    page.wait_for_timeout(1500)
    page.context.set_offline(False)
    expect(page.get_by_test_id("attachments")).to_have_attribute("data-cf-upload-state", "done")
    page.get_by_role("button", name="Save").click()
    size = files["a.bin"].stat().st_size
    expect(saved(page)).to_have_text(
        f"a.bin {size} application/octet-stream {digest(files['a.bin'])}"
    )


def test_a_lost_connection_is_said_in_words(open_page: Any, files: dict[str, Path]) -> None:
    page, _ = open_page()
    page.context.set_offline(True)
    page.get_by_test_id("attachments").set_input_files(files["b.bin"])
    expect(page.get_by_test_id("attachments-error")).to_have_text(
        "The connection was lost while uploading b.bin; pick the file again to resume."
    )
    page.context.set_offline(False)


def test_the_same_file_can_be_picked_again_after_a_cancel(
    open_page: Any, files: dict[str, Path]
) -> None:
    page, _ = open_page()
    picker = page.get_by_test_id("attachments")
    picker.set_input_files(files["b.bin"])
    expect(picker).to_have_attribute("data-cf-upload-state", "done")
    # Chromium reports no change when the file picked is the one the input holds: it is
    # cleared once taken.
    expect(picker).to_have_value("")
    page.get_by_role("button", name="Cancel attachments").click()
    expect(picker).not_to_have_attribute("data-cf-upload-state", "done")
    picker.set_input_files(files["b.bin"])
    expect(picker).to_have_attribute("data-cf-upload-state", "done")
    page.get_by_role("button", name="Save").click()
    expect(saved(page)).to_have_text(
        f"b.bin 3000 application/octet-stream {digest(files['b.bin'])}"
    )


def test_a_refused_file_is_not_previewed(open_page: Any, files: dict[str, Path]) -> None:
    page, _ = open_page()
    preview = page.get_by_test_id("preview")
    page.get_by_label("Avatar").set_input_files(files["avatar.png"])
    expect(preview).to_have_attribute("src", re.compile("^blob:"))
    page.get_by_label("Avatar").set_input_files(files["big.png"])  # refused by the browser
    expect(page.get_by_test_id("avatar-error")).to_contain_text("big.png is 700,008 bytes")
    expect(preview).not_to_have_attribute("src", re.compile("."))
    page.get_by_label("Avatar").set_input_files(files["zip.png"])  # refused by the server
    expect(page.get_by_test_id("avatar-error")).to_contain_text("application/zip")
    expect(preview).not_to_have_attribute("src", re.compile("."))


# Holds one upload request of the page (the next with the method given to window.holdNext):
# "request" keeps it from being sent, "reply" sends it but keeps its reply from the page (an
# abort then fails it as the browser would, though the server has answered). window.release()
# lets it go once every begin sent meanwhile has its reply: what the page sent first reaches
# the server first, whatever the machine's load.
HOLD = """() => {
  const real = window.fetch, held = [], begins = [];
  let hold = null;
  window.holdNext = (method, step) => { hold = { method, step }; };
  window.heldCount = () => held.length;
  window.release = () =>
    Promise.allSettled(begins).then(() => held.splice(0).forEach((go) => go()));
  window.fetch = (url, init = {}) => {
    const method = init.method || "GET";
    if (!hold || hold.method !== method || !String(url).includes("/cf/upload")) {
      const reply = real(url, init);
      if (method === "POST" && String(url).endsWith("/cf/upload")) begins.push(reply);
      return reply;
    }
    const { step } = hold;
    hold = null;
    const { signal, ...unabortable } = init;
    return new Promise((resolve, reject) => {
      const aborted = () => reject(new DOMException("", "AbortError"));
      if (signal) signal.addEventListener("abort", aborted);
      if (step === "request") held.push(() => real(url, unabortable).then(resolve, reject));
      else real(url, unabortable).then((reply) => held.push(() => resolve(reply)), reject);
    });
  };
}"""


def pick_avatar_release_and_save(page: Page, files: dict[str, Path]) -> None:
    """Pick avatar.png while a request is held, release it: the upload ends and is saved."""
    page.get_by_label("Avatar").set_input_files(files["avatar.png"])
    page.evaluate("window.release()")
    expect(page.get_by_label("Avatar")).to_have_attribute("data-cf-upload-state", "done")
    page.get_by_role("button", name="Save").click()
    size = files["avatar.png"].stat().st_size
    expect(saved(page)).to_have_text(f"avatar.png {size} image/png {digest(files['avatar.png'])}")


def test_a_file_replaced_while_its_upload_begins_is_removed_before_the_next_begins(
    open_page: Any, files: dict[str, Path]
) -> None:
    page, _ = open_page()
    page.evaluate(HOLD)
    page.evaluate("window.holdNext('POST', 'reply')")
    page.get_by_label("Avatar").set_input_files(files["avatar.png"])
    page.wait_for_function("window.heldCount() === 1")  # the server counts it; the page not yet
    page.get_by_label("Avatar").set_input_files(files["big.png"])  # replaces it, then refused
    expect(page.get_by_test_id("avatar-error")).to_contain_text("big.png is 700,008 bytes")
    pick_avatar_release_and_save(page, files)


def test_a_pick_after_a_refusal_waits_for_the_replaced_file_to_be_removed(
    open_page: Any, files: dict[str, Path]
) -> None:
    page, _ = open_page()
    page.evaluate(HOLD)
    page.get_by_label("Avatar").set_input_files(files["avatar.png"])
    expect(page.get_by_label("Avatar")).to_have_attribute("data-cf-upload-state", "done")
    page.evaluate("window.holdNext('DELETE', 'request')")
    page.get_by_label("Avatar").set_input_files(files["big.png"])  # replaces it, then refused
    expect(page.get_by_test_id("avatar-error")).to_contain_text("big.png is 700,008 bytes")
    page.wait_for_function("window.heldCount() === 1")
    pick_avatar_release_and_save(page, files)


def test_files_picked_after_a_cancel_wait_for_the_cancelled_ones_to_be_removed(
    open_page: Any, files: dict[str, Path]
) -> None:
    page, _ = open_page()
    page.evaluate(HOLD)
    picker = page.get_by_test_id("attachments")
    three = [files["b.bin"], files["notes.txt"], files["avatar.png"]]
    picker.set_input_files(three)
    expect(picker).to_have_attribute("data-cf-upload-state", "done")
    page.evaluate("window.holdNext('DELETE', 'request')")
    page.get_by_role("button", name="Cancel attachments").click()
    page.wait_for_function("window.heldCount() === 1")
    picker.set_input_files(three)
    page.evaluate("window.release()")
    expect(picker).to_have_attribute("data-cf-upload-state", "done")
    page.get_by_role("button", name="Save").click()
    expect(saved(page).locator("li")).to_have_count(3)


def test_a_failed_file_replaced_by_another_is_removed_from_the_server(
    open_page: Any, files: dict[str, Path], tmp_path: Path
) -> None:
    page, _ = open_page()
    failing = {"first": True}

    def fail_first_chunk(route: Route) -> None:
        if failing.pop("first", False):
            route.fulfill(status=500, json={"type": "error", "code": "internal", "error": "x"})
        else:
            route.continue_()

    page.route("**/cf/upload/*?offset=*", fail_first_chunk)
    page.get_by_label("Avatar").set_input_files(files["avatar.png"])
    expect(page.get_by_test_id("avatar-error")).to_have_text("x")
    # The server had begun avatar.png: the one-file upload must not count it against the next.
    other = tmp_path / "other.png"
    other.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(2000))
    page.get_by_label("Avatar").set_input_files(other)
    expect(page.get_by_label("Avatar")).to_have_attribute("data-cf-upload-state", "done")
    expect(page.get_by_test_id("avatar-error")).to_have_text("")
