"""Direct uploads to S3-compatible storage: a real server (moto's, in a process of its own on a
free port), the app's endpoint (Starlette), and the bytes sent to the presigned URLs over HTTP
as a page sends them."""

from __future__ import annotations

import io
import json
import os
import zipfile
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from component_framework.core import Component, ComponentRegistry
from component_framework.core.exceptions import ConfigurationError, UploadError
from component_framework.core.s3_uploads import S3UploadStore
from component_framework.core.signing import Signer
from component_framework.core.upload_store import UploadInfo, new_upload_id
from component_framework.core.uploads import Upload, UploadedFile
from component_framework.web import ComponentApp
from tests._moto import s3_client

MIB = 1024 * 1024
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40
BUCKET = "cf-test-uploads"


@pytest.fixture(scope="module")
def s3(s3_url: str) -> Any:
    """A client of the session's moto S3 server, with this module's bucket."""
    return s3_client(s3_url, BUCKET)


@pytest.fixture(scope="module")
def site(s3: Any) -> Iterator[tuple[TestClient, S3UploadStore, list[UploadedFile]]]:
    store = S3UploadStore(BUCKET, client=s3, part_size=5 * MIB)
    received: list[UploadedFile] = []
    registry = ComponentRegistry()

    @registry.register("docs")
    class Docs(Component):
        uploads = {
            "scan": Upload(accept=["image/png"], max_size=20 * MIB, max_files=3, store=store)
        }

        def render(self) -> str:
            return "<p></p>"

        def on_keep(self, scan: list[UploadedFile]) -> None:
            for file in scan:
                received.append(file)
                self.state[file.name] = [file.read()[:8].hex(), file.save("kept/")]

    app = ComponentApp(registry=registry, signer=Signer(["s" * 32]))
    with TestClient(Starlette(routes=[app.mount()])) as client:
        yield client, store, received


class Page:
    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.reply = client.post(
            "/cf/event", json={"component": "docs"}, headers={"X-CF-Request": "1"}
        ).json()
        token = self.reply["effects"][0]["token"]
        self.headers = {"X-CF-Request": "1", "X-CF-Upload-Token": token}

    def begin(self, size: int, filename: str = "scan.png") -> dict[str, Any]:
        body = {"filename": filename, "size": size}
        response = self.client.post("/cf/upload", json=body, headers=self.headers)
        assert response.status_code == 201, response.text
        begun: dict[str, Any] = response.json()
        return begun

    def confirm(self, upload_id: str, parts: list[dict[str, Any]] | None = None) -> httpx.Response:
        body = {"parts": parts or []}
        return self.client.post(f"/cf/upload/{upload_id}", json=body, headers=self.headers)

    def keep(self, ids: list[str]) -> dict[str, Any]:
        message = {
            "component": "docs",
            "component_id": self.reply["component_id"],
            "event": "keep",
            "payload": {"scan": ids},
            "state": self.reply["state"],
            "checksum": self.reply["checksum"],
        }
        reply: dict[str, Any] = self.client.post(
            "/cf/event", json=message, headers={"X-CF-Request": "1"}
        ).json()
        return reply


def send_parts(begun: dict[str, Any], data: bytes) -> list[dict[str, Any]]:
    """PUT each part to its presigned URL, as a browser does; return their ETags."""
    sent, offset = [], 0
    for part in begun["parts"]:
        body = data[offset : offset + part["size"]]
        offset += part["size"]
        response = httpx.put(part["url"], content=body)
        assert response.status_code == 200, response.text
        sent.append({"number": part["number"], "etag": response.headers["etag"]})
    return sent


def keys(s3: Any) -> list[str]:
    listed = s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    return sorted(item["Key"] for item in listed)


def test_a_small_file_goes_straight_to_storage_and_reaches_the_handler(
    site: tuple[TestClient, S3UploadStore, list[UploadedFile]], s3: Any
) -> None:
    client, _, _ = site
    page = Page(client)
    begun = page.begin(len(PNG))
    assert begun["direct"] is True and len(begun["parts"]) == 1
    assert begun["parts"][0]["url"].startswith("http://127.0.0.1:")
    send_parts(begun, PNG)
    confirmed = page.confirm(begun["upload_id"])
    assert confirmed.status_code == 200, confirmed.text
    assert (confirmed.json()["complete"], confirmed.json()["content_type"]) == (True, "image/png")
    reply = page.keep([begun["upload_id"]])
    assert json.loads(reply["state"])["scan.png"] == [PNG[:8].hex(), "kept/scan.png"]
    assert s3.get_object(Bucket=BUCKET, Key="kept/scan.png")["Body"].read() == PNG
    assert [k for k in keys(s3) if begun["upload_id"] in k] == []


