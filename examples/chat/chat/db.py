"""The rooms and their messages, in one SQLite file every worker shares.

``CHAT_DB`` names the file (``chat.db`` beside the project by default). The table is made,
and the rooms get a few sample messages, by the first process that finds it missing.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "PAGE",
    "ROOMS",
    "Attachment",
    "Message",
    "Preview",
    "RoomStats",
    "history",
    "init",
    "message",
    "post",
    "set_preview",
    "stats",
]

ROOMS = {"general": "General", "random": "Random", "help": "Help"}
"""The rooms, by the slug their URL uses: ``/rooms/general``."""

PAGE = 20
"""How many messages a room shows at first, and how many more each scroll to the top loads."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY,
    room TEXT NOT NULL,
    author TEXT NOT NULL,
    text TEXT NOT NULL,
    sent_at REAL NOT NULL,
    attachment TEXT,
    attachment_name TEXT,
    attachment_type TEXT
);
CREATE INDEX IF NOT EXISTS messages_by_room ON messages (room, id);
CREATE TABLE IF NOT EXISTS previews (
    message INTEGER PRIMARY KEY REFERENCES messages (id),
    url TEXT NOT NULL,
    title TEXT NOT NULL
);
"""
_SAMPLE = [
    ("ada", "Has anyone tried the new build?"),
    ("grace", "Yes: the tests pass on both machines."),
    ("linus", "Mine too, after a clean checkout."),
    ("ada", "Then let's ship it on Friday."),
]


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file sent with a message."""

    stored: str
    """Its name in the media folder (``media.py``): random, with its type's extension."""
    name: str
    """The name it was sent with."""
    content_type: str
    """Its type, read from its bytes."""

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


@dataclass(frozen=True, slots=True)
class Preview:
    """The page a message links to, as its preview shows it."""

    url: str
    title: str


@dataclass(frozen=True, slots=True)
class Message:
    """One message, as the rooms show it."""

    id: int
    room: str
    author: str
    text: str
    sent_at: float
    """When it was sent: seconds since the epoch."""
    attachment: Attachment | None = None
    preview: Preview | None = None
    """Filled in after the message was sent, when it links to a page (``previews.py``)."""

    @property
    def time(self) -> str:
        """``HH:MM``, in UTC."""
        return time.strftime("%H:%M", time.gmtime(self.sent_at))

    @property
    def iso(self) -> str:
        """The moment it was sent, as ``<time datetime>`` wants it."""
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.sent_at))


@dataclass(frozen=True, slots=True)
class RoomStats:
    """What the room statistics panel shows."""

    messages: int
    authors: int
    busiest: str | None
    """Who wrote the most messages (None in an empty room)."""
    today: int
    """Messages sent in the last 24 hours."""


def _path() -> Path:
    return Path(os.environ.get("CHAT_DB") or Path(__file__).resolve().parent.parent / "chat.db")


_ready: set[Path] = set()


@contextmanager
def _connect() -> Iterator[sqlite3.Connection]:
    # One connection per call: handlers run in worker threads, and two processes share the
    # file (SQLite's locking keeps them apart; the timeout waits for the other's write).
    path = _path()
    if path not in _ready:  # cf dispatch and cf dev import the components, not the app
        init()
    connection = sqlite3.connect(path, timeout=10)
    connection.row_factory = sqlite3.Row
    try:
        with connection:
            yield connection
    finally:
        connection.close()


def init(*, sample: bool = True) -> None:
    """Make the table if needed and, when it is empty, give every room a few sample messages."""
    _ready.add(_path())
    with _connect() as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.executescript(_SCHEMA)
        db.execute("BEGIN IMMEDIATE")  # two workers starting at once: one fills the table
        if sample and db.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 0:
            start = time.time() - 3600
            rows = [
                (room, author, text, start + n * 60)
                for room in ROOMS
                for n, (author, text) in enumerate(_SAMPLE)
            ]
            db.executemany(
                "INSERT INTO messages (room, author, text, sent_at) VALUES (?, ?, ?, ?)", rows
            )


def _message(row: sqlite3.Row) -> Message:
    attachment = None
    if row["attachment"] is not None:
        attachment = Attachment(row["attachment"], row["attachment_name"], row["attachment_type"])
    preview = Preview(row["url"], row["title"]) if row["title"] is not None else None
    return Message(
        row["id"], row["room"], row["author"], row["text"], row["sent_at"], attachment, preview
    )


_SELECT = "SELECT * FROM messages LEFT JOIN previews ON previews.message = messages.id"


def post(room: str, author: str, text: str, attachment: Attachment | None = None) -> Message:
    """Add a message to *room*, sent now."""
    sent_at = time.time()
    file: tuple[str | None, ...] = (None, None, None)
    if attachment is not None:
        file = (attachment.stored, attachment.name, attachment.content_type)
    with _connect() as db:
        cursor = db.execute(
            "INSERT INTO messages (room, author, text, sent_at, attachment, attachment_name,"
            " attachment_type) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (room, author, text, sent_at, *file),
        )
    return Message(cursor.lastrowid or 0, room, author, text, sent_at, attachment)


def history(room: str, before: int | None = None) -> tuple[list[Message], bool]:
    """The latest ``PAGE`` messages of *room* (older than the id *before*, when given), oldest
    first, and whether there are older ones still."""
    with _connect() as db:
        rows = db.execute(
            f"{_SELECT} WHERE room = ? AND id < ? ORDER BY id DESC LIMIT ?",
            (room, before if before is not None else 2**62, PAGE + 1),
        ).fetchall()
    messages = [_message(row) for row in reversed(rows[:PAGE])]
    return messages, len(rows) > PAGE


def message(room: str, id: int) -> Message | None:
    """The message *id* of *room*, if there is one."""
    with _connect() as db:
        row = db.execute(f"{_SELECT} WHERE room = ? AND id = ?", (room, id)).fetchone()
    return _message(row) if row is not None else None


def set_preview(id: int, url: str, title: str) -> None:
    """Give the message *id* the preview of the page *url*, titled *title*."""
    with _connect() as db:
        db.execute(
            "INSERT OR REPLACE INTO previews (message, url, title) VALUES (?, ?, ?)",
            (id, url, title),
        )


def stats(room: str) -> RoomStats:
    """Counts over every message of *room*."""
    with _connect() as db:
        total, authors, today = db.execute(
            "SELECT COUNT(*), COUNT(DISTINCT author), COUNT(*) FILTER (WHERE sent_at > ?)"
            " FROM messages WHERE room = ?",
            (time.time() - 86400, room),
        ).fetchone()
        busiest = db.execute(
            "SELECT author FROM messages WHERE room = ? GROUP BY author"
            " ORDER BY COUNT(*) DESC, author LIMIT 1",
            (room,),
        ).fetchone()
    return RoomStats(total, authors, busiest[0] if busiest else None, today)
