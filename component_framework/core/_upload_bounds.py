"""What one user's uploads may hold in a store, checked when an upload begins (by every store:
``LocalUploadStore`` and ``S3UploadStore`` count their own way, refuse the same way).

An upload reserves its declared size before any byte is sent, so a client that begins uploads
and never sends their bytes must not take more than its share: at most ``max_pending``
unfinished uploads and ``max_user_bytes`` declared bytes per user (the logged-in user, else the
client's address, however many sessions it opens; an IPv6 address counts by its /64 network,
which one subscriber gets whole).
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable
from typing import TYPE_CHECKING

from .exceptions import UploadError

if TYPE_CHECKING:
    from .upload_store import UploadInfo


@functools.lru_cache(maxsize=16_384)
def share_of(user: str) -> str:
    """Whose share *user*'s uploads count against: *user* itself, but an IPv6 address's /64
    network (``"address:2001:db8:1:2::/64"``) and an IPv4-mapped address's IPv4 address."""
    kind, _, address = user.partition(":")
    if kind != "address":
        return user
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return user
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return f"address:{parsed.ipv4_mapped}"
        return f"address:{ipaddress.ip_network(f'{parsed}/64', strict=False)}"
    return f"address:{parsed}"


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
    info: UploadInfo,
    held: Iterable[tuple[int, bool]],
    *,
    max_pending: int,
    max_user_bytes: int,
) -> None:
    """Refuse *info* (429 ``upload_too_many``) when its user's uploads hold their share.

    Args:
        info: The upload about to begin.
        held: ``(declared size, complete)`` of each upload the same user holds in the store.
        max_pending: Unfinished uploads one user may have at a time.
        max_user_bytes: Declared bytes one user's uploads may hold, finished or not (a
            finished upload holds its bytes until its handler consumes it).
    """
    pending = reserved = 0
    for size, complete in held:
        pending += not complete
        reserved += size
    if pending >= max_pending:
        raise UploadError(
            f"Too many unfinished uploads ({pending}): finish or cancel some before starting "
            "another.",
            code="upload_too_many",
            status=429,
        )
    if reserved + info.size > max_user_bytes:
        raise UploadError(
            f"Your uploads already hold {reserved:,} of the {max_user_bytes:,} bytes one user "
            f"may have at a time; no room for {info.size:,} more: finish or cancel some before "
            "starting another.",
            code="upload_too_many",
            status=429,
        )
