"""State integrity: signed state, key rotation, stale releases, refusals logged and counted."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from typing import Any

import pytest

from component_framework.core import Component, ComponentRegistry, signing
from component_framework.core.exceptions import (
    ConfigurationError,
    StaleStateError,
    StateIntegrityError,
)
from component_framework.core.protocol import handle_message, http_status, signed_message
from component_framework.core.signing import Signer, configure, get_signer

from ._support import Plain

KEY = "test-secret-key-0123456789abcdef"
SECURITY = "component_framework.security"


@pytest.fixture(autouse=True)
def restore_global_signer(cf_defaults: None) -> None:
    """Tests here configure the process-wide signer: cf_defaults restores it."""


# ---------- Signer ----------


def test_round_trip(signer: Signer) -> None:
    state_json, checksum = signer.sign_state("counter", "c-1", {"count": 1, "a": "é"})
    assert state_json == '{"a":"é","count":1}'
    assert signer.verify_state("counter", "c-1", state_json, checksum) == {"count": 1, "a": "é"}


def test_checksum_is_release_and_full_hmac_sha256_over_canonical_json(signer: Signer) -> None:
    state_json, checksum = signer.sign_state("counter", "c-1", {"count": 1})
    envelope = json.dumps(
        ["counter", "c-1", "1", {"count": 1}], sort_keys=True, separators=(",", ":")
    ).encode()
    expected = hmac.new(KEY.encode(), envelope, hashlib.sha256).hexdigest()
    assert checksum == f"1:{expected}"
    assert signer.sign("counter", "c-1", state_json) == checksum


def refused(
    caplog: pytest.LogCaptureFixture, call: Any, error: type[Exception], message: str
) -> None:
    before = signing.integrity_failures
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger=SECURITY), pytest.raises(error) as info:
        call()
    assert str(info.value) == message
    assert signing.integrity_failures == before + 1
    records = [r for r in caplog.records if r.name == SECURITY]
    assert [r.levelno for r in records] == [logging.WARNING]


def test_tampered_state_is_refused(signer: Signer, caplog: pytest.LogCaptureFixture) -> None:
    _, checksum = signer.sign_state("counter", "c-1", {"count": 1})
    refused(
        caplog,
        lambda: signer.verify_state("counter", "c-1", '{"count":1000}', checksum),
        StateIntegrityError,
        "State checksum does not match; the state was refused.",
    )


def test_tampered_checksum_is_refused(signer: Signer, caplog: pytest.LogCaptureFixture) -> None:
    state_json, checksum = signer.sign_state("counter", "c-1", {"count": 1})
    flipped = checksum[:-1] + ("0" if checksum[-1] != "0" else "1")
    refused(
        caplog,
        lambda: signer.verify_state("counter", "c-1", state_json, flipped),
        StateIntegrityError,
        "State checksum does not match; the state was refused.",
    )


@pytest.mark.parametrize("checksum", [None, "", 12, ["1:abc"]])
def test_missing_checksum_is_refused(
    signer: Signer, caplog: pytest.LogCaptureFixture, checksum: Any
) -> None:
    refused(
        caplog,
        lambda: signer.verify_state("counter", "c-1", '{"count":1}', checksum),
        StateIntegrityError,
        "State has no checksum; it was refused.",
    )


@pytest.mark.parametrize("checksum", ["abc", "1:abc", "1" * 64])
def test_malformed_checksum_is_refused(
    signer: Signer, caplog: pytest.LogCaptureFixture, checksum: str
) -> None:
    refused(
        caplog,
        lambda: signer.verify_state("counter", "c-1", '{"count":1}', checksum),
        StateIntegrityError,
        "State checksum is malformed; the state was refused.",
    )


@pytest.mark.parametrize(("name", "component_id"), [("admin_panel", "c-1"), ("counter", "c-2")])
def test_a_checksum_of_another_component_or_id_is_refused(
    signer: Signer, caplog: pytest.LogCaptureFixture, name: str, component_id: str
) -> None:
    state_json, checksum = signer.sign_state("counter", "c-1", {"count": 1})
    refused(
        caplog,
        lambda: signer.verify_state(name, component_id, state_json, checksum),
        StateIntegrityError,
        "State checksum does not match; the state was refused.",
    )


def test_another_key_is_refused(caplog: pytest.LogCaptureFixture) -> None:
    state_json, checksum = Signer(["another-secret-key-0123456789"]).sign_state("c", "i", {})
    refused(
        caplog,
        lambda: Signer([KEY]).verify_state("c", "i", state_json, checksum),
        StateIntegrityError,
        "State checksum does not match; the state was refused.",
    )


def test_key_rotation_old_key_verifies_new_key_signs() -> None:
    old = Signer(["old-secret-key-0123456789"])
    rotated = Signer(["new-secret-key-0123456789", "old-secret-key-0123456789"])
    state_json, old_checksum = old.sign_state("counter", "c-1", {"count": 1})
    assert rotated.verify_state("counter", "c-1", state_json, old_checksum) == {"count": 1}
    _, new_checksum = rotated.sign_state("counter", "c-1", {"count": 1})
    assert new_checksum != old_checksum
    assert new_checksum == Signer(["new-secret-key-0123456789"]).sign("counter", "c-1", state_json)
    with pytest.raises(StateIntegrityError):
        old.verify("counter", "c-1", state_json, new_checksum)


def test_state_of_an_older_release_asks_for_a_reload(caplog: pytest.LogCaptureFixture) -> None:
    state_json, checksum = Signer([KEY], release="2026-01").sign_state("counter", "c-1", {})
    current = Signer([KEY], release="2026-02")
    before = signing.integrity_failures
    with caplog.at_level(logging.WARNING, logger=SECURITY), pytest.raises(StaleStateError) as info:
        current.verify_state("counter", "c-1", state_json, checksum)
    assert str(info.value) == (
        "This page was rendered by an earlier version of the application. "
        "Reload the page to continue."
    )
    assert (info.value.code, info.value.status) == ("stale_state", 409)
    assert signing.integrity_failures == before + 1
    assert "signed by release '2026-01'" in caplog.text


def test_a_forged_checksum_claiming_an_old_release_is_a_tamper_not_stale(
    caplog: pytest.LogCaptureFixture,
) -> None:
    current = Signer([KEY], release="2026-02")
    refused(
        caplog,
        lambda: current.verify_state("counter", "c-1", "{}", "2026-01:" + "ab" * 32),
        StateIntegrityError,
        "State checksum does not match; the state was refused.",
    )


def test_signed_text_that_is_not_an_object_is_refused(signer: Signer) -> None:
    checksum = signer.sign("counter", "c-1", "[1]")
    with pytest.raises(StateIntegrityError, match=r"^Signed state is not a JSON object\.$"):
        signer.verify_state("counter", "c-1", "[1]", checksum)


# ---------- Configuration ----------


def test_signer_needs_a_long_key() -> None:
    with pytest.raises(ConfigurationError, match=r"^No secret key: set CF_SECRET_KEY"):
        Signer([])
    with pytest.raises(ConfigurationError, match=r"^Secret key is 5 bytes; use at least 16"):
        Signer(["short"])
    with pytest.raises(ConfigurationError, match=r"^Release 'a:b' must not contain ':'\.$"):
        Signer([KEY], release="a:b")
    assert repr(Signer([KEY, KEY + "x"], release="7")) == "<Signer release='7' keys=2>"


def test_configure_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CF_SECRET_KEY", "env-secret-key-0123456789")
    monkeypatch.setenv("CF_SECRET_KEY_FALLBACKS", "old-secret-key-0123456789, ")
    monkeypatch.setenv("CF_RELEASE", "42")
    signer = configure()
    assert get_signer() is signer
    assert signer.release == "42"
    old = Signer(["old-secret-key-0123456789"], release="42")
    state_json, checksum = old.sign_state("c", "i", {"a": 1})
    assert signer.verify_state("c", "i", state_json, checksum) == {"a": 1}
    new = Signer(["env-secret-key-0123456789"], release="42")
    assert signer.sign("c", "i", state_json) == new.sign("c", "i", state_json)


def test_configure_without_a_key_refuses_unless_ephemeral(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CF_SECRET_KEY")
    monkeypatch.delenv("CF_SECRET_KEY_FALLBACKS", raising=False)
    with pytest.raises(ConfigurationError, match=r"^No secret key configured: set CF_SECRET_KEY"):
        configure()
    first = configure(ephemeral=True)
    second = configure(ephemeral=True)
    state_json, checksum = first.sign_state("c", "i", {})
    with pytest.raises(StateIntegrityError):
        second.verify("c", "i", state_json, checksum)


def test_get_signer_without_a_key_warns_and_uses_a_random_key(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("CF_SECRET_KEY")
    signing._restore(None)  # this module's own test: as in a fresh process
    with caplog.at_level(logging.WARNING, logger=SECURITY):
        signer = get_signer()
    assert "CF_SECRET_KEY is not set: using a random key for this process" in caplog.text
    assert get_signer() is signer


def test_configure_with_explicit_arguments() -> None:
    signer = configure(KEY, fallback_keys=["older-secret-key-012345"], release="9")
    assert signer.release == "9"
    assert get_signer() is signer


# ---------- Subscription tokens ----------


def test_subscription_tokens(signer: Signer, caplog: pytest.LogCaptureFixture) -> None:
    token = signer.subscription_token("counter", "c-1")
    assert token.startswith("counter:")
    assert signer.verify_subscription("c-1", token) == "counter"
    for bad in (None, "", "counter:" + "0" * 64, token[:-1], 5):
        with pytest.raises(StateIntegrityError, match=r"^Subscription refused: the token"):
            signer.verify_subscription("c-1", bad)
    with pytest.raises(StateIntegrityError):
        signer.verify_subscription("c-2", token)  # a token for another id
    forged = "admin:" + token.split(":", 1)[1]
    with pytest.raises(StateIntegrityError):
        signer.verify_subscription("c-1", forged)


# ---------- Refused before any component code runs ----------


def make_counter(registry: ComponentRegistry) -> list[str]:
    ran: list[str] = []

    @registry.register("counter")
    class Counter(Component):
        template_name = "counter.html"
        renderer = Plain()

        def __init__(self, **params: Any) -> None:
            ran.append("init")
            super().__init__(**params)

        def mount(self) -> None:
            ran.append("mount")
            super().mount()
            self.state["count"] = 0

        def hydrate(self, state: dict[str, Any]) -> None:
            ran.append("hydrate")
            super().hydrate(state)

        def on_increment(self) -> None:
            ran.append("increment")
            self.state["count"] += 1

    return ran


def counter_message(signer: Signer, **overrides: Any) -> dict[str, Any]:
    message = signed_message(
        "counter", "increment", state={"count": 1}, component_id="c-1", signer=signer
    )
    message.update(overrides)
    return message


async def test_the_signed_round_trip_through_handle_message(
    fresh_registry: ComponentRegistry, signer: Signer
) -> None:
    ran = make_counter(fresh_registry)
    reply = await handle_message(counter_message(signer), registry=fresh_registry, signer=signer)
    assert reply["type"] == "component_update"
    assert reply["state"] == '{"count":2}'
    assert reply["checksum"] == signer.sign("counter", "c-1", '{"count":2}')
    assert ran == ["init", "hydrate", "increment"]
    # The reply's state and checksum are accepted back.
    again = counter_message(signer, state=reply["state"], checksum=reply["checksum"])
    second = await handle_message(again, registry=fresh_registry, signer=signer)
    assert second["state"] == '{"count":3}'


def _tampered(signer: Signer) -> dict[str, Any]:
    return counter_message(signer, state='{"count":1000}')


def _flipped(signer: Signer) -> dict[str, Any]:
    message = counter_message(signer)
    message["checksum"] = message["checksum"][:-4] + "0000"
    return message


def _foreign_name(signer: Signer) -> dict[str, Any]:
    state_json, checksum = signer.sign_state("admin_panel", "c-1", {"count": 1})
    return counter_message(signer, state=state_json, checksum=checksum)


def _foreign_id(signer: Signer) -> dict[str, Any]:
    state_json, checksum = signer.sign_state("counter", "c-other", {"count": 1})
    return counter_message(signer, state=state_json, checksum=checksum)


@pytest.mark.parametrize(
    ("build", "error"),
    [
        (_tampered, "State checksum does not match; the state was refused."),
        (_flipped, "State checksum does not match; the state was refused."),
        (lambda s: counter_message(s, checksum=None), "State has no checksum; it was refused."),
        (
            lambda s: {k: v for k, v in counter_message(s).items() if k != "checksum"},
            "State has no checksum; it was refused.",
        ),
        (_foreign_name, "State checksum does not match; the state was refused."),
        (_foreign_id, "State checksum does not match; the state was refused."),
    ],
)
async def test_bad_state_is_refused_before_any_component_code(
    fresh_registry: ComponentRegistry,
    signer: Signer,
    caplog: pytest.LogCaptureFixture,
    build: Any,
    error: str,
) -> None:
    ran = make_counter(fresh_registry)
    before = signing.integrity_failures
    with caplog.at_level(logging.WARNING, logger=SECURITY):
        reply = await handle_message(build(signer), registry=fresh_registry, signer=signer)
    assert reply == {"type": "error", "error": error, "code": "tampered_state"}
    assert http_status(reply) == 403
    assert ran == []
    assert signing.integrity_failures == before + 1
    security = [r for r in caplog.records if r.name == SECURITY]
    assert [r.levelname for r in security] == ["WARNING"]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_state_from_an_older_release_asks_for_a_reload(
    fresh_registry: ComponentRegistry, caplog: pytest.LogCaptureFixture
) -> None:
    ran = make_counter(fresh_registry)
    old = Signer([KEY], release="2026-01")
    new = Signer([KEY], release="2026-02")
    before = signing.integrity_failures
    with caplog.at_level(logging.WARNING, logger=SECURITY):
        reply = await handle_message(counter_message(old), registry=fresh_registry, signer=new)
    assert reply["code"] == "stale_state"
    assert "Reload the page" in reply["error"]
    assert http_status(reply) == 409
    assert ran == []
    assert signing.integrity_failures == before + 1
    assert [r.levelname for r in caplog.records if r.name == SECURITY] == ["WARNING"]


async def test_state_without_a_component_id_is_refused(
    fresh_registry: ComponentRegistry, signer: Signer
) -> None:
    ran = make_counter(fresh_registry)
    message = counter_message(signer, component_id=None)
    reply = await handle_message(message, registry=fresh_registry, signer=signer)
    assert reply == {
        "type": "error",
        "error": "Field 'component_id' is required when 'state' is sent.",
        "code": "bad_message",
    }
    assert ran == []


def test_0_6_0_names_configure_the_process_wide_signer_and_name_refusals(
    cf_defaults: None,
) -> None:
    from component_framework.core.signing import CorruptStateError, StateSigner

    assert CorruptStateError is StateIntegrityError
    signer = StateSigner.configure("n" * 32, "o" * 32)
    assert get_signer() is signer
    old = Signer(["o" * 32])
    state_json, checksum = old.sign_state("counter", "c-1", {"count": 1})
    assert signer.verify_state("counter", "c-1", state_json, checksum) == {"count": 1}
    with pytest.raises(ConfigurationError, match="always signed"):
        StateSigner.configure()
    StateSigner.reset()
    assert get_signer() is not signer
