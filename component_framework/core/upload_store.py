"""Where uploaded files wait for the handler that consumes them: the ``UploadStore`` protocol
and ``LocalUploadStore``, temporary files in one directory of this machine.

A store keeps each upload as its bytes and a small record (``UploadInfo``): who may write to
it (the component, its id, the upload's name and the user its token was issued to), the size
the client declared, how much has arrived. Chunks arrive in order, each one whole or not at
all; the store bounds its space and the uploads one user may leave unfinished, and sweeps
away what was abandoned or has outlived ``max_age``.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import secrets
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any, Protocol

from ._upload_bounds import Tally, check_file_share, check_user_share
from .exceptions import UploadError

__all__ = [
    "LocalUploadStore",
    "UploadInfo",
    "UploadStore",
    "UploadedFile",
    "default_upload_store",
    "is_upload_id",
    "new_upload_id",
    "upload_gone",
]

_UPLOAD_ID = re.compile(r"[A-Za-z0-9_-]{24}")
_SWEEP_EVERY = 30.0
_RESWEEP_AFTER = 1.0


def upload_gone() -> UploadError:
    """The refusal of a request naming an upload that is no longer there."""
    return UploadError(
        "No such upload: it finished, was cancelled or expired.",
        code="upload_not_found",
        status=404,
    )


def new_upload_id() -> str:
    """A fresh upload id: 144 random bits, safe in a path and a URL."""
    return secrets.token_urlsafe(18)


def is_upload_id(value: object) -> bool:
    """Whether *value* has the shape of an upload id (checked before it names any file)."""
    return isinstance(value, str) and _UPLOAD_ID.fullmatch(value) is not None


@dataclass(slots=True)
class UploadInfo:
    """The record of one upload: whose it is, what was declared, how far it is."""

    upload_id: str
    component: str
    component_id: str
    name: str
    """The upload's name on its component (``"avatar"``)."""
    user: str
    """Who its token was issued to (``"user:42"``, ``"address:10.0.0.7"``)."""
    filename: str
    size: int
    accept: list[str]
    chunk_size: int
    created: float
    touched: float
    offset: int = 0
    content_type: str | None = None
    """The type sniffed from the first bytes, once enough arrived."""
    complete: bool = False
    multipart: str | None = None
    """The storage's id of a multipart upload (a direct store's large files)."""

    def owned_by(self, component: str, component_id: str, name: str, user: str) -> bool:
        """Whether this upload was begun for exactly this component, id, upload and user."""
        return (self.component, self.component_id, self.name, self.user) == (
            component,
            component_id,
            name,
            user,
        )

    def progress(self) -> dict[str, Any]:
        """What the client is told of it (the endpoint's replies)."""
        reply: dict[str, Any] = {
            "upload_id": self.upload_id,
            "offset": self.offset,
            "size": self.size,
            "complete": self.complete,
        }
        if self.complete:
            reply["content_type"] = self.content_type
        return reply


class UploadedFile:
    """A finished, checked upload, as a handler receives it.

    ``name`` is the client's file name, checked (no path, no control characters);
    ``content_type`` was sniffed from the bytes, whatever the client claimed. ``path`` is
    where the bytes are on this machine (a ``LocalUploadStore``; None for object storage).
    The upload is removed once the dispatch that received it succeeds: keep it with
    :meth:`save`.
    """

    __slots__ = ("_store", "content_type", "name", "path", "size", "upload_id")

    def __init__(
        self,
        upload_id: str,
        name: str,
        size: int,
        content_type: str,
        store: UploadStore,
        path: Path | None = None,
    ) -> None:
        self.upload_id = upload_id
        self.name = name
        self.size = size
        self.content_type = content_type
        self.path = path
        self._store = store

    def __repr__(self) -> str:
        return f"<UploadedFile name={self.name!r} size={self.size} type={self.content_type!r}>"

    def open(self) -> IO[bytes]:
        """The file's bytes, to read (from object storage: as they arrive)."""
        return self._store.open(self.upload_id)

    def read(self) -> bytes:
        """The whole file (for small files; use :meth:`open` for large ones)."""
        with self.open() as stream:
            return stream.read()

    def save(self, destination: str | os.PathLike[str]) -> str:
        """Keep the file at *destination* and return where it is: a local store moves it
        there (a file path, or a directory to keep its ``name`` in); object storage copies
        it to that key of its bucket. The upload is then consumed."""
        kept = self._store.keep(self.upload_id, self.name, str(destination))
        if self.path is not None:
            self.path = Path(kept)
        return kept


