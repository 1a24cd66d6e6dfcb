"""Link previews (fetched from a real local HTTP server) and the room's presence panel."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest
from component_framework.core.presence import Track
from component_framework.testing import ComponentTester
from starlette.authentication import SimpleUser

from chat import db, previews
from chat.components import Room, room

ADA = SimpleNamespace(user=SimpleUser("ada"))
PAGES = {
    "/plan": ("text/html; charset=utf-8", b"<html><head><title> The  plan &amp; dates\n</title>"),
    "/untitled": ("text/html", b"<p>no title here</p>"),
    "/data": ("application/json", b'{"title": "not a page"}'),
}


class Pages(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        kind, body = PAGES.get(self.path, ("text/plain", b"not found"))
        self.send_response(200 if self.path in PAGES else 404)
        self.send_header("Content-Type", kind)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    """A real HTTP server on a free loopback port, serving PAGES.

    Previews fetch only from public addresses: this module allows 127.0.0.1 as
    ``CHAT_PREVIEW_NETWORKS=127.0.0.1/32`` would (test_preview_safety.py checks the refusals).
    """
    server = ThreadingHTTPServer(("127.0.0.1", 0), Pages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(previews, "ALLOWED_NETWORKS", previews.allowed_networks("127.0.0.1/32"))
        yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_message_with_a_link_gets_the_pages_title_after_the_reply(site: str) -> None:
    tester = ComponentTester("room_random", request=ADA, author="ada")
    tester.call("send", form_data={"text": f"read {site}/plan, then reply"})
    tester.assert_task_started("preview").assert_dont_see("The plan &amp; dates", escape=False)
    message = db.history("random")[0][-1]
    assert message.preview is None  # the reply did not wait for the page
    tester.run_tasks()
    assert db.message("random", message.id) == db.Message(
        message.id,
        "random",
        "ada",
        message.text,
        message.sent_at,
        preview=db.Preview(f"{site}/plan", "The plan & dates"),
    )
    shown = ComponentTester("room_random", request=ADA, author="ada").html
    assert f'class="link-preview" href="{site}/plan"' in shown


def test_a_message_is_sent_without_preview_when_its_page_fetches_enough_already(
    site: str,
) -> None:
    busy = type("BusyRoom", (Room,), {"room": "random", "max_tasks": 0})
    tester = ComponentTester(busy, request=ADA, author="ada")
    tester.call("send", form_data={"text": f"and {site}/plan"})
    assert tester.tasks == [] and tester.reply["type"] == "component_update"
    assert db.history("random")[0][-1].text == f"and {site}/plan"


@pytest.mark.parametrize("path", ["/untitled", "/data", "/missing"])
def test_a_link_to_no_titled_page_gets_no_preview(site: str, path: str) -> None:
    assert previews.title_of(site + path) is None


def test_only_http_links_are_fetched(site: str) -> None:
    assert previews.first_link("see file:///etc/passwd or ftp://x/y") is None
    assert previews.first_link(f"(see {site}/plan).") == f"{site}/plan"
    assert previews.title_of("file:///etc/passwd") is None


def test_typing_in_the_form_tells_the_presence_panel_once_per_change() -> None:
    tester = ComponentTester("room_general", request=ADA, author="ada")
    # The field's cf-input sends the text so far; the room keeps none of it.
    tester.call("typing", value="h").assert_emitted("typing", {"on": True}, to="room_presence")
    assert tester.call("typing", value="hello").emitted == []  # still typing: nothing new
    tester.call("send", form_data={"text": "hello"})
    tester.assert_emitted("typing", {"on": False}, to="room_presence")


def test_typing_ends_by_itself_after_a_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(room, "TYPING_IDLE", 0.01)  # each key's timer, started as a task
    tester = ComponentTester("room_general", request=ADA, author="ada")
    tester.call("typing").call("typing").assert_task_started("typing_idle")
    assert len(tester.tasks) == 2
    tester.run_tasks()  # the first timer ends with a later key: nothing; the last one ends it
    tester.assert_emitted("typing", {"on": False}, to="room_presence")
    assert tester.state["typing"] is False


def test_the_presence_panel_lists_who_is_in_the_room_and_who_is_typing() -> None:
    panel = ComponentTester("room_presence", request=ADA, room="general", name="ada")
    assert panel.track() == Track("room:general", "ada", {"typing": False})
    panel.presence({"ada": [{"typing": False, "ref": "1"}]}, reset=True)
    panel.assert_see("ada (you)").assert_dont_see("typing…")
    panel.presence(
        {"grace": [{"typing": True, "ref": "2"}], "linus": [{"typing": True, "ref": "3"}]}
    )
    panel.assert_see("grace", "linus", "grace, linus are typing…")
    panel.presence(leaves={"linus": [{"typing": True, "ref": "3"}]})
    panel.assert_see("grace is typing…").assert_dont_see("linus")
