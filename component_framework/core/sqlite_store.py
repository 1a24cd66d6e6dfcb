"""``SQLiteStateStore``: server-held component state in one SQLite file (standard library).

The embedded default for one host: every worker process of the host opens the same file.
The database runs in WAL mode (readers never wait for the writer) with a busy timeout (a
writer waits for another instead of failing), and every write is one statement, so the
version check and the write are one transaction: of two processes writing the same version,
exactly one succeeds and the other gets ``StateConflictError``.

Example:

    store = SQLiteStateStore("var/state.db", ttl=3600)

    class Cart(Component):
        state_store = store
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ._serializer import stored_json
from .exceptions import ConfigurationError
from .state import DEFAULT_TTL, StateStore, StoredState

__all__ = ["SQLiteStateStore"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS {table} (
    id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    version INTEGER NOT NULL,
    expires REAL
) WITHOUT ROWID
"""
# An expired row counts as absent; a new write over it keeps counting versions, so a version
# read before the expiry never matches the new row.
_LIVE = "(expires IS NULL OR expires > ?)"
_UPSERT = (
    "INSERT INTO {table} (id, state, version, expires) VALUES (?, ?, 1, ?) "
    "ON CONFLICT (id) DO UPDATE SET state = excluded.state, version = {table}.version + 1, "
    "expires = excluded.expires"
)


class SQLiteStateStore(StateStore):
    """State in an SQLite database file, safe for several worker processes on one host.

    Args:
        path: The database file (created with its folder if missing).
        ttl: Seconds a state lives after its last write (``None``: forever).
        table: The table's name.
        busy_timeout: Seconds a write waits for another process's write before failing.
        clock: Returns the wall-clock time in seconds (shared by every process).

    Raises:
        ConfigurationError: The file cannot be opened as an SQLite database.
    """

    _PURGE_EVERY = 1000

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        ttl: float | None = DEFAULT_TTL,
        table: str = "cf_state",
        busy_timeout: float = 5.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not table.isidentifier():
            raise ConfigurationError(f"SQLite table name {table!r} must be an identifier.")
        self.path = Path(path)
        self.ttl = ttl
        self.table = table
        self.busy_timeout = busy_timeout
        self._clock = clock
        self._local = threading.local()
        self._lock = threading.Lock()
        self._opened: list[tuple[int, sqlite3.Connection]] = []  # (pid, connection)
        self._generation = 0  # bumped by close(): connections held by threads are stale
        self._writes = 0
        t = table
        self._sql_read = f"SELECT state, version FROM {t} WHERE id = ? AND {_LIVE}"
        self._sql_any = _UPSERT.format(table=t) + " RETURNING version"
        self._sql_create = (
            _UPSERT.format(table=t)
            + f" WHERE {t}.expires IS NOT NULL AND {t}.expires <= ? RETURNING version"
        )
        self._sql_update = (
            f"UPDATE {t} SET state = ?, version = version + 1, expires = ? "
            f"WHERE id = ? AND version = ? AND {_LIVE} RETURNING version"
        )
        self._connection()  # fail now, not at the first event, if the file is unusable

    def __repr__(self) -> str:
        return f"<SQLiteStateStore path={str(self.path)!r} ttl={self.ttl!r}>"

    def _connection(self) -> sqlite3.Connection:
        # One connection per thread and per process: a connection must not cross a fork.
        held: tuple[int, int, sqlite3.Connection] | None = getattr(self._local, "held", None)
        pid = os.getpid()
        if held is not None and held[0] == pid and held[1] == self._generation:
            return held[2]
        conn: sqlite3.Connection | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Autocommit: each statement is its own transaction (the write is one statement).
            conn = sqlite3.connect(
                self.path, timeout=self.busy_timeout, isolation_level=None, check_same_thread=False
            )
            conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
            conn.execute("PRAGMA journal_mode = WAL")
            # In WAL mode NORMAL loses no committed write when a process crashes.
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute(_SCHEMA.format(table=self.table))
        except (sqlite3.Error, OSError) as exc:
            if conn is not None:
                conn.close()
            raise ConfigurationError(
                f"Cannot open the state database {str(self.path)!r}: {exc}. "
                "Check the path and that this process may write to its folder."
            ) from None
        with self._lock:
            self._opened.append((pid, conn))
            self._local.held = (pid, self._generation, conn)
        return conn

    def _expires(self, now: float) -> float | None:
        return None if self.ttl is None else now + self.ttl

    def load_versioned(self, key: str) -> StoredState | None:
        row = self._connection().execute(self._sql_read, (key, self._clock())).fetchone()
        if row is None:
            return None
        return StoredState(json.loads(row[0]), int(row[1]))

    def save_versioned(self, key: str, state: dict[str, Any], expected_version: int | None) -> int:
        text = stored_json(state)
        now = self._clock()
        expires = self._expires(now)
        conn = self._connection()
        if expected_version is None:
            rows = conn.execute(self._sql_any, (key, text, expires)).fetchall()
        elif expected_version == 0:
            rows = conn.execute(self._sql_create, (key, text, expires, now)).fetchall()
        else:
            params = (text, expires, key, expected_version, now)
            rows = conn.execute(self._sql_update, params).fetchall()
        # fetchall(), not fetchone(): the statement (and its write lock) ends only when stepped
        # to completion.
        if not rows:
            raise self._conflict(key, expected_version)
        self._writes += 1
        if self._writes % self._PURGE_EVERY == 0:
            self.purge_expired()
        return int(rows[0][0])

    def delete(self, key: str) -> None:
        self._connection().execute(f"DELETE FROM {self.table} WHERE id = ?", (key,))

    def purge_expired(self) -> int:
        """Delete expired states (done by itself every 1,000 writes); return how many."""
        cursor = self._connection().execute(
            f"DELETE FROM {self.table} WHERE expires IS NOT NULL AND expires <= ?",
            (self._clock(),),
        )
        return cursor.rowcount

    def close(self) -> None:
        """Close every connection this store opened in this process, in any thread.

        Call it when no event uses the store any more (at shutdown, at the end of a test); a
        later call opens new connections.
        """
        pid = os.getpid()
        with self._lock:
            mine = [conn for owner, conn in self._opened if owner == pid]
            self._opened = [(owner, conn) for owner, conn in self._opened if owner != pid]
            self._generation += 1
        for conn in mine:
            conn.close()