def test_a_large_file_goes_in_parts(
    site: tuple[TestClient, S3UploadStore, list[UploadedFile]], s3: Any
) -> None:
    client, _, received = site
    data = PNG + bytes(11 * MIB)
    page = Page(client)
    begun = page.begin(len(data), "big.png")
    assert [p["size"] for p in begun["parts"]] == [5 * MIB, 5 * MIB, len(data) - 10 * MIB]
    parts = send_parts(begun, data)
    assert page.confirm(begun["upload_id"], parts[:2]).json()["code"] == "upload_bad_request"
    confirmed = page.confirm(begun["upload_id"], parts)
    assert confirmed.json()["complete"] is True, confirmed.text
    reply = page.keep([begun["upload_id"]])
    assert reply["type"] == "component_update", reply
    assert received[-1].size == len(data)
    stored = s3.head_object(Bucket=BUCKET, Key="kept/big.png")["ContentLength"]
    assert stored == len(data)


def test_a_reloaded_page_takes_over_a_multipart_upload_and_sends_only_the_missing_parts(
    site: tuple[TestClient, S3UploadStore, list[UploadedFile]], s3: Any
) -> None:
    client, _, _ = site
    data = PNG + os.urandom(11 * MIB)
    page = Page(client)
    begun = page.begin(len(data), "resumed.png")
    first_two = send_parts({"parts": begun["parts"][:2]}, data)
    reloaded = Page(client)  # a new render: another component id and token
    old_token = page.headers["X-CF-Upload-Token"]
    path = f"/cf/upload/{begun['upload_id']}"
    taken = client.post(path, json={"adopt": old_token}, headers=reloaded.headers)
    assert taken.status_code == 200, taken.text
    again = taken.json()
    assert again["direct"] is True and again["complete"] is False
    assert again["sent"] == first_two  # what storage holds, with its ETags
    assert [p["size"] for p in again["parts"]] == [p["size"] for p in begun["parts"]]
    last = again["parts"][2]
    response = httpx.put(last["url"], content=data[10 * MIB :])
    assert response.status_code == 200, response.text
    parts = [*again["sent"], {"number": 3, "etag": response.headers["etag"]}]
    # The page that lost it may no longer confirm it; the one that took it over does.
    assert page.confirm(begun["upload_id"], parts).json()["code"] == "upload_forbidden"
    confirmed = reloaded.confirm(begun["upload_id"], parts)
    assert confirmed.json()["complete"] is True, confirmed.text
    assert reloaded.keep([begun["upload_id"]])["type"] == "component_update"
    assert s3.get_object(Bucket=BUCKET, Key="kept/resumed.png")["Body"].read() == data


def test_a_file_of_another_size_or_type_is_refused_and_removed(
    site: tuple[TestClient, S3UploadStore, list[UploadedFile]], s3: Any
) -> None:
    client, _, _ = site
    page = Page(client)
    short = page.begin(len(PNG))
    httpx.put(short["parts"][0]["url"], content=PNG[:100])  # storage may refuse it too
    refused = page.confirm(short["upload_id"])
    assert (refused.status_code, refused.json()["code"]) == (409, "upload_incomplete")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", "x" * 1000)
    posing = page.begin(len(buffer.getvalue()), "zip.png")
    send_parts(posing, buffer.getvalue())
    refused = page.confirm(posing["upload_id"])
    assert (refused.status_code, refused.json()["code"]) == (415, "upload_type_refused")
    assert [k for k in keys(s3) if posing["upload_id"] in k] == []
    # Chunks through the app are refused: the bytes go to storage.
    third = page.begin(10)
    put = client.put(
        f"/cf/upload/{third['upload_id']}?offset=0", content=b"x", headers=page.headers
    )
    assert (put.status_code, put.json()["code"]) == (409, "upload_direct")


