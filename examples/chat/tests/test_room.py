"""A room: its history in pages, the form's validation, a message saved; the statistics."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from component_framework.core.exceptions import ComponentError, UploadError
from component_framework.testing import ComponentTester
from starlette.authentication import SimpleUser

from chat import db, media

ADA = SimpleNamespace(user=SimpleUser("ada"))
PNG = b"\x89PNG\r\n\x1a\n" + bytes(200)


def room(name: str = "room_random") -> ComponentTester:
    return ComponentTester(name, request=ADA, author="ada")


def test_a_room_shows_its_latest_page_and_scrolls_up_page_by_page() -> None:
    for n in range(45):
        db.post("help", "grace", f"question {n}")
    tester = room("room_help")
    tester.assert_see("question 44", "question 25").assert_dont_see("question 24")
    assert "question" not in str(tester.state)  # the messages live in the page, not the state
    tester.call("older").assert_streamed("messages", "insert", contains="question 24")
    tester.assert_see("Loading older messages")
    tester.call("older").assert_see("This is the start of #help")
    assert tester.state["oldest"] is None
    tester.call("older")  # the top: nothing more to load
    assert tester.stream_changes == []


def test_an_empty_message_is_refused_with_a_clear_message() -> None:
    tester = room()
    before = db.stats("random").messages
    tester.call("send", form_data={"text": "   "})
    tester.assert_see("Write a message first: an empty one is not sent.")
    tester.call("send", form_data={"text": "x" * 2001})
    tester.assert_see("Keep it to 2,000 characters: this one has 2,001.")
    assert db.stats("random").messages == before


def test_a_message_is_saved_under_the_signed_in_name_and_escaped() -> None:
    tester = room()
    tester.call("send", form_data={"text": "  <b>hello</b>  "})
    messages, _ = db.history("random")
    assert (messages[-1].author, messages[-1].text) == ("ada", "<b>hello</b>")
    shown = room().html
    assert "&lt;b&gt;hello&lt;/b&gt;" in shown and "<b>hello" not in shown


def test_a_file_goes_with_a_message_even_without_text() -> None:
    tester = room()
    tester.upload("attachment", ("cat photo.png", PNG)).call("send", form_data={"text": ""})
    message = db.history("random")[0][-1]
    assert message.attachment is not None and message.text == ""
    assert (message.attachment.name, message.attachment.content_type) == (
        "cat photo.png",
        "image/png",
    )
    kept = media.path(message.attachment.stored)
    assert kept is not None and kept.read_bytes() == PNG
    shown = room().html
    assert f'src="/attachments/{message.attachment.stored}"' in shown
    assert 'alt="cat photo.png"' in shown


def test_a_file_of_another_type_is_refused_whatever_its_name() -> None:
    with pytest.raises(UploadError) as refused:
        room().upload("attachment", ("cat.png", b"PK\x03\x04 a zip, named as an image"))
    assert refused.value.code == "upload_type_refused"


def test_a_visitor_who_is_not_signed_in_is_refused() -> None:
    with pytest.raises(ComponentError):
        ComponentTester("room_general", request=SimpleNamespace(user=None), author="eve")


def test_the_statistics_count_the_rooms_messages() -> None:
    db.post("general", "linus", "one more")
    stats = ComponentTester("room_stats", room="general")
    expected = db.stats("general")
    stats.assert_state(messages=expected.messages, authors=expected.authors)
    stats.assert_see("Room statistics", "Most messages")
    db.post("general", "linus", "and another")
    stats.call("refresh").assert_set("messages", expected.messages + 1)
