"""``SQLiteStateStore``: server-held component state in one SQLite file (standard library).

The embedded default for one host: every worker process of the host opens the same file.
The database runs in WAL mode (readers never wait for the writer) with a busy timeout (a
writer waits for another instead of failing), and every write is one statement, so the
version check and the write are one transaction: of two processes writing the same version,
exactly one succeeds and the other gets ``StateConflictError``. The bytes held (each row's key
and state) are counted in a one-row table that triggers keep in step with every write, so the
budget check (``max_bytes``) is part of the same statement. A write the budget refuses is
done again in one transaction that first deletes the states nearest to expiry (the ones
written longest ago: ``expires`` is indexed) until it fits.

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
from .state import _FOREVER, DEFAULT_MAX_BYTES, DEFAULT_TTL, StateStore, StoredState

__all__ = ["SQLiteStateStore"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS {t} (
    id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    version INTEGER NOT NULL,
    expires REAL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS {t}_expires ON {t} (expires);
CREATE TABLE IF NOT EXISTS {t}_usage (
    id INTEGER PRIMARY KEY CHECK (id = 0),
    bytes INTEGER NOT NULL
);
CREATE TRIGGER IF NOT EXISTS {t}_added AFTER INSERT ON {t} BEGIN
    UPDATE {t}_usage SET bytes = bytes + length(NEW.id) + length(CAST(NEW.state AS BLOB));
END;
CREATE TRIGGER IF NOT EXISTS {t}_changed AFTER UPDATE OF state ON {t} BEGIN
    UPDATE {t}_usage
    SET bytes = bytes + length(CAST(NEW.state AS BLOB)) - length(CAST(OLD.state AS BLOB));
END;
CREATE TRIGGER IF NOT EXISTS {t}_removed AFTER DELETE ON {t} BEGIN
    UPDATE {t}_usage SET bytes = bytes - length(OLD.id) - length(CAST(OLD.state AS BLOB));
END;
INSERT OR IGNORE INTO {t}_usage (id, bytes)
    SELECT 0, coalesce(sum(length(id) + length(CAST(state AS BLOB))), 0) FROM {t};
"""
# An expired row counts as absent; a new write over it keeps counting versions, so a version
# read before the expiry never matches the new row.
_LIVE = "(expires IS NULL OR expires > :now)"
# Parameters: :key, :state, :size (the key's and state's bytes), :expires, :now, and :limit,
# the most bytes the write may bring the store to (NULL: no bound).
_FITS = (
    "(:limit IS NULL OR (SELECT bytes FROM {t}_usage) + :size - coalesce((SELECT"
    " length(id) + length(CAST(state AS BLOB)) FROM {t} WHERE id = :key), 0) <= :limit)"
)
_GROWS_WITHIN = (
    "(:limit IS NULL OR :size <= length(id) + length(CAST(state AS BLOB)) "
    "OR (SELECT bytes FROM {t}_usage) - length(id) - length(CAST(state AS BLOB)) + :size"
    " <= :limit)"
)
_INSERT = (
    "INSERT INTO {t} (id, state, version, expires) SELECT :key, :state, 1, :expires "
    "WHERE " + _FITS + " ON CONFLICT (id) DO UPDATE SET state = excluded.state, "
    "version = {t}.version + 1, expires = excluded.expires"
)
_UPDATE = (
    "UPDATE {t} SET state = :state, version = version + 1, expires = :expires "
    "WHERE id = :key AND " + _LIVE + " AND " + _GROWS_WITHIN
)


