"""AppConfig: one app's settings, and what it leaves to the process-wide defaults."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from component_framework.core import ComponentRegistry, registry
from component_framework.core import state as state_module
from component_framework.core.config import DEFAULT_CONFIG, AppConfig, Limits, config_of
from component_framework.core.exceptions import ConfigurationError
from component_framework.core.protocol import handle_message
from component_framework.core.signing import Signer, configure, get_signer
from component_framework.core.state import InMemoryStateStore
from component_framework.web import ComponentApp


def test_what_a_config_leaves_out_follows_the_process_wide_defaults(cf_defaults: None) -> None:
    config = AppConfig()
    assert config.registry is registry
    assert config.signer is get_signer()
    replaced = configure("another-secret-key-0123456789")
    assert config.signer is replaced  # looked up at each use, not frozen at creation
    store = InMemoryStateStore()
    state_module.configure(store)
    assert config.store is store
    assert config.max_body_bytes == config.limits.max_message_bytes == 1024 * 1024
    assert config.body_timeout == 30.0 and config.allowed_origins == ()


def test_replace_returns_a_changed_copy(signer: Signer) -> None:
    shop = ComponentRegistry()
    config = AppConfig(registry=shop, signer=signer, max_body_bytes=10)
    smaller = config.replace(limits=Limits(max_depth=4), allowed_origins=["https://a.example"])
    assert (smaller.registry, smaller.signer, smaller.max_body_bytes) == (shop, signer, 10)
    assert smaller.limits.max_depth == 4 and smaller.allowed_origins == ("https://a.example",)
    assert config.limits.max_depth == 32  # the original is unchanged
    with pytest.raises(TypeError, match="AppConfig has no option"):
        config.replace(registy=shop)
    assert repr(config).startswith("<AppConfig components=0 ")


def test_bad_settings_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"limits must be a .*Limits, got 5"):
        AppConfig(limits=5)  # type: ignore[arg-type]
    opened = AppConfig(store=f"sqlite:///{tmp_path}/s.db").store
    assert type(opened).__name__ == "SQLiteStateStore" and opened is not None
    opened.close()


def test_for_app_configures_signing_as_the_app_options_say(
    cf_defaults: None, monkeypatch: pytest.MonkeyPatch, signer: Signer
) -> None:
    monkeypatch.delenv("CF_SECRET_KEY")
    with pytest.raises(ConfigurationError, match=r"pass ComponentApp\(secret_key=\.\.\.\)"):
        AppConfig.for_app("ComponentApp")
    assert AppConfig.for_app("X", debug=True).signer is get_signer()
    with pytest.raises(ConfigurationError, match="both config= and secret_key="):
        AppConfig.for_app("X", config=AppConfig(signer=signer), secret_key="k" * 20)
    base = AppConfig(signer=signer)
    assert AppConfig.for_app("X", config=base) is base
    assert AppConfig.for_app("X", config=base, body_timeout=1).body_timeout == 1


def test_the_options_of_the_documented_api_replace_the_configs(signer: Signer) -> None:
    shop = ComponentRegistry()
    assert config_of(None) is DEFAULT_CONFIG
    derived = config_of(None, shop, signer)
    assert (derived.registry, derived.signer) == (shop, signer)
    assert config_of(None, shop, signer) is derived  # built once for the same options
    reply = asyncio.run(handle_message({"component": "counter"}, registry=shop, signer=signer))
    assert reply["code"] == "unknown_component"


def test_component_app_takes_a_config_and_its_options_replace_the_configs(
    signer: Signer,
) -> None:
    shop = ComponentRegistry()
    config = AppConfig(registry=shop, signer=signer, body_timeout=5)
    app = ComponentApp(config=config)
    assert app.config is config and app.registry is shop and app.body_timeout == 5
    tighter = ComponentApp(config=config, limits=Limits(max_message_bytes=100))
    assert tighter.max_body_bytes == 100 and tighter.registry is shop
