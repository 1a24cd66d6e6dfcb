"""The local store's bounds on what begun uploads hold: an upload reserves its declared size
before any byte is sent, so one client (however many pages it opens) keeps to its share, the
store to its count, and a reservation no byte follows is soon given back."""

from __future__ import annotations

from pathlib import Path

import pytest

from component_framework.core.exceptions import UploadError
from component_framework.core.upload_store import LocalUploadStore, new_upload_id
from tests.core.test_uploads import Clock, info, write


def begin(store: LocalUploadStore, size: int, user: str = "address:10.0.0.7") -> str:
    """An upload begun from a page of its own (a new component id each time)."""
    upload = info(store, size=size, user=user, component_id=new_upload_id())
    return store.begin(upload, max_files=1).upload_id


def refusal(store: LocalUploadStore, size: int, user: str = "address:10.0.0.7") -> UploadError:
    with pytest.raises(UploadError) as caught:
        begin(store, size, user)
    return caught.value


def test_one_client_keeps_to_its_share_of_the_space_however_many_pages_it_opens(
    tmp_path: Path,
) -> None:
    store = LocalUploadStore(tmp_path, max_bytes=1000)  # a user's share: a quarter, 250
    begin(store, 200)
    refused = refusal(store, 100)
    assert (refused.status, refused.code) == (429, "upload_too_many")
    assert "already hold 200 of the 250 bytes" in str(refused)
    begin(store, 50)
    too_big = refusal(store, 251, user="address:10.0.0.8")
    assert (too_big.status, too_big.code) == (413, "upload_too_large")
    assert "at most 250 bytes of uploads from one user" in str(too_big)
    for other in range(3):  # everyone else still has room
        begin(store, 250, user=f"address:10.0.1.{other}")
    assert refusal(store, 1, user="user:9").code == "upload_space_full"


def test_a_finished_upload_counts_until_its_handler_consumes_it(tmp_path: Path) -> None:
    store = LocalUploadStore(tmp_path, max_bytes=40, max_user_bytes=15, max_pending=1)
    upload = store.begin(info(store, size=10), max_files=1)
    write(store, upload, b"0123456789")
    upload.complete = True
    store.save_info(upload)
    other = begin(store, 5, user="user:1")  # finished, it is not unfinished any more
    assert "Too many unfinished uploads (1)" in str(refusal(store, 1, user="user:1"))
    store.discard(other)
    assert "already hold 10 of the 15 bytes" in str(refusal(store, 6, user="user:1"))
    store.discard(upload.upload_id)  # consumed
    begin(store, 15, user="user:1")


def test_the_store_holds_at_most_max_uploads_of_all_users(tmp_path: Path) -> None:
    store = LocalUploadStore(tmp_path, max_uploads=3)
    for user in range(3):
        begin(store, 1, user=f"address:10.0.2.{user}")
    refused = refusal(store, 1, user="address:10.0.2.9")
    assert (refused.status, refused.code) == (507, "upload_space_full")
    assert len(list(tmp_path.glob("*.json"))) == 3


def test_a_reservation_no_byte_follows_is_given_back_to_the_next_begin(tmp_path: Path) -> None:
    clock = Clock()
    store = LocalUploadStore(tmp_path, max_bytes=100, max_user_bytes=100, clock=clock)
    held = begin(store, 60, user="address:10.0.0.66")
    started = store.begin(info(store, size=30), max_files=1)
    write(store, started, b"a")
    clock.now += 30
    assert refusal(store, 60, user="user:2").code == "upload_space_full"
    clock.now += 31  # past start_within (60 s) for the upload no byte followed
    begin(store, 60, user="user:2")  # the sweep of this begin gave its space back
    assert store.get(held) is None
    assert store.get(started.upload_id) is not None  # it is sending: abandon_after applies


def test_a_flood_of_refused_begins_reads_the_records_again_at_most_once_a_second(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock()
    store = LocalUploadStore(tmp_path, max_bytes=200, max_user_bytes=100, clock=clock)
    begin(store, 100, user="address:10.0.0.66")
    sweeps: list[float] = []
    sweep = store.sweep
    monkeypatch.setattr(store, "sweep", lambda: sweeps.append(clock.now) or sweep())
    clock.now += 2
    for _ in range(50):  # over its own share: a sweep would make no room for anyone else
        assert refusal(store, 1, user="address:10.0.0.66").code == "upload_too_many"
    assert sweeps == []
    begin(store, 100, user="address:10.0.0.67")
    for _ in range(50):  # the store is full
        assert refusal(store, 1, user="user:2").code == "upload_space_full"
    clock.now += 1
    assert refusal(store, 1, user="user:2").code == "upload_space_full"
    assert sweeps == [clock.now - 1, clock.now]


def test_an_ipv6_client_counts_by_its_network_however_many_addresses_it_takes(
    tmp_path: Path,
) -> None:
    store = LocalUploadStore(tmp_path, max_bytes=1000)
    for host in range(1, 6):  # one subscriber's /64 holds 2**64 addresses
        begin(store, 50, user=f"address:2001:db8:1:2::{host:x}")
    assert refusal(store, 1, user="address:2001:db8:1:2:ffff::1").code == "upload_too_many"
    begin(store, 250, user="address:2001:db8:1:3::1")  # the next network is someone else
    begin(store, 200, user="address:::ffff:10.0.0.7")  # an IPv4 client, however written
    assert refusal(store, 51, user="address:10.0.0.7").code == "upload_too_many"
