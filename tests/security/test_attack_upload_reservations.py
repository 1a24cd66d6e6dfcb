"""An anonymous client that begins uploads and never sends their bytes cannot keep others from
uploading.

Beginning an upload reserves its declared size before any byte is sent. Without an app
``rate_limit``, a client could open page after page (a new component id, a new token each
time), begin the largest uploads the component takes on each, send nothing, and hold the whole
upload space: everyone else got ``507 upload_space_full``. Now one client (one address,
however many pages) holds at most its share (``max_user_bytes``, a quarter of the space) and
``max_pending`` unfinished uploads, refused beyond with ``429 upload_too_many``; a file over
the share is ``413 upload_too_large``; and a reservation no byte follows is swept after
``start_within``. An IPv6 client counts by its /64 network: taking a new address of it for
each page gains nothing. A begin runs off the event loop: a store sweeping thousands of
records (or an object store answering over the network) holds no other request.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from component_framework.core import Component, ComponentRegistry
from component_framework.core.signing import Signer
from component_framework.core.uploads import LocalUploadStore, Upload
from component_framework.web import ComponentApp

from ._hostile import HEADERS, KEY

MIB = 1024 * 1024
MAX_SIZE = 10 * MIB


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> LocalUploadStore:
    """64 MiB of upload space: a client's share is 16 MiB."""
    return LocalUploadStore(tmp_path_factory.mktemp("uploads"), max_bytes=64 * MIB)


@pytest.fixture(scope="module")
def app(store: LocalUploadStore) -> Starlette:
    registry = ComponentRegistry()

    @registry.register("inbox")
    class Inbox(Component):
        uploads = {"files": Upload(max_size=MAX_SIZE, max_files=3, chunk_size=MIB, store=store)}

        def render(self) -> str:
            return "<p>inbox</p>"

    components = ComponentApp(registry=registry, signer=Signer([KEY]))  # no rate_limit
    return Starlette(routes=[components.mount()])


@pytest.fixture
def client_at(app: Starlette) -> Iterator[Any]:
    """A client of the app from an address of its own."""
    opened: list[TestClient] = []

    def make(address: str) -> TestClient:
        client = TestClient(app, client=(address, 40000))
        client.__enter__()
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.__exit__(None, None, None)


def open_page(client: TestClient) -> str:
    """A fresh render of the inbox: its upload token."""
    reply = client.post("/cf/event", json={"component": "inbox"}, headers=HEADERS)
    assert reply.status_code == 200, reply.text
    (effect,) = reply.json()["effects"]
    return str(effect["token"])


def begin(client: TestClient, token: str, size: int) -> Any:
    body = json.dumps({"filename": "big.bin", "size": size})
    return client.post("/cf/upload", content=body, headers={**HEADERS, "X-CF-Upload-Token": token})


def test_a_client_flooding_begins_from_many_pages_holds_only_its_share(client_at: Any) -> None:
    attacker = client_at("203.0.113.5")
    replies = [begin(attacker, open_page(attacker), MAX_SIZE) for _ in range(30)]
    statuses = [reply.status_code for reply in replies]
    assert statuses.count(201) == 1  # 10 MiB held; 20 MiB would pass its 16 MiB share
    refused = replies[-1]
    assert refused.status_code == 429
    assert refused.json()["type"] == "error"
    assert refused.json()["code"] == "upload_too_many"
    assert "16,777,216 bytes one user may have" in refused.json()["error"]
    small = [begin(attacker, open_page(attacker), MIB) for _ in range(30)]
    assert [reply.status_code for reply in small].count(201) == 6  # up to its share
    too_big = begin(client_at("203.0.113.6"), open_page(client_at("203.0.113.6")), 17 * MIB)
    assert (too_big.status_code, too_big.json()["code"]) == (413, "upload_too_large")

    # Someone else still uploads a whole file, in chunks.
    visitor = client_at("198.51.100.20")
    token = open_page(visitor)
    begun = begin(visitor, token, 3 * MIB)
    assert begun.status_code == 201, begun.text
    upload_id = begun.json()["upload_id"]
    headers = {**HEADERS, "X-CF-Upload-Token": token, "Content-Type": "application/octet-stream"}
    for offset in range(0, 3 * MIB, MIB):
        sent = visitor.put(
            f"/cf/upload/{upload_id}?offset={offset}", content=bytes(MIB), headers=headers
        )
        assert sent.status_code == 200, sent.text
    assert sent.json()["complete"] is True


def test_a_client_taking_a_new_ipv6_address_for_each_page_gains_nothing(client_at: Any) -> None:
    statuses = []
    for host in range(1, 31):
        attacker = client_at(f"2001:db8:bad:1::{host:x}")
        statuses.append(begin(attacker, open_page(attacker), MAX_SIZE).status_code)
    assert statuses == [201] + [429] * 29
    neighbour = client_at("2001:db8:600d:1::1")
    assert begin(neighbour, open_page(neighbour), MAX_SIZE).status_code == 201


def test_a_begin_holds_no_other_request_while_its_store_works(
    client_at: Any, store: LocalUploadStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    entered, release, seen = threading.Event(), threading.Event(), []
    begin_in_store = store.begin

    def slow_begin(*args: Any) -> Any:  # a store sweeping many records, say
        entered.set()
        release.wait(10)
        seen.append("begun")
        return begin_in_store(*args)

    monkeypatch.setattr(store, "begin", slow_begin)
    client = client_at("192.0.2.10")
    token = open_page(client)
    beginning = threading.Thread(target=lambda: seen.append(begin(client, token, MIB).status_code))
    beginning.start()
    assert entered.wait(10)
    open_page(client)  # answered while the begin waits on its store
    seen.append("rendered")
    release.set()
    beginning.join()
    assert seen == ["rendered", "begun", 201]
