"""Remounts across a deploy, attacked as an anonymous client would, against uvicorn.

A page rendered by one release keeps its signed mount parameters (``data-cf-mount``) for a
day. The next release may declare the component ``remountable = False`` (its mount must not
run again from what a page sends back, say it records a visit or its parameters must stay off
the page): the old pages' tokens must then be refused, before any component code runs, and
the page reloads instead.
"""

from __future__ import annotations

import html
import re
from typing import Any

import httpx

from tests.browser.conftest import serve_app

HEADERS = {"Content-Type": "application/json", "X-CF-Request": "1"}
APP = "tests.security.release_app:app"


def _root(page: str) -> dict[str, str]:
    found = re.findall(r'(data-cf-[a-z-]+)="([^"]*)"', page[: page.index(">")])
    return {name: html.unescape(value) for name, value in found}


def _remount(root: dict[str, str]) -> dict[str, Any]:
    return {
        "component": root["data-cf-component"],
        "component_id": root["data-cf-id"],
        "event": None,
        "mount": root["data-cf-mount"],
        "mount_checksum": root["data-cf-mount-checksum"],
    }


def test_a_component_made_unremountable_refuses_the_tokens_of_earlier_releases() -> None:
    with serve_app(APP, env={"CF_RELEASE": "1", "CF_TEST_REMOUNTABLE": "1"}) as base:
        root = _root(httpx.get(base + "/").text)
    assert root["data-cf-mount"] == '{"owner":"alice"}'

    with serve_app(APP, env={"CF_RELEASE": "2", "CF_TEST_REMOUNTABLE": "0"}) as base:
        assert "data-cf-mount" not in _root(httpx.get(base + "/").text)  # no token any more
        reply = httpx.post(base + "/cf/event", json=_remount(root), headers=HEADERS)
        mounts = httpx.get(base + "/mounts").json()
    assert (reply.status_code, reply.json()["code"]) == (409, "stale_state"), reply.text
    assert mounts == [{"owner": "alice"}]  # the new page's render only: the remount ran nothing

    with serve_app(APP, env={"CF_RELEASE": "2", "CF_TEST_REMOUNTABLE": "1"}) as base:
        reply = httpx.post(base + "/cf/event", json=_remount(root), headers=HEADERS)
    assert reply.status_code == 200, reply.text  # the same token, while it may remount
