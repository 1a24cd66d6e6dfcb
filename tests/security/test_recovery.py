"""Remounts under attack: the client never chooses mount parameters, and a refusal is counted.

A page may ask for its component to be mounted again (its state was refused: a new release, an
expired stored state, a key the server no longer has) only with the parameters and id the
server signed for it at its render. Everything else is refused before any component code runs,
and counted like a tampered state.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from component_framework.core import signing
from component_framework.core.signing import Signer
from component_framework.web import ComponentApp

from ._hostile import HEADERS, KEY, build_registry

mounts_run: list[dict[str, Any]] = []


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def components(clock: Clock) -> ComponentApp:
    registry = build_registry()
    counter = registry["counter"]
    original = counter.mount

    def mount(self: Any) -> None:  # records every mount: a refused remount runs none
        mounts_run.append(dict(self.params))
        original(self)

    counter.mount = mount  # type: ignore[method-assign]
    mounts_run.clear()
    return ComponentApp(registry=registry, signer=Signer([KEY], clock=clock))


@pytest.fixture
def client(components: ComponentApp) -> Iterator[TestClient]:
    with TestClient(Starlette(routes=[components.mount()])) as test_client:
        yield test_client


def rendered(components: ComponentApp, **params: Any) -> dict[str, str]:
    root = str(components.render("counter", None, **params))
    found = re.findall(r'(data-cf-[a-z-]+)="([^"]*)"', root[: root.index(">")])
    mounts_run.clear()
    return {name: html.unescape(value) for name, value in found}


def remount(root: dict[str, str], **fields: Any) -> dict[str, Any]:
    return {
        "component": "counter",
        "component_id": root["data-cf-id"],
        "event": None,
        "mount": root["data-cf-mount"],
        "mount_checksum": root["data-cf-mount-checksum"],
        **fields,
    }


def refused(client: TestClient, body: dict[str, Any], status: int, code: str) -> None:
    before = signing.integrity_failures
    response = client.post("/cf/event", json=body, headers=HEADERS)
    assert (response.status_code, response.json()["code"]) == (status, code), response.text
    assert signing.integrity_failures == before + 1
    assert mounts_run == []  # no component code ran


def test_the_signed_parameters_mount_the_component(
    components: ComponentApp, client: TestClient
) -> None:
    root = rendered(components, start=5, label="mine")
    response = client.post("/cf/event", json=remount(root), headers=HEADERS)
    assert response.status_code == 200
    assert mounts_run == [{"start": 5, "label": "mine", "component_id": root["data-cf-id"]}]


def test_changed_parameters_are_refused_as_tampered(
    components: ComponentApp, client: TestClient
) -> None:
    root = rendered(components, start=5)
    for mount in ('{"start":5000}', '{"start":5,"label":"admin"}', '{"start": 5}', "{}"):
        refused(client, remount(root, mount=mount), 403, "tampered_state")


def test_a_token_moved_to_another_id_or_component_is_refused(
    components: ComponentApp, client: TestClient
) -> None:
    root = rendered(components, start=5)
    other = rendered(components, start=5)
    refused(client, remount(root, component_id=other["data-cf-id"]), 403, "tampered_state")
    refused(client, remount(root, component="steps"), 403, "tampered_state")


def test_a_token_signed_with_a_key_the_server_does_not_have_is_refused(
    client: TestClient, clock: Clock
) -> None:
    foreign = ComponentApp(registry=build_registry(), signer=Signer(["x" * 32], clock=clock))
    refused(client, remount(rendered(foreign, start=5)), 403, "tampered_state")


def test_missing_malformed_and_hostile_tokens_are_refused(
    components: ComponentApp, client: TestClient
) -> None:
    root = rendered(components)
    digest = root["data-cf-mount-checksum"].partition(":")[2]
    for token in (None, "", "5", ":" + digest, "1e6:" + digest, "é" * 70, 12, ["x"]):
        refused(client, remount(root, mount_checksum=token), 403, "tampered_state")
    future = f"{10**13}:{digest}"  # more digits than an issue time has
    refused(client, remount(root, mount_checksum=future), 403, "tampered_state")


def test_an_expired_token_is_stale(
    components: ComponentApp, client: TestClient, clock: Clock
) -> None:
    root = rendered(components)
    clock.now += components.signer.subscription_lifetime + 1
    refused(client, remount(root), 409, "stale_state")


def test_a_mount_that_is_not_a_string_is_a_bad_message(
    components: ComponentApp, client: TestClient
) -> None:
    root = rendered(components)
    for mount in ({"start": 1}, 5, ["{}"]):
        response = client.post("/cf/event", json=remount(root, mount=mount), headers=HEADERS)
        assert (response.status_code, response.json()["code"]) == (400, "bad_message")
    assert mounts_run == []


def test_a_tampered_state_is_still_refused_and_counted(
    components: ComponentApp, client: TestClient
) -> None:
    """The way back (a remount) exists, but a changed state is never used."""
    root = rendered(components, start=5)
    body = {
        "component": "counter",
        "component_id": root["data-cf-id"],
        "event": "increment",
        "state": root["data-cf-state"].replace('"count":5', '"count":5000'),
        "checksum": root["data-cf-checksum"],
    }
    refused(client, body, 403, "tampered_state")
