"""Optimistic patches computed from the event bindings in a component's HTML."""

from __future__ import annotations

import json
from typing import Any

import pytest

from component_framework.core import Component
from component_framework.core._optimistic import has_optimistic_patches, optimistic_patches


class Likes(Component):
    def get_optimistic_patch(self, event: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        if event == "boom":
            raise ValueError("broken patch")
        if event == "like":
            return {"likes": self.state["likes"] + payload.get("by", 1)}
        return None


def patches(html: str) -> dict[str, Any]:
    return optimistic_patches(Likes, "component-1", html, json.dumps({"likes": 1}))


def test_only_overriding_classes_compute_patches() -> None:
    assert has_optimistic_patches(Likes)
    assert not has_optimistic_patches(Component)


def test_each_binding_gets_its_patch_keyed_by_event_and_raw_payload() -> None:
    html = (
        '<button cf-click="like">+1</button>'
        "<button cf-click=\"like\" cf-payload='{&quot;by&quot;: 5}'>+5</button>"
        '<input cf-keydown.enter="like"><form cf-submit="other"></form>'
    )
    assert patches(html) == {"like|": {"likes": 2}, 'like|{"by": 5}': {"likes": 6}}


@pytest.mark.parametrize(
    "binding",
    [
        'cf-blur="like"',
        'cf-focus="like"',
        'cf-click-away="like"',
        'cf-visible="like"',
        'cf-window-keydown.escape="like"',
        'cf-window-keydown="like"',
    ],
)
def test_every_kind_of_binding_gets_its_patch(binding: str) -> None:
    assert patches(f"<div {binding}></div>") == {"like|": {"likes": 2}}


def test_bad_payloads_and_broken_patches_are_skipped(caplog: pytest.LogCaptureFixture) -> None:
    html = (
        "<button cf-click=\"like\" cf-payload='not json'></button>"
        "<button cf-click=\"like\" cf-payload='[1]'></button>"
        '<button cf-click="boom"></button>'
    )
    assert patches(html) == {}
    assert "get_optimistic_patch('boom') failed" in caplog.text


def test_html_without_bindings_builds_no_component() -> None:
    assert optimistic_patches(Likes, "component-1", "<p>static</p>", "not even json") == {}
