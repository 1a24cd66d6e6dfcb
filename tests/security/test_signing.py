"""Signed state and subscription tokens under attack: forged, moved, oversized, expired, hostile."""

from __future__ import annotations

import contextlib
import gc
import logging
import tracemalloc
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from component_framework.core import signing
from component_framework.core.exceptions import (
    ConfigurationError,
    StaleStateError,
    StateIntegrityError,
)
from component_framework.core.signing import Signer, configure

from ._hostile import HEADERS, KEY, build_app, message

SECURITY = "component_framework.security"


@pytest.fixture
def client() -> Iterator[TestClient]:
    _, app = build_app()
    with TestClient(app) as test_client:
        yield test_client


def mount(client: TestClient, **params: Any) -> dict[str, Any]:
    response = client.post(
        "/cf/event", json={"component": "counter", "params": params}, headers=HEADERS
    )
    assert response.status_code == 200, response.text
    reply: dict[str, Any] = response.json()
    return reply


# ---------- Item 1: nothing derived from a refused request is kept ----------


def test_refused_checksums_with_huge_release_parts_leave_no_memory_held(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    """20 refused requests of 0.9 MB each held 37 MiB; now they hold (almost) nothing."""
    reply = mount(client)
    bodies = [
        message(reply, "increment", checksum=f"{i:04d}" + "r" * 900_000 + ":" + "0" * 64)
        for i in range(21)
    ]
    with caplog.at_level(logging.CRITICAL, logger=SECURITY):
        # The first request warms up whatever a first request allocates once.
        assert client.post("/cf/event", json=bodies[0], headers=HEADERS).status_code == 403
        gc.collect()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            for body in bodies[1:]:
                response = client.post("/cf/event", json=body, headers=HEADERS)
                assert response.status_code == 403
                assert response.json()["code"] == "tampered_state"
            del response
            gc.collect()
            held = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
    assert held < 1024 * 1024, f"{held / 2**20:.1f} MiB held after 20 refused requests"


def test_refused_requests_of_every_kind_add_nothing_to_any_cache(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from component_framework.core import _events

    components, app = build_app()
    signer = components.signer
    with TestClient(app) as client, caplog.at_level(logging.CRITICAL):
        reply = mount(client)
        ok = client.post("/cf/event", json=message(reply, "increment"), headers=HEADERS)
        assert ok.status_code == 200
        sizes = (len(_events._cache), len(signer._heads), len(signer._tokens))
        for i in range(100):
            hostile = [
                message(reply, f"event_{i}"),  # unknown event
                message(reply, "increment", component_id=f"id-{i}"),  # moved state
                message(reply, "increment", checksum=f"r{i}:" + "0" * 64),  # forged release
                {"component": f"component_{i}"},  # unknown component
            ]
            for body in hostile:
                assert client.post("/cf/event", json=body, headers=HEADERS).status_code >= 400
        assert (len(_events._cache), len(signer._heads), len(signer._tokens)) == sizes


def test_a_release_part_longer_than_any_release_is_refused_unhashed(
    signer: Signer, caplog: pytest.LogCaptureFixture
) -> None:
    checksum = "r" * 129 + ":" + "0" * 64
    with (
        caplog.at_level(logging.WARNING, logger=SECURITY),
        pytest.raises(StateIntegrityError) as info,
    ):
        signer.verify("counter", "c-1", "{}", checksum)
    assert str(info.value) == "State checksum is malformed; the state was refused."
    assert Signer([KEY], release="r" * 128).release == "r" * 128
    with pytest.raises(ConfigurationError, match=r"is 129 characters; use 1-128"):
        Signer([KEY], release="r" * 129)
    with pytest.raises(ConfigurationError, match=r"is 0 characters; use 1-128"):
        Signer([KEY], release="")


def test_verifying_never_fills_the_signers_caches(signer: Signer) -> None:
    state_json, checksum = signer.sign_state("counter", "c-1", {"count": 1})
    heads, tokens = dict(signer._heads), dict(signer._tokens)
    for forged in ("x" * 1000 + ":" + "0" * 64, "2:" + "0" * 64, checksum):
        with contextlib.suppress(StateIntegrityError):
            signer.verify("counter", "c-2", state_json, forged)
    with pytest.raises(StateIntegrityError):
        signer.verify_subscription("c-9", "counter:" + "9" * 10 + ":" + "0" * 64)
    assert signer._heads == heads
    assert signer._tokens == tokens


def test_the_signers_caches_stay_bounded_and_keep_working(signer: Signer) -> None:
    for i in range(signing._CACHE_SIZE + 50):
        signer.sign("counter", f"c-{i}", "{}")
        signer.subscription_token("counter", f"c-{i}")
    assert len(signer._heads) == signing._CACHE_SIZE
    assert len(signer._tokens) == signing._CACHE_SIZE
    # The oldest went first; everything still signs and verifies.
    assert ("counter", "c-0", "1") not in signer._heads
    assert ("counter", f"c-{signing._CACHE_SIZE + 49}", "1") in signer._heads
    checksum = signer.sign("counter", "c-0", "{}")
    signer.verify("counter", "c-0", "{}", checksum)
    long_id = "i" * 2000
    signer.sign("counter", long_id, "{}")
    assert ("counter", long_id, "1") not in signer._heads  # too long to keep


# ---------- Item 8: a non-ASCII digest is a refusal, not a server error ----------


HOSTILE_DIGESTS = ["é" * 64, "0" * 63 + "é", "\uff10" * 64, "A" * 64, "\udcff" * 64]
DIGEST_IDS = ["latin-1", "last-char", "fullwidth-digits", "uppercase", "lone-surrogates"]


@pytest.mark.parametrize("digest", HOSTILE_DIGESTS, ids=DIGEST_IDS)
def test_a_non_ascii_digest_in_a_checksum_is_a_403(
    client: TestClient, caplog: pytest.LogCaptureFixture, digest: str
) -> None:
    reply = mount(client)
    before = signing.integrity_failures
    body = message(reply, "increment", checksum="1:" + digest)
    with caplog.at_level(logging.WARNING):
        response = client.post(
            "/cf/event",
            content=_json(body),
            headers=HEADERS,
        )
    assert response.status_code == 403
    assert response.json() == {
        "type": "error",
        "error": "State checksum is malformed; the state was refused.",
        "code": "tampered_state",
    }
    assert signing.integrity_failures == before + 1
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("digest", HOSTILE_DIGESTS, ids=DIGEST_IDS)
def test_a_non_ascii_digest_in_a_subscribe_token_is_refused(
    client: TestClient, caplog: pytest.LogCaptureFixture, digest: str
) -> None:
    reply = mount(client)
    before = signing.integrity_failures
    issued = reply["subscribe_token"].split(":")[1]
    with caplog.at_level(logging.WARNING), client.websocket_connect("/cf/ws") as socket:
        token = f"counter:{issued}:{digest}"
        socket.send_text(
            _json({"type": "subscribe", "component_id": reply["component_id"], "token": token})
        )
        answer = socket.receive_json()
    assert answer["type"] == "error"
    assert answer["error"] == "Subscription refused: the token is missing or invalid."
    assert signing.integrity_failures == before + 1
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def _json(value: Any) -> str:
    import json

    # ensure_ascii keeps lone surrogates encodable; the server decodes them as the attacker sent.
    return json.dumps(value)


# ---------- Subscription tokens have a lifetime ----------


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def test_a_token_carries_its_issue_time_and_expires(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    signer = Signer([KEY], subscription_lifetime=3600, clock=clock)
    token = signer.subscription_token("counter", "c-1")
    assert token.split(":")[:2] == ["counter", "1800000000"]
    clock.now += 3600
    assert signer.verify_subscription("c-1", token) == "counter"
    clock.now += 1
    before = signing.integrity_failures
    with caplog.at_level(logging.WARNING, logger=SECURITY), pytest.raises(StaleStateError) as info:
        signer.verify_subscription("c-1", token)
    assert str(info.value) == (
        "Subscription refused: the token expired (tokens last 3,600 s). "
        "Reload the page to receive live updates again."
    )
    assert signing.integrity_failures == before + 1
    assert "expired subscription token" in caplog.text
    # A render issues a fresh token, which subscribes again.
    assert signer.verify_subscription("c-1", signer.subscription_token("counter", "c-1"))


def test_a_token_cannot_be_made_younger(signer: Signer) -> None:
    token = signer.subscription_token("counter", "c-1")
    component, issued, digest = token.split(":")
    for forged in (f"{component}:{int(issued) + 10**6}:{digest}", f"{component}:{digest}"):
        with pytest.raises(StateIntegrityError, match="missing or invalid"):
            signer.verify_subscription("c-1", forged)


def test_an_expired_token_is_refused_on_the_websocket() -> None:
    clock = Clock()
    _, app = build_app(Signer([KEY], subscription_lifetime=60, clock=clock))
    with TestClient(app) as client:
        reply = mount(client)
        clock.now += 61
        with client.websocket_connect("/cf/ws") as socket:
            token = reply["subscribe_token"]
            cid = reply["component_id"]
            socket.send_json({"type": "subscribe", "component_id": cid, "token": token})
            answer = socket.receive_json()
    assert answer["type"] == "error"
    assert answer["code"] == "stale_state"
    assert answer["error"].startswith("Subscription refused: the token expired")


def test_the_lifetime_is_configurable(monkeypatch: pytest.MonkeyPatch, cf_defaults: None) -> None:
    assert configure(KEY).subscription_lifetime == 86_400
    assert configure(KEY, subscription_lifetime=90).subscription_lifetime == 90
    monkeypatch.setenv("CF_SUBSCRIPTION_LIFETIME", "120")
    assert configure(KEY).subscription_lifetime == 120
    for bad in ("soon", "-5", "0", "nan", "inf"):
        monkeypatch.setenv("CF_SUBSCRIPTION_LIFETIME", bad)
        with pytest.raises(ConfigurationError, match=r"^CF_SUBSCRIPTION_LIFETIME=.* is not a"):
            configure(KEY)
    with pytest.raises(ConfigurationError, match="subscription_lifetime must be a positive"):
        Signer([KEY], subscription_lifetime=0)


# ---------- The documentation of what signing promises ----------


def test_the_safe_pattern_in_the_docs_runs() -> None:
    """docs/core.md shows the pattern that survives a page rolling its state back; run it."""
    import re
    from pathlib import Path

    text = (Path(__file__).parents[2] / "docs" / "core.md").read_text()
    section = text.split("## What signed state promises", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(blocks) == 1
    namespace: dict[str, Any] = {"__name__": "docs_core_signed_state"}
    exec(compile(blocks[0], "docs/core.md", "exec"), namespace)
    assert namespace["ledger"].balances == {"alice": 30}
