"""A server that cannot speak WebSocket says so when the app is created (issue 12, bug 1)."""

from __future__ import annotations

import logging
import sys
import tomllib
from pathlib import Path

import pytest

from component_framework.core.signing import get_signer
from component_framework.web import ComponentApp

ROOT = Path(__file__).resolve().parents[2]


def test_app_warns_at_start_up_without_a_websocket_library(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(sys.modules, "websockets", None)  # as if not installed
    monkeypatch.setitem(sys.modules, "wsproto", None)
    with caplog.at_level(logging.WARNING, logger="component_framework"):
        ComponentApp(signer=get_signer())
    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("No WebSocket library is installed" in m for m in messages), messages
    assert any("pip install websockets" in m for m in messages)


def test_app_is_quiet_when_websockets_is_installed(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="component_framework"):
        ComponentApp(signer=get_signer())
    assert not [r for r in caplog.records if "WebSocket library" in r.getMessage()]


def test_the_plain_install_brings_a_websocket_library() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = [dep.split(">")[0].split("[")[0].strip() for dep in project["dependencies"]]
    assert "websockets" in names or "uvicorn" in [
        dep.split("[")[0] for dep in project["dependencies"] if "[standard]" in dep
    ]
