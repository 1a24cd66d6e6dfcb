"""StateStore and InMemoryStateStore."""

from __future__ import annotations

import pytest

from component_framework.core import InMemoryStateStore, StateStore


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