class UploadStore(Protocol):
    """Where uploads are received and kept until consumed (``LocalUploadStore``)."""

    max_age: float
    """Seconds an upload (and the token that allows it) lives, finished or not."""
    direct: bool
    """Whether pages send the bytes straight to the store (``presign`` and ``confirm``)
    instead of in chunks through the app (``receive``)."""

    def begin(self, info: UploadInfo, max_files: int) -> UploadInfo:
        """Record a new upload, reserving its declared size.

        Raises:
            UploadError: No space, too many unfinished uploads of this user, or more than
                *max_files* of this component's upload.
        """

    def get(self, upload_id: str) -> UploadInfo | None:
        """The upload's record, or None (unknown, discarded or swept)."""

    def receive(self, info: UploadInfo, offset: int) -> Any:
        """A context manager yielding ``write(bytes)`` for the chunk starting at *offset*; a
        chunk that fails is undone. Raises ``UploadError`` (409) when *offset* is not where
        the upload stands or another request is writing to it."""

    def head(self, info: UploadInfo, size: int) -> bytes:
        """The first *size* bytes received."""

    def save_info(self, info: UploadInfo) -> None:
        """Write the record back (its offset, type, completion)."""

    def file(self, info: UploadInfo) -> UploadedFile:
        """The finished upload as a handler receives it."""

    def discard(self, upload_id: str) -> None:
        """Remove the upload, finished or not (nothing happens for an unknown id)."""

    def sweep(self) -> int:
        """Remove abandoned and expired uploads; return how many."""

    def open(self, upload_id: str) -> IO[bytes]:
        """The bytes of a finished upload, to read."""

    def keep(self, upload_id: str, name: str, destination: str) -> str:
        """Keep the upload's bytes at *destination* (consuming it); return where they are."""

    def presign(self, info: UploadInfo) -> dict[str, Any]:
        """A direct store: where and how the page sends the bytes (``{"parts": [...]}``)."""

    def confirm(self, info: UploadInfo, parts: list[dict[str, Any]]) -> None:
        """A direct store: finish the upload the page sent, check its size, set ``offset``."""


