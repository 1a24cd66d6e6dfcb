"""What one user's uploads may hold in a store, checked when an upload begins (by every store:
``LocalUploadStore`` and ``S3UploadStore`` count their own way, refuse the same way).

An upload reserves its declared size before any byte is sent, so a client that begins uploads
and never sends their bytes must not take more than its share: at most ``max_pending``
unfinished uploads and ``max_user_bytes`` declared bytes per user (the logged-in user, else the
client's address, however many sessions it opens; an IPv6 address counts by its /64 network,
which one subscriber gets whole).
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import TYPE_CHECKING

from ._address_group import address_group
from .exceptions import UploadError

if TYPE_CHECKING:
    from .upload_store import UploadInfo


def share_of(user: str) -> str:
    """Whose share *user*'s uploads count against: *user* itself, but an IPv6 address's /64
    network (``"address:2001:db8:1:2::/64"``) and an IPv4-mapped address's IPv4 address."""
    kind, _, address = user.partition(":")
    return f"address:{address_group(address)}" if kind == "address" else user


def check_file_share(info: UploadInfo, max_user_bytes: int) -> None:
    """Refuse *info* (413 ``upload_too_large``) when it alone is over one user's share."""
    if info.size > max_user_bytes:
        raise UploadError(
            f"File {info.filename!r} is {info.size:,} bytes; this server takes at most "
            f"{max_user_bytes:,} bytes of uploads from one user at a time.",
            code="upload_too_large",
            status=413,
        )


def check_user_share(
    info: UploadInfo, pending: int, held: int, *, max_pending: int, max_user_bytes: int
) -> None:
    """Refuse *info* (429 ``upload_too_many``) when its user's uploads hold their share.

    Args:
        info: The upload about to begin.
        pending: The user's unfinished uploads in the store.
        held: The declared bytes of all the user's uploads in the store, finished or not (a
            finished upload holds its bytes until its handler consumes it).
        max_pending: Unfinished uploads one user may have at a time.
        max_user_bytes: Declared bytes one user's uploads may hold.
    """
    if pending >= max_pending:
        raise UploadError(
            f"Too many unfinished uploads ({pending}): finish or cancel some before starting "
            "another.",
            code="upload_too_many",
            status=429,
        )
    if held + info.size > max_user_bytes:
        raise UploadError(
            f"Your uploads already hold {held:,} of the {max_user_bytes:,} bytes one user "
            f"may have at a time; no room for {info.size:,} more: finish or cancel some before "
            "starting another.",
            code="upload_too_many",
            status=429,
        )


_Owner = tuple[str, str, str, str]


class Tally:
    """A store's uploads and what they hold, summed as they come and go: checking a begin
    costs the same whether the store holds ten uploads or ten thousand."""

    def __init__(self) -> None:
        # What each upload was counted as (not the record itself, which its caller may change).
        self._counted: dict[str, tuple[_Owner, str, int, bool]] = {}
        self.reserved = 0
        self._shares: dict[str, list[int]] = {}  # share -> [unfinished uploads, bytes]
        self._owners: Counter[_Owner] = Counter()
        # Chunks finish and uploads go on the event loop while a begin runs in a worker.
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._counted)

    def add(self, info: UploadInfo) -> None:
        """Count *info* (in place of what its earlier record counted, if any)."""
        owner = (info.component, info.component_id, info.name, info.user)
        counted = (owner, share_of(info.user), info.size, info.complete)
        with self._lock:
            earlier = self._counted.pop(info.upload_id, None)
            if earlier is not None:
                self._count(*earlier, sign=-1)
            self._counted[info.upload_id] = counted
            self._count(*counted, sign=1)

    def remove(self, upload_id: str) -> None:
        """Stop counting the upload (nothing happens for one not counted)."""
        with self._lock:
            counted = self._counted.pop(upload_id, None)
            if counted is not None:
                self._count(*counted, sign=-1)

    def held(self, user: str) -> tuple[int, int]:
        """``(unfinished uploads, declared bytes)`` of *user*'s share."""
        with self._lock:
            pending, held = self._shares.get(share_of(user), (0, 0))
            return pending, held

    def owned(self, info: UploadInfo) -> int:
        """How many uploads the same component, id, upload name and user hold."""
        return self._owners[(info.component, info.component_id, info.name, info.user)]

    def _count(self, owner: _Owner, share: str, size: int, complete: bool, sign: int) -> None:
        self.reserved += sign * size
        self._owners[owner] += sign
        if not self._owners[owner]:
            del self._owners[owner]
        totals = self._shares.setdefault(share, [0, 0])
        totals[0] += sign * (not complete)
        totals[1] += sign * size
        if totals == [0, 0]:
            del self._shares[share]
