"""Lazy components: the page's render holds a placeholder and the signed mount parameters;
the page's mount message mounts the component under the root's id."""

from __future__ import annotations

import html
import re
from typing import Any, ClassVar

import pytest
from jinja2 import DictLoader

from component_framework.core import Component, ComponentRegistry, IsAuthenticated
from component_framework.core._markup import component_root
from component_framework.core.config import AppConfig
from component_framework.core.exceptions import ConfigurationError
from component_framework.core.jinja import JinjaRenderer
from component_framework.core.protocol import handle_message
from component_framework.core.signing import Signer

RENDERER = JinjaRenderer(
    loader=DictLoader(
        {
            "report.html": "<p>{{ state.title }}: {{ state.total }}</p>",
            "wait.html": "<p>Counting {{ params.title }} in {{ component_id }}...</p>",
        }
    )
)


MOUNTED: list[str] = []


@pytest.fixture
def config(fresh_registry: ComponentRegistry, signer: Signer) -> AppConfig:
    MOUNTED.clear()

    @fresh_registry.register("report")
    class Report(Component):
        template_name = "report.html"
        placeholder_template = "wait.html"
        renderer = RENDERER
        lazy: ClassVar[bool] = True

        def mount(self) -> None:
            super().mount()
            MOUNTED.append(self.id)
            self.state.update(title=self.params["title"], total=42)

    @fresh_registry.register("later")
    class Later(Report):
        lazy: ClassVar[Any] = "visible"
        placeholder_template = None

    @fresh_registry.register("private")
    class Private(Report):
        permission_classes: ClassVar[list[Any]] = [IsAuthenticated]

    @fresh_registry.register("fixed")
    class Fixed(Report):
        remountable = False

    return AppConfig(registry=fresh_registry, signer=signer)


def _attributes(root: str) -> dict[str, str]:
    start = root[: root.index(">")]
    return {k: html.unescape(v) for k, v in re.findall(r'([\w-]+)="([^"]*)"', start)}


def _root(config: AppConfig, name: str, **params: Any) -> str:
    return str(component_root(name, None, params=params, config=config, endpoint="/cf"))


async def test_the_page_gets_a_placeholder_and_mounts_it_later(config: AppConfig) -> None:
    root = _root(config, "report", title="Sales")
    found = _attributes(root)
    assert found["data-cf-lazy"] == "load"
    assert f"<p>Counting Sales in {found['data-cf-id']}...</p></div>" in root
    assert "data-cf-state" not in found and MOUNTED == []
    assert config.signer.verify_subscription(found["data-cf-id"], found["data-cf-token"])
    message = {
        "type": "component_event",
        "component": "report",
        "component_id": found["data-cf-id"],
        "state": None,
        "mount": found["data-cf-mount"],
        "mount_checksum": found["data-cf-mount-checksum"],
    }
    reply = await handle_message(message, config=config)
    assert reply["html"] == "<p>Sales: 42</p>"
    assert reply["component_id"] == found["data-cf-id"] == MOUNTED[0]
    forged = {**message, "mount": '{"title": "Payroll"}'}
    assert (await handle_message(forged, config=config))["code"] == "tampered_state"


def test_visible_and_the_default_placeholder(config: AppConfig) -> None:
    root = _root(config, "later", title="x")
    assert _attributes(root)["data-cf-lazy"] == "visible"
    assert '<p class="cf-placeholder" aria-busy="true">Loading...</p></div>' in root


def test_permissions_are_checked_before_the_placeholder(config: AppConfig) -> None:
    root = _root(config, "private", title="x")
    assert 'role="alert"' in root and "Counting" not in root and "data-cf-mount" not in root


def test_a_lazy_component_needs_mount_parameters_the_page_can_carry(config: AppConfig) -> None:
    with pytest.raises(ConfigurationError, match=r"Fixed is lazy.*needs remountable = True"):
        _root(config, "fixed", title="x")
    with pytest.raises(ConfigurationError, match="parameters JSON carries exactly"):
        _root(config, "report", title={1, 2})