class LocalUploadStore:
    """Uploads as temporary files in *directory*, on this machine.

    Args:
        directory: Where the files go (made, private to this user, when missing); by
            default ``<temp dir>/cf-uploads-<uid>``. Nothing is ever written outside it.
        max_bytes: Space all uploads together may reserve (their declared sizes).
        max_uploads: Uploads the store holds at a time, of all users, finished or not.
        max_pending: Unfinished uploads one user may have at a time.
        max_user_bytes: Declared bytes one user's uploads may hold at a time, finished or
            not; None: a quarter of *max_bytes*.
        max_age: Seconds an upload lives, finished or not (its token lives as long).
        abandon_after: Seconds an unfinished upload may go without a chunk.
        start_within: Seconds a begun upload may wait for its first byte (a page sends it
            at once): a reservation no byte follows is soon given back.
        clock: The time, for tests.
    """

    def __init__(
        self,
        directory: str | os.PathLike[str] | None = None,
        *,
        max_bytes: int = 1024**3,
        max_uploads: int = 10_000,
        max_pending: int = 20,
        max_user_bytes: int | None = None,
        max_age: float = 3600.0,
        abandon_after: float = 900.0,
        start_within: float = 60.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if directory is None:
            directory = Path(tempfile.gettempdir()) / f"cf-uploads-{os.getuid()}"
        self.directory = Path(directory)
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.max_bytes = max_bytes
        self.max_uploads = max_uploads
        self.max_pending = max_pending
        self.max_user_bytes = max_bytes // 4 if max_user_bytes is None else max_user_bytes
        self.max_age = max_age
        self.abandon_after = abandon_after
        self.start_within = start_within
        self._clock = clock
        self._swept = -float("inf")
        # begin's check-then-reserve, and a record written against its upload's removal (a
        # cancel while a chunk arrives), within this process.
        self._lock = threading.RLock()
        self._sweep_took = 0.0
        # What begin() counts, without reading every record each time: kept up to date here,
        # read again from the directory (other processes' uploads too) at each sweep.
        self._index = Tally()

    direct = False

    def __repr__(self) -> str:
        return f"<LocalUploadStore directory={str(self.directory)!r}>"

    def _record(self, upload_id: str) -> Path:
        return self.directory / f"{upload_id}.json"

    def _data(self, upload_id: str) -> Path:
        return self.directory / f"{upload_id}.part"

    def _all(self) -> Iterator[UploadInfo]:
        for path in self.directory.glob("*.json"):
            info = self.get(path.stem)
            if info is not None:
                yield info

    def begin(self, info: UploadInfo, max_files: int) -> UploadInfo:
        """Record a new upload, reserving its declared size (see ``UploadStore.begin``)."""
        with self._lock:
            now = self._clock()
            if now - self._swept > _SWEEP_EVERY:
                self.sweep()
            try:
                self._check_room(info, max_files)
            except UploadError as refused:
                # What was abandoned may have made room in a full store; but a sweep reads
                # every record: however many begins it refuses, it sweeps at most once a
                # second, and spends at most a tenth of its time sweeping.
                wait = max(_RESWEEP_AFTER, 10 * self._sweep_took)
                if refused.code != "upload_space_full" or now - self._swept < wait:
                    raise
                self.sweep()
                self._check_room(info, max_files)
            data = self._data(info.upload_id)
            data.touch(mode=0o600)
            os.utime(data, (info.touched, info.touched))
            self.save_info(info)
            return info

    def _check_room(self, info: UploadInfo, max_files: int) -> None:
        check_file_share(info, self.max_user_bytes)
        index = self._index
        if len(index) >= self.max_uploads or index.reserved + info.size > self.max_bytes:
            raise UploadError(
                f"No room for an upload of {info.size:,} bytes now: the upload space is "
                "full. Try again later.",
                code="upload_space_full",
                status=507,
            )
        if index.owned(info) >= max_files:
            raise UploadError(
                f"Upload {info.name!r} takes at most {max_files} file(s); "
                "cancel one to send another.",
                code="upload_too_many",
                status=429,
            )
        pending, held = index.held(info.user)
        check_user_share(
            info, pending, held, max_pending=self.max_pending, max_user_bytes=self.max_user_bytes
        )

    def get(self, upload_id: str) -> UploadInfo | None:
        """The upload's record, or None."""
        if not is_upload_id(upload_id):
            return None
        try:
            info = UploadInfo(**json.loads(self._record(upload_id).read_text()))
            # Where it stands is the bytes' file itself: no record is written per chunk.
            data = self._data(upload_id).stat()
        except (OSError, ValueError, TypeError):
            return None
        info.offset, info.touched = data.st_size, data.st_mtime
        return info

    @contextmanager
    def receive(self, info: UploadInfo, offset: int) -> Iterator[Callable[[bytes], None]]:
        """Yield ``write(bytes)`` for the chunk at *offset*; undo the chunk if it fails."""
        descriptor = os.open(self._data(info.upload_id), os.O_WRONLY)
        try:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise UploadError(
                    "Another request is sending a chunk of this upload: send one at a time.",
                    code="upload_busy",
                    status=409,
                    offset=info.offset,
                ) from None
            current = os.fstat(descriptor).st_size
            if offset != current:
                raise UploadError(
                    f"Chunk at offset {offset:,} refused: the upload stands at {current:,}; "
                    "send the bytes from there.",
                    code="upload_offset_mismatch",
                    status=409,
                    offset=current,
                )
            os.lseek(descriptor, offset, os.SEEK_SET)

            def write(data: bytes) -> None:
                view = memoryview(data)
                while view:
                    view = view[os.write(descriptor, view) :]

            try:
                yield write
            except BaseException:
                os.ftruncate(descriptor, offset)  # a chunk is whole or not at all
                raise
            info.offset = os.fstat(descriptor).st_size
            info.touched = self._clock()
            os.utime(descriptor, (info.touched, info.touched))  # the store's clock, for sweep
        finally:
            os.close(descriptor)

    def head(self, info: UploadInfo, size: int) -> bytes:
        """The first *size* bytes received."""
        try:
            with self._data(info.upload_id).open("rb") as data:
                return data.read(size)
        except FileNotFoundError:
            raise upload_gone() from None

    def save_info(self, info: UploadInfo) -> None:
        """Write the record (atomically: a reader sees the old one or the new one).

        Raises:
            UploadError: ``upload_not_found`` if the upload was removed meanwhile (cancelled
                while its chunk arrived): it stays removed, and counts no more.
        """
        with self._lock:
            if not self._data(info.upload_id).exists():
                raise upload_gone()
            temporary = self.directory / f".{info.upload_id}.{secrets.token_hex(4)}.tmp"
            temporary.write_text(json.dumps(asdict(info)))
            os.replace(temporary, self._record(info.upload_id))
            self._index.add(info)

    def file(self, info: UploadInfo) -> UploadedFile:
        """The finished upload as a handler receives it."""
        return UploadedFile(
            info.upload_id,
            info.filename,
            info.size,
            info.content_type or "application/octet-stream",
            self,
            self._data(info.upload_id),
        )

    def open(self, upload_id: str) -> IO[bytes]:
        """The upload's file, to read."""
        return self._data(upload_id).open("rb")

    def keep(self, upload_id: str, name: str, destination: str) -> str:
        """Move the upload's file to *destination* (a directory keeps *name*)."""
        target = Path(destination)
        if target.is_dir():
            target = target / name
        shutil.move(self._data(upload_id), target)
        self.discard(upload_id)
        return str(target)

    def presign(self, info: UploadInfo) -> dict[str, Any]:
        """Not a direct store: pages send chunks to the app."""
        raise NotImplementedError("LocalUploadStore receives chunks through the app.")

    def confirm(self, info: UploadInfo, parts: list[dict[str, Any]]) -> None:
        """Not a direct store: an upload completes with its last chunk."""
        raise NotImplementedError("LocalUploadStore receives chunks through the app.")

    def discard(self, upload_id: str) -> None:
        """Remove the upload's record and bytes."""
        if not is_upload_id(upload_id):
            return
        with self._lock:
            self._index.remove(upload_id)
            for path in (self._data(upload_id), self._record(upload_id)):
                path.unlink(missing_ok=True)

    def sweep(self) -> int:
        """Remove uploads older than ``max_age``, unfinished ones idle for
        ``abandon_after``, those without a byte after ``start_within``, and stray files;
        return how many uploads went."""
        now = self._clock()
        self._swept = now
        started = time.perf_counter()
        removed = 0
        self._index = Tally()
        for info in list(self._all()):
            idle = not info.complete and now - info.touched > self.abandon_after
            unstarted = info.offset == 0 and now - info.touched > self.start_within
            if idle or unstarted or now - info.created > self.max_age:
                self.discard(info.upload_id)
                removed += 1
            else:
                self._index.add(info)
        for path in self.directory.iterdir():
            # Bytes without a record (a crash between the two), and stale temporary records.
            orphan = path.suffix == ".part" and not self._record(path.stem).exists()
            stale = path.suffix == ".tmp" and now - path.stat().st_mtime > 60
            if orphan or stale:
                path.unlink(missing_ok=True)
        self._sweep_took = time.perf_counter() - started
        return removed


_default: LocalUploadStore | None = None


def default_upload_store() -> LocalUploadStore:
    """The store of uploads that name none, in an app that names none (made on first use)."""
    global _default
    if _default is None:
        _default = LocalUploadStore()
    return _default
