"""SQLiteStateStore on real database files: WAL, several processes, connections closed.

The contract every store keeps is tested in test_state_stores.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from pathlib import Path

import pytest

from component_framework.core.exceptions import ConfigurationError
from component_framework.core.sqlite_store import SQLiteStateStore
from component_framework.core.state import StoredState
from tests._resources import Closing

from ._held import race_two_processes


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def test_a_write_is_seen_by_another_connection_in_wal_mode(
    tmp_path: Path, closing: Closing
) -> None:
    path = tmp_path / "sub" / "state.db"
    store, other = closing(SQLiteStateStore(path)), closing(SQLiteStateStore(path))
    assert store.save_versioned("c", {"n": 1, "s": "é"}, 0) == 1
    # Another connection (another process would open its own) sees the committed write.
    assert other.load_versioned("c") == StoredState({"n": 1, "s": "é"}, 1)
    with contextlib.closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert repr(store).startswith("<SQLiteStateStore path=")


def test_expired_rows_are_purged_and_versions_keep_counting(
    tmp_path: Path, closing: Closing
) -> None:
    clock = Clock()
    store = closing(SQLiteStateStore(tmp_path / "s.db", ttl=60, clock=clock))
    store.save_versioned("c", {"n": 1}, 0)
    store.save_versioned("old", {"n": 1}, 0)
    clock.now += 30
    store.save_versioned("c", {"n": 2}, 1)
    clock.now += 40
    assert store.purge_expired() == 1  # "old"
    clock.now += 30
    assert store.load_versioned("c") is None
    assert store.save_versioned("c", {"n": 1}, 0) == 3  # a new state, never version 2 again


def test_close_closes_the_connection_of_every_thread(tmp_path: Path, closing: Closing) -> None:
    store = closing(SQLiteStateStore(tmp_path / "s.db"))

    async def from_worker_threads() -> None:
        await store.asave_versioned("c", {"n": 1}, 0)  # a worker thread's own connection
        await store.aload_versioned("c")

    asyncio.run(from_worker_threads())
    opened = [conn for _, conn in store._opened]
    assert len(opened) >= 2  # this thread's and a worker's
    store.close()
    for conn in opened:
        with pytest.raises(sqlite3.ProgrammingError, match="closed"):
            conn.execute("SELECT 1")
    assert store.load("c") == {"n": 1}  # a later call opens a new connection


def test_unusable_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "not-a-db").write_text("x" * 4096)
    with pytest.raises(ConfigurationError, match=r"Cannot open the state database .*not-a-db"):
        SQLiteStateStore(tmp_path / "not-a-db")
    with pytest.raises(ConfigurationError, match="must be an identifier"):
        SQLiteStateStore(tmp_path / "s.db", table="x; drop")


def test_two_processes_racing_on_one_database_lose_no_update(
    tmp_path: Path, closing: Closing
) -> None:
    path = tmp_path / "race.db"
    race_two_processes(closing(SQLiteStateStore(path)), f"sqlite:///{path}")


def test_a_database_written_before_the_byte_count_is_counted_when_opened(
    tmp_path: Path, closing: Closing
) -> None:
    path = tmp_path / "state.db"
    with contextlib.closing(sqlite3.connect(path)) as conn:  # as an earlier release left it
        conn.execute(
            "CREATE TABLE cf_state (id TEXT PRIMARY KEY, state TEXT NOT NULL, "
            "version INTEGER NOT NULL, expires REAL) WITHOUT ROWID"
        )
        conn.execute("INSERT INTO cf_state VALUES ('a:b:00', '{\"s\":\"é\"}', 3, NULL)")
        conn.commit()
    store = closing(SQLiteStateStore(path))
    assert store.used_bytes() == len("a:b:00") + len('{"s":"é"}'.encode())
    assert store.save_versioned("a:b:00", {"s": "ok"}, 3) == 4
    assert store.used_bytes() == len("a:b:00") + len('{"s":"ok"}')
    closing(SQLiteStateStore(path))  # a second opening counts nothing twice
    store.delete("a:b:00")
    assert store.used_bytes() == 0
