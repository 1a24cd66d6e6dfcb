"""examples/chat in Chromium, as its README runs it: two processes (two uvicorn servers) that
share one SQLite file and one real redis-server. Three people in a room see each message once,
in order, whichever process they are on; scrolling up loads older history; the statistics panel
is counted after the page loaded; people see who else is in the room and who is typing, and a
link gets its preview (the page's title, fetched from one of the two servers) on every page.
"""

from __future__ import annotations

import re
import sqlite3
import struct
import time
import zlib
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests._redis import RedisServer

from .conftest import ROOT, TIMEOUT_MS, serve_app

pytestmark = pytest.mark.browser

CHAT = ROOT / "examples" / "chat"


class Chat:
    """The two running processes of the chat, and the database they share."""

    def __init__(self, urls: list[str], database: Path) -> None:
        self.urls = urls
        self.database = database

    def add(self, room: str, author: str, texts: list[str]) -> None:
        with sqlite3.connect(self.database) as db:
            db.executemany(
                "INSERT INTO messages (room, author, text, sent_at) VALUES (?, ?, ?, ?)",
                [(room, author, text, time.time()) for text in texts],
            )


@pytest.fixture(scope="module")
def chat(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chat]:
    folder = tmp_path_factory.mktemp("chat")
    redis = RedisServer(folder)
    redis.start()
    env = {
        "DEBUG": "0",
        "CF_BROKER_URL": redis.url,
        "CHAT_DB": str(folder / "chat.db"),
        "CHAT_PREVIEW_NETWORKS": "127.0.0.1/32",  # previews of the chat's own pages
        "PYTHONPATH": f"{CHAT}:{ROOT}",
    }
    with ExitStack() as stack:
        stack.callback(redis.stop)
        urls = [stack.enter_context(serve_app("chat.app:app", env=env)) for _ in range(2)]
        yield Chat(urls, folder / "chat.db")


@pytest.fixture
def people(browser: Browser) -> Iterator[list[Page]]:
    """Three people, each in a browser context of their own (their own session cookie)."""
    contexts = [browser.new_context() for _ in range(3)]
    errors: list[str] = []
    pages = []
    for context in contexts:
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        pages.append(page)
    yield pages
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors on the pages: {errors}"


def sign_in(page: Page, base: str, name: str, room: str = "general") -> None:
    page.goto(f"{base}/rooms/{room}")
    page.wait_for_url(re.compile(r"/sign-in\?next="))
    page.get_by_label("Your name").fill(name)
    page.get_by_role("button", name="Sign in").click()
    in_room(page, room)


def in_room(page: Page, room: str) -> None:
    """Wait until *page* shows *room* and gets its pushes."""
    page.wait_for_url(f"**/rooms/{room}")
    live = f"[data-cf-component='room_{room}'][data-cf-subscribed]"
    page.wait_for_selector(live, state="attached")


def texts(page: Page) -> list[str]:
    return page.locator(".messages .text").all_inner_texts()


def send(page: Page, text: str) -> None:
    page.get_by_label("Message", exact=True).fill(text)
    page.get_by_role("button", name="Send").click()


def test_a_message_reaches_every_page_in_the_room_once_and_in_order(
    chat: Chat, people: list[Page]
) -> None:
    ada, grace, linus = people
    sign_in(ada, chat.urls[0], "ada")
    sign_in(grace, chat.urls[0], "grace")
    sign_in(linus, chat.urls[1], "linus")  # the other process
    expect(linus.locator("header")).to_contain_text("Signed in as linus")
    sent = ["first from ada", "then <b>linus</b>", "ada again"]
    for page, text in zip([ada, linus, ada], sent, strict=True):
        send(page, text)
        for everyone in people:
            expect(everyone.locator(".messages .text").last).to_have_text(text)
    for everyone in people:
        assert texts(everyone)[-3:] == sent  # once each, in order, the markup shown as text
        expect(everyone.locator(".messages b.author").last).to_have_text("ada")
    expect(ada.get_by_label("Message", exact=True)).to_have_value("")  # the form was cleared
    # An empty message is refused, and says why.
    send(grace, "   ")
    expect(grace.get_by_role("alert")).to_have_text(
        "Write a message first: an empty one is not sent."
    )
    expect(grace.get_by_label("Message", exact=True)).to_have_attribute("aria-invalid", "true")
    # Live navigation to another room: its messages, not the first room's.
    linus.evaluate("window.sameDocument = true")
    linus.get_by_role("navigation", name="Rooms").get_by_role("link", name="#random").click()
    in_room(linus, "random")
    assert linus.evaluate("window.sameDocument") is True
    expect(linus.get_by_role("heading", level=1)).to_contain_text("#random")
    send(linus, "only in random")
    expect(linus.locator(".messages .text").last).to_have_text("only in random")
    send(ada, "still in general")
    for page in (ada, grace):
        expect(page.locator(".messages .text").last).to_have_text("still in general")
        assert "only in random" not in texts(page)
    assert "still in general" not in texts(linus)
    assert texts(grace)[-4:] == [*sent, "still in general"]


