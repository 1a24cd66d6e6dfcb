"""SQLiteStateStore on real database files, shared by several processes."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from component_framework.core.exceptions import ConfigurationError, StateConflictError
from component_framework.core.sqlite_store import SQLiteStateStore
from component_framework.core.state import StoredState
from tests._resources import Closing

from ._held import race_two_processes


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def test_versioned_writes_in_a_file(tmp_path: Path, closing: Closing) -> None:
    path = tmp_path / "sub" / "state.db"
    store = closing(SQLiteStateStore(path))
    assert store.load_versioned("c") is None
    assert store.save_versioned("c", {"n": 1, "s": "é"}, 0) == 1
    assert store.save_versioned("c", {"n": 2, "s": "é"}, 1) == 2
    with pytest.raises(StateConflictError):
        store.save_versioned("c", {"n": 9}, 1)
    with pytest.raises(StateConflictError):
        store.save_versioned("c", {"n": 9}, 0)
    # Another connection (another process would open its own) sees the committed write.
    assert closing(SQLiteStateStore(path)).load_versioned("c") == StoredState({"n": 2, "s": "é"}, 2)
    store.save("c", {"n": 3})
    assert store.load("c") == {"n": 3}
    store.delete("c")
    assert store.load("c") is None
    with contextlib.closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert repr(store).startswith("<SQLiteStateStore path=")


def test_expiry_after_idle_time(tmp_path: Path, closing: Closing) -> None:
    clock = Clock()
    store = closing(SQLiteStateStore(tmp_path / "s.db", ttl=60, clock=clock))
    store.save_versioned("c", {"n": 1}, 0)
    store.save_versioned("old", {"n": 1}, 0)
    clock.now += 59
    store.save_versioned("c", {"n": 2}, 1)  # a write starts the idle clock again
    clock.now += 59
    assert store.load("c") == {"n": 2}
    assert store.load("old") is None
    with pytest.raises(StateConflictError):
        store.save_versioned("old", {"n": 2}, 1)  # too late: it expired
    clock.now += 1
    assert store.load_versioned("c") is None
    assert store.save_versioned("c", {"n": 1}, 0) == 3  # versions keep counting
    assert store.purge_expired() == 1  # "old"
    forever = closing(SQLiteStateStore(tmp_path / "f.db", ttl=None, clock=clock))
    forever.save("c", {})
    clock.now += 10**9
    assert forever.load("c") == {}


def test_unusable_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "not-a-db").write_text("x" * 4096)
    with pytest.raises(ConfigurationError, match=r"Cannot open the state database .*not-a-db"):
        SQLiteStateStore(tmp_path / "not-a-db")
    with pytest.raises(ConfigurationError, match="must be an identifier"):
        SQLiteStateStore(tmp_path / "s.db", table="x; drop")


def test_async_twins_run_in_a_worker_thread(tmp_path: Path, closing: Closing) -> None:
    import asyncio

    store = closing(SQLiteStateStore(tmp_path / "s.db"))

    async def run() -> Any:
        version = await store.asave_versioned("c", {"n": 1}, 0)
        return version, await store.aload_versioned("c"), await store.aload("c")

    assert asyncio.run(run()) == (1, StoredState({"n": 1}, 1), {"n": 1})


def test_two_processes_racing_on_one_database_lose_no_update(
    tmp_path: Path, closing: Closing
) -> None:
    path = tmp_path / "race.db"
    race_two_processes(closing(SQLiteStateStore(path)), f"sqlite:///{path}")


def test_close_closes_the_connections_of_every_thread(tmp_path: Path) -> None:
    import threading

    path = tmp_path / "s.db"
    store = SQLiteStateStore(path)
    store.save("c", {"n": 1})
    worker = threading.Thread(target=store.save, args=("d", {"n": 2}))  # its own connection
    worker.start()
    worker.join()
    assert path.with_name("s.db-wal").exists()
    store.close()
    # SQLite removes the write-ahead log when the database's last connection closes.
    assert not path.with_name("s.db-wal").exists()
    assert store.load("d") == {"n": 2}  # a later use opens a connection again
    store.close()