class SQLiteStateStore(StateStore):
    """State in an SQLite database file, safe for several worker processes on one host.

    Args:
        path: The database file (created with its folder if missing).
        ttl: Seconds a state lives after its last write (``None``: forever).
        max_bytes: Most bytes of state kept (256 MiB; ``None``: no bound); beyond, the
            states written longest ago are evicted.
        table: The table's name (its byte count is in ``<table>_usage``).
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
        max_bytes: int | None = DEFAULT_MAX_BYTES,
        table: str = "cf_state",
        busy_timeout: float = 5.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not table.isidentifier():
            raise ConfigurationError(f"SQLite table name {table!r} must be an identifier.")
        self.path = Path(path)
        self.ttl = ttl
        self.max_bytes = max_bytes
        self.table = table
        self.busy_timeout = busy_timeout
        self._clock = clock
        self._local = threading.local()
        self._lock = threading.Lock()
        self._opened: list[tuple[int, sqlite3.Connection]] = []  # (pid, connection)
        self._generation = 0  # bumped by close(): connections held by threads are stale
        self._writes = 0
        t = table
        self._sql_read = f"SELECT state, version FROM {t} WHERE id = :key AND {_LIVE}"
        self._sql_any = _INSERT.format(t=t) + " RETURNING version"
        self._sql_create = (
            _INSERT.format(t=t) + f" WHERE {t}.expires IS NOT NULL AND {t}.expires <= :now"
            " RETURNING version"
        )
        self._sql_update = _UPDATE.format(t=t) + " AND version = :expected RETURNING version"
        self._sql_update_any = _UPDATE.format(t=t) + " RETURNING version"
        self._sql_size = f"SELECT length(id) + length(CAST(state AS BLOB)) FROM {t} WHERE id = ?"
        self._sql_oldest = (
            f"SELECT id, length(id) + length(CAST(state AS BLOB)) FROM {t} "
            "WHERE id != ? ORDER BY expires LIMIT 64"
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
            # One transaction: a database written before the byte count existed is counted
            # once, and no other process writes between the count and its triggers.
            conn.executescript(f"BEGIN IMMEDIATE; {_SCHEMA.format(t=self.table)} COMMIT;")
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

    def _expires(self, now: float) -> float:
        # Without ttl the expiry is far away but still orders the states by their writes.
        return now + (_FOREVER if self.ttl is None else self.ttl)

    def load_versioned(self, key: str) -> StoredState | None:
        row = self._connection().execute(self._sql_read, {"key": key, "now": self._clock()})
        found = row.fetchone()
        if found is None:
            return None
        return StoredState(json.loads(found[0]), int(found[1]))

    def save_versioned(self, key: str, state: dict[str, Any], expected_version: int | None) -> int:
        text = stored_json(state)
        now = self._clock()
        params: dict[str, Any] = {
            "key": key,
            "state": text,
            "size": len(key) + len(text.encode()),
            "expires": self._expires(now),
            "now": now,
            "expected": expected_version,
            "limit": self.max_bytes,
        }
        conn = self._connection()
        rows = self._write(conn, params, expected_version)
        if not rows:
            held = conn.execute(self._sql_read, params).fetchone()
            held_version = 0 if held is None else int(held[1])
            if expected_version is not None and held_version != expected_version:
                raise self._conflict(key, expected_version)
            if self.max_bytes is not None and params["size"] > self.max_bytes:
                raise self._full(params["size"])
            if self.max_bytes is not None:  # refused for the budget
                rows = self._evict_and_write(conn, params, expected_version)
            if not rows:  # another process wrote the state in between
                raise self._conflict(key, expected_version)
        self._writes += 1
        if self._writes % self._PURGE_EVERY == 0:
            self.purge_expired()
        return int(rows[0][0])

    def _evict_and_write(
        self, conn: sqlite3.Connection, params: dict[str, Any], expected: int | None
    ) -> list[Any]:
        # One transaction: no other process writes between the evictions and the write.
        key, budget = params["key"], params["limit"]
        conn.execute("BEGIN IMMEDIATE")
        try:
            row = conn.execute(self._sql_size, (key,)).fetchone()
            excess = self.used_bytes() - (row[0] if row else 0) + params["size"] - budget
            while excess > 0:
                oldest = conn.execute(self._sql_oldest, (key,)).fetchall()
                if not oldest:
                    break
                doomed = []
                for doomed_key, size in oldest:
                    if excess <= 0:
                        break
                    doomed.append((doomed_key,))
                    excess -= size
                conn.executemany(f"DELETE FROM {self.table} WHERE id = ?", doomed)
            rows = self._write(conn, params, expected)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return rows

    def _write(
        self, conn: sqlite3.Connection, params: dict[str, Any], expected: int | None
    ) -> list[Any]:
        # fetchall(), not fetchone(): the statement (and its write lock) ends only when stepped
        # to completion.
        if expected is None:
            found = conn.execute(self._sql_update_any, params).fetchall()
            return found or conn.execute(self._sql_any, params).fetchall()
        if expected == 0:
            return conn.execute(self._sql_create, params).fetchall()
        return conn.execute(self._sql_update, params).fetchall()

    def used_bytes(self) -> int:
        """The bytes of state held (keys and JSON), as the budget counts them."""
        row = self._connection().execute(f"SELECT bytes FROM {self.table}_usage").fetchone()
        return int(row[0]) if row is not None else 0

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