def png(width: int, height: int) -> bytes:
    """A real PNG image of *width* x *height* teal pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x0f\x76\x6e" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + (chunk(b"IEND", b""))
    )


def test_an_image_sent_with_a_message_shows_on_every_page(chat: Chat, people: list[Page]) -> None:
    ada, grace, _ = people
    sign_in(ada, chat.urls[0], "ada", room="random")
    sign_in(grace, chat.urls[1], "grace", room="random")
    picker = ada.get_by_label("Attach a file")
    picker.set_input_files(
        {"name": "plan <v2>.png", "mimeType": "image/png", "buffer": png(40, 30)}
    )
    expect(picker).to_have_attribute("data-cf-upload-state", "done")
    expect(ada.locator(".send img.preview")).to_have_attribute("src", re.compile("^blob:"))
    send(ada, "the plan")
    for page in (ada, grace):
        image = page.locator(".messages .message").last.get_by_role("img", name="plan <v2>.png")
        expect(image).to_be_visible()
        assert image.evaluate("img => img.complete && img.naturalWidth") == 40
    expect(ada.locator(".send img.preview")).not_to_have_attribute("src", re.compile("."))
    # A file whose bytes are not an image or a PDF is refused before the message is sent.
    picker.set_input_files({"name": "notes.png", "mimeType": "image/png", "buffer": b"PK\x03\x04"})
    expect(ada.locator(".send [cf-upload-error]")).not_to_be_empty()


def test_scrolling_up_loads_older_messages_page_by_page(chat: Chat, people: list[Page]) -> None:
    chat.add("help", "grace", [f"question {n}" for n in range(1, 46)])
    page = people[0]
    sign_in(page, chat.urls[1], "ada", room="help")
    messages = page.locator(".messages .message")
    expect(messages).to_have_count(20)
    expect(messages.first).to_contain_text("question 26")
    expect(messages.last).to_contain_text("question 45")
    history = page.get_by_label("Messages in #help")
    history.evaluate("box => box.scrollTo(0, -box.scrollHeight)")  # column-reverse: up is < 0
    expect(messages).to_have_count(40)
    expect(messages.first).to_contain_text("question 6")
    # The older page went above: what was on screen (the top of the first page) stays there.
    expect(page.get_by_text("question 26", exact=True)).to_be_in_viewport()
    expect(page.get_by_text("question 6", exact=True)).not_to_be_in_viewport()
    history.evaluate("box => box.scrollTo(0, -box.scrollHeight)")
    expect(page.get_by_text("This is the start of #help.")).to_be_visible()
    expect(messages.first).to_contain_text("Has anyone tried the new build?")  # the samples
    expect(messages).to_have_count(49)
    expect(page.locator("[cf-visible]")).to_have_count(0)


def test_the_statistics_panel_is_counted_after_the_page_loads(
    chat: Chat, people: list[Page]
) -> None:
    page = people[0]
    sign_in(page, chat.urls[0], "ada", room="help")
    html = page.context.request.get(f"{chat.urls[0]}/rooms/help").text()
    assert "Counting the messages of #help" in html and "Most messages" not in html
    with sqlite3.connect(chat.database) as db:
        (count,) = db.execute("SELECT COUNT(*) FROM messages WHERE room = 'help'").fetchone()
    stats = page.get_by_role("region", name="Room statistics")
    expect(stats.locator("[data-stat=messages]")).to_have_text(str(count))
    expect(stats.locator("[data-stat=busiest]")).to_have_text("grace")
    chat.add("help", "ada", ["one more"])
    stats.get_by_role("button", name="Refresh").click()
    expect(stats.locator("[data-stat=messages]")).to_have_text(str(count + 1))


def online(page: Page) -> Locator:
    return page.get_by_role("list", name=re.compile("^Online in #"))


def test_people_see_who_is_in_the_room_who_types_and_the_preview_of_a_link(
    chat: Chat, people: list[Page]
) -> None:
    ada, grace, _ = people
    sign_in(ada, chat.urls[0], "ada")
    sign_in(grace, chat.urls[1], "grace")  # the other process: presence goes through Redis
    expect(online(ada).get_by_role("listitem")).to_have_text(["ada (you)", "grace"])
    expect(online(grace).get_by_role("listitem")).to_have_text(["ada", "grace (you)"])
    typing = grace.locator(".presence .typing")
    expect(typing).to_be_empty()
    ada.get_by_label("Message", exact=True).press_sequentially("look at ")
    expect(typing).to_have_text("ada is typing…")
    expect(ada.locator(".presence .typing")).to_be_empty()  # not about oneself
    # A link to a page of the chat itself: the test fetches nothing from the internet.
    link = f"{chat.urls[1]}/sign-in"
    send(ada, f"look at {link} please")
    expect(typing).to_be_empty()  # sent: not typing any more
    for page in (ada, grace):
        message = page.locator(".messages .message").last
        expect(message.locator(".text")).to_have_text(f"look at {link} please")
        preview = message.get_by_role("link", name="Sign in · Chat")
        expect(preview).to_have_attribute("href", link)
    field = grace.get_by_label("Message", exact=True)
    field.press_sequentially("h")
    expect(ada.locator(".presence .typing")).to_have_text("grace is typing…")
    # The reply to "typing" (the room renders the field empty) left the text being typed.
    expect(grace.locator("[data-cf-component='room_general']")).not_to_have_attribute(
        "data-cf-loading", ""
    )
    expect(field).to_have_value("h")
    field.press_sequentially("m, ok")
    expect(field).to_have_value("hm, ok")
    # A pause (TYPING_IDLE, 5 s) and typing ends by itself.
    expect(ada.locator(".presence .typing")).to_be_empty()
    grace.close()  # the tab closed: grace leaves the room
    expect(online(ada).get_by_role("listitem")).to_have_text(["ada (you)"])
