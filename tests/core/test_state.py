"""StateStore and InMemoryStateStore."""

from __future__ import annotations

from typing import Any

import pytest

from component_framework.core import InMemoryStateStore, StateStore
from component_framework.core import state as state_module
from component_framework.core.exceptions import ConfigurationError, StateConflictError
from component_framework.core.state import StoredState, open_store
from tests._resources import Closing


def test_save_load_delete() -> None:
    store = InMemoryStateStore()
    assert store.load("c-1") is None
    store.save("c-1", {"count": 1})
    assert store.load("c-1") == {"count": 1}
    store.delete("c-1")
    assert store.load("c-1") is None
    store.delete("c-1")  # deleting twice is fine


def test_stored_state_is_isolated_from_later_changes() -> None:
    store = InMemoryStateStore()
    state = {"items": [1]}
    store.save("c-1", state)
    state["items"].append(2)
    loaded = store.load("c-1")
    assert loaded == {"items": [1]}
    assert loaded is not None
    loaded["items"].append(3)
    assert store.load("c-1") == {"items": [1]}


def test_clear_and_repr() -> None:
    store = InMemoryStateStore()
    store.save("a", {})
    store.save("b", {})
    assert repr(store) == "<InMemoryStateStore components=2>"
    store.clear()
    assert store.load("a") is None
    assert repr(store) == "<InMemoryStateStore components=0>"


def test_state_store_is_abstract() -> None:
    with pytest.raises(TypeError):
        StateStore()  # type: ignore[abstract]
    assert isinstance(InMemoryStateStore(), StateStore)


# ---------- Versioned writes, expiry and the project default ----------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_versioned_writes_compare_and_set() -> None:
    store = InMemoryStateStore()
    assert store.save_versioned("c", {"n": 1}, 0) == 1
    assert store.load_versioned("c") == StoredState({"n": 1}, 1)
    assert store.save_versioned("c", {"n": 2}, 1) == 2
    with pytest.raises(StateConflictError, match="changed while this event ran"):
        store.save_versioned("c", {"n": 99}, 1)  # a writer that read version 1 lost the race
    with pytest.raises(StateConflictError, match="already holds server-side state"):
        store.save_versioned("c", {"n": 99}, 0)
    assert store.load("c") == {"n": 2}
    assert store.save_versioned("c", {"n": 3}, None) == 3  # unconditional
    store.save("c", {"n": 4})
    assert store.load_versioned("c") == StoredState({"n": 4}, 4)


def test_state_expires_after_idle_time_and_versions_keep_counting() -> None:
    clock = Clock()
    store = InMemoryStateStore(ttl=60, clock=clock)
    store.save_versioned("c", {"n": 1}, 0)
    clock.now += 59
    store.save_versioned("c", {"n": 2}, 1)  # a write starts the idle clock again
    clock.now += 59
    assert store.load("c") == {"n": 2}
    clock.now += 1
    assert store.load("c") is None
    with pytest.raises(StateConflictError):
        store.save_versioned("c", {"n": 3}, 2)  # the version read before expiry is gone
    assert store.save_versioned("c", {"n": 1}, 0) == 3  # a new state, never version 2 again


def test_async_twins() -> None:
    import asyncio

    async def run() -> Any:
        store = InMemoryStateStore()
        await store.asave("c", {"n": 1})
        version = await store.asave_versioned("c", {"n": 2}, 1)
        loaded = await store.aload("c")
        stored = await store.aload_versioned("c")
        await store.adelete("c")
        return version, loaded, stored, await store.aload("c")

    assert asyncio.run(run()) == (2, {"n": 2}, StoredState({"n": 2}, 2), None)


class SeedOnly(StateStore):
    """A user's store written against the seed API only."""

    def __init__(self) -> None:
        self.data: dict[str, dict[str, Any]] = {}

    def save(self, component_id: str, state: dict[str, Any]) -> None:
        self.data[component_id] = state

    def load(self, component_id: str) -> dict[str, Any] | None:
        return self.data.get(component_id)

    def delete(self, component_id: str) -> None:
        self.data.pop(component_id, None)


def test_seed_only_store_works_and_says_what_versioned_use_needs() -> None:
    import asyncio

    store = SeedOnly()
    asyncio.run(store.asave("c", {"n": 1}))  # default async twins run the sync methods
    assert asyncio.run(store.aload("c")) == {"n": 1}
    with pytest.raises(ConfigurationError, match=r"SeedOnly cannot hold .*save_versioned"):
        store.load_versioned("c")
    with pytest.raises(ConfigurationError, match="SeedOnly cannot hold"):
        store.save_versioned("c", {}, 0)


@pytest.fixture
def default_store(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forget the project default store after the test."""
    monkeypatch.setattr(state_module, "_default", None)
    monkeypatch.setattr(state_module, "_configured", False)


def test_project_default_from_configure_and_environment(
    default_store: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Any, closing: Closing
) -> None:
    monkeypatch.delenv("CF_STATE_STORE", raising=False)
    assert state_module.get_default_store() is None
    monkeypatch.setattr(state_module, "_configured", False)
    monkeypatch.setenv("CF_STATE_STORE", f"sqlite:///{tmp_path}/s.db?ttl=30")
    store = closing(state_module.get_default_store())
    assert type(store).__name__ == "SQLiteStateStore" and store is not None
    assert store.ttl == 30.0
    memory = InMemoryStateStore()
    assert state_module.configure(memory) is memory
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
