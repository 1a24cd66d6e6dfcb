"""StateStore as a base class, InMemoryStateStore itself, and the project default store.

The contract every store keeps is tested in test_state_stores.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from component_framework.core import InMemoryStateStore, StateStore
from component_framework.core import state as state_module
from component_framework.core.exceptions import ConfigurationError, StateConflictError
from component_framework.core.sqlite_store import SQLiteStateStore
from component_framework.core.state import open_store
from tests._resources import Closing


def test_clear_and_repr() -> None:
    store = InMemoryStateStore()
    store.save("a", {})
    store.save("b", {})
    assert repr(store) == "<InMemoryStateStore states=2 bytes=6>"  # "a" + "{}", "b" + "{}"
    store.clear()
    assert store.load("a") is None
    assert repr(store) == "<InMemoryStateStore states=0 bytes=0>"


def test_the_versioned_pair_and_delete_are_the_contract() -> None:
    with pytest.raises(TypeError):
        StateStore()  # type: ignore[abstract]
    assert StateStore.__abstractmethods__ == {"load_versioned", "save_versioned", "delete"}
    assert isinstance(InMemoryStateStore(), StateStore)


class OnlyTheOldThree(StateStore):
    """A store written against the unconditional save/load/delete alone."""

    def save(self, key: str, state: dict[str, Any]) -> None:
        pass

    def load(self, key: str) -> dict[str, Any] | None:
        return None

    def delete(self, key: str) -> None:
        pass


def test_a_store_without_the_versioned_pair_is_refused_when_made_not_at_its_first_event() -> None:
    with pytest.raises(TypeError, match=r"load_versioned.*save_versioned"):
        OnlyTheOldThree()  # type: ignore[abstract]


def test_conflicts_say_what_happened() -> None:
    store = InMemoryStateStore()
    store.save_versioned("cart:c1:00", {"n": 1}, 0)
    with pytest.raises(StateConflictError, match=r"'cart:c1:00' changed while this event ran"):
        store.save_versioned("cart:c1:00", {"n": 2}, 5)
    with pytest.raises(StateConflictError, match=r"'cart:c1:00' already holds server-side state"):
        store.save_versioned("cart:c1:00", {"n": 2}, 0)


# ---------- Versioned writes, expiry and the project default ----------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_versions_keep_counting_over_an_expired_state() -> None:
    clock = Clock()
    store = InMemoryStateStore(ttl=60, clock=clock)
    store.save_versioned("c", {"n": 1}, 0)
    store.save_versioned("c", {"n": 2}, 1)
    clock.now += 60
    assert store.load("c") is None
    assert store.save_versioned("c", {"n": 1}, 0) == 3  # a new state, never version 2 again


@pytest.fixture
def unconfigured(cf_defaults: None) -> None:
    """As in a fresh process: no default configured yet (this module's own test)."""
    state_module._restore((None, False, False))


def test_project_default_from_configure_and_environment(
    unconfigured: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.delenv("CF_STATE_STORE", raising=False)
    assert state_module.get_default_store() is None
    state_module._restore((None, False, False))
    monkeypatch.setenv("CF_STATE_STORE", f"sqlite:///{tmp_path}/s.db?ttl=30")
    store = state_module.get_default_store()
    assert isinstance(store, SQLiteStateStore)
    assert store.ttl == 30.0
    memory = InMemoryStateStore()
    assert state_module.configure(memory) is memory
    assert store._opened == []  # the store opened from the environment was closed
    assert state_module.get_default_store() is memory
    assert isinstance(state_module.configure("memory:"), InMemoryStateStore)
    assert state_module.configure(None) is None
    assert state_module.get_default_store() is None


def test_open_store_urls(tmp_path: Any, monkeypatch: pytest.MonkeyPatch, closing: Closing) -> None:
    monkeypatch.chdir(tmp_path)
    relative = closing(open_store("sqlite:///var/state.db"))
    assert relative.path.as_posix() == "var/state.db"  # type: ignore[attr-defined]
    assert (tmp_path / "var" / "state.db").exists()
    absolute = closing(open_store(f"sqlite:///{tmp_path}/abs.db"))  # tmp_path starts with "/"
    assert str(absolute.path) == f"{tmp_path}/abs.db"  # type: ignore[attr-defined]
    assert open_store("memory:", ttl=None).ttl is None
    with pytest.raises(ConfigurationError, match=r"'sqlite:' names no file: use sqlite:///"):
        open_store("sqlite:")
    with pytest.raises(ConfigurationError, match=r"'mysql://x' is not memory:, sqlite:///PATH"):
        open_store("mysql://x")
    with pytest.raises(ConfigurationError, match="ttl must be seconds"):
        open_store("memory:?ttl=soon")