def test_sweep_removes_expired_uploads(s3: Any) -> None:
    now = [1_000_000.0]
    store = S3UploadStore(BUCKET, client=s3, prefix="swept/", max_age=60, clock=lambda: now[0])
    info = UploadInfo(
        new_upload_id(), "docs", "d-1", "scan", "user:1", "a.png", 20 * MIB, [], MIB, now[0], now[0]
    )
    store.begin(info, 1)
    assert store.presign(info)["parts"][0]["number"] == 1  # multipart begun
    now[0] += 61
    assert store.sweep() == 1
    assert [k for k in keys(s3) if k.startswith("swept/")] == []
    pending = s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", [])
    assert [u["Key"] for u in pending if u["Key"].startswith("swept/")] == []


def test_a_part_size_under_the_storage_minimum_is_refused(s3: Any) -> None:
    with pytest.raises(ConfigurationError, match="part_size must be at least 5 MiB"):
        S3UploadStore(BUCKET, client=s3, part_size=MIB)


def test_the_store_s_own_client_signs_each_part_s_length(
    s3_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Version 2 presigned URLs leave Content-Length unsigned: a page could send any size.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    store = S3UploadStore(BUCKET, endpoint_url=s3_url)
    url = store.client.generate_presigned_url(
        "put_object", {"Bucket": BUCKET, "Key": "k", "ContentLength": 100}, ExpiresIn=60
    )
    assert "X-Amz-SignedHeaders=content-length%3Bhost" in url, url


def test_one_user_keeps_to_its_share_of_direct_uploads(s3: Any) -> None:
    now = [1_000_000.0]
    store = S3UploadStore(
        BUCKET,
        client=s3,
        prefix="share/",
        max_pending=2,
        max_user_bytes=30 * MIB,
        max_age=600,
        clock=lambda: now[0],
    )

    def begin(size: int, user: str = "address:203.0.113.5") -> UploadInfo:
        page = new_upload_id()  # every begin from a page of its own
        fields = ("docs", page, "scan", user, "a.png", size, [], MIB, now[0], now[0])
        return store.begin(UploadInfo(new_upload_id(), *fields), 1)

    def refused(size: int, user: str = "address:203.0.113.5") -> UploadError:
        with pytest.raises(UploadError) as caught:
            begin(size, user)
        return caught.value

    first, second = begin(20 * MIB), begin(MIB)
    assert store.presign(first)["parts"][0]["number"] == 1  # a multipart upload begun
    too_many = refused(1)
    assert (too_many.status, too_many.code) == (429, "upload_too_many")
    assert "Too many unfinished uploads (2)" in str(too_many)
    store.discard(second.upload_id)  # cancelled: it holds nothing
    assert "already hold 20,971,520 of the 31,457,280 bytes" in str(refused(11 * MIB))
    too_big = refused(31 * MIB, user="address:203.0.113.6")
    assert (too_big.status, too_big.code) == (413, "upload_too_large")
    begin(30 * MIB, user="address:198.51.100.20")  # everyone else has a share of their own

    first.complete = True  # finished: its bytes count until its handler consumes them
    store.save_info(first)
    begin(10 * MIB)
    assert refused(1).code == "upload_too_many"

    now[0] += 601  # expired with their tokens: they no longer count, and sweep removes them
    begin(30 * MIB)
    now[0] += 601
    assert store.sweep() == 4
    assert [k for k in keys(s3) if k.startswith("share/")] == []


def test_a_client_flooding_begins_from_many_pages_is_refused_past_its_share(
    site: tuple[TestClient, S3UploadStore, list[UploadedFile]], s3: Any
) -> None:
    client = site[0]  # its store: 20 unfinished uploads per user (the default)
    with TestClient(client.app, client=("203.0.113.9", 40000)) as attacker:
        replies = []
        for _ in range(20 + 5):
            page = Page(attacker)  # a fresh render: a new component id and token
            replies.append(
                (
                    page,
                    attacker.post(
                        "/cf/upload",
                        json={"filename": "a.png", "size": 20 * MIB},
                        headers=page.headers,
                    ),
                )
            )
        statuses = [reply.status_code for _, reply in replies]
        assert statuses == [201] * 20 + [429] * 5
        assert replies[-1][1].json()["code"] == "upload_too_many"
        for page, reply in replies[:20]:  # cancelled: the share is back
            upload_id = reply.json()["upload_id"]
            cancelled = attacker.delete(f"/cf/upload/{upload_id}", headers=page.headers)
            assert cancelled.json()["cancelled"] is True
        assert Page(attacker).begin(20 * MIB)["direct"] is True
