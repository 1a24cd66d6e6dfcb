"""What a file is, from its first bytes (never from the name or the type a client claims).

A short table of signatures for the types an upload may accept. A declared type outside it is
refused where it is declared: a type the server cannot recognise cannot be checked.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["HEAD_BYTES", "KNOWN_TYPES", "accepts", "check_accept", "sniff"]

HEAD_BYTES = 64 * 1024
"""How much of a file's start ``sniff`` reads (a text file is checked that far)."""

# (offset, signature, type), the longest first where one is the prefix of another.
_SIGNATURES: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\x89PNG\r\n\x1a\n", "image/png"),
    (0, b"\xff\xd8\xff", "image/jpeg"),
    (0, b"GIF87a", "image/gif"),
    (0, b"GIF89a", "image/gif"),
    (0, b"%PDF-", "application/pdf"),
    (0, b"PK\x03\x04", "application/zip"),
    (0, b"PK\x05\x06", "application/zip"),
    (0, b"\x1f\x8b", "application/gzip"),
    (0, b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
    (0, b"BM", "image/bmp"),
    (4, b"ftypavif", "image/avif"),
    (4, b"ftyp", "video/mp4"),
    (0, b"ID3", "audio/mpeg"),
    (0, b"OggS", "audio/ogg"),
)
_TEXT = ("text/plain", "text/csv")

KNOWN_TYPES: tuple[str, ...] = tuple(
    sorted({kind for _, _, kind in _SIGNATURES} | {"image/webp", "audio/wav", *_TEXT})
)
"""The content types an upload may declare in ``accept`` (and ``image/*``-style families)."""


def sniff(head: bytes, *, complete: bool = True) -> str:
    """The content type of a file starting with *head* (``application/octet-stream`` when
    none matches). *complete*: *head* is the whole file, so text cut short is still text."""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    for offset, signature, kind in _SIGNATURES:
        if head[offset : offset + len(signature)] == signature:
            return kind
    if head and _is_text(head, complete):
        return "text/plain"
    return "application/octet-stream"


def _is_text(head: bytes, complete: bool) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the end of the head is still text.
        return (
            not complete and exc.start >= len(head) - 3 and exc.reason == "unexpected end of data"
        )
    return True


def accepts(accept: Iterable[str], sniffed: str, filename: str) -> str | None:
    """The type a file sniffed as *sniffed* is accepted as under *accept*, or None.

    Text has no signature: ``text/csv`` accepts any UTF-8 text, and a name ending in
    ``.csv`` then calls it ``text/csv``.
    """
    accept = tuple(accept)
    if not accept:
        return sniffed
    for wanted in accept:
        if wanted == sniffed or (wanted.endswith("/*") and sniffed.startswith(wanted[:-1])):
            return sniffed
    if sniffed == "text/plain":
        texts = [t for t in accept if t in _TEXT]
        by_name = [t for t in texts if filename.lower().endswith("." + t.split("/")[1])]
        if by_name or texts:
            return (by_name or texts)[0]
    return None


def check_accept(accept: Iterable[str]) -> tuple[str, ...]:
    """*accept* as declared, checked.

    Raises:
        ValueError: A type the server cannot recognise from a file's bytes.
    """
    checked = []
    families = {kind.split("/")[0] for kind in KNOWN_TYPES}
    for kind in accept:
        known = kind in KNOWN_TYPES or (kind.endswith("/*") and kind[:-2] in families)
        if not isinstance(kind, str) or not known:
            raise ValueError(
                f"Upload type {kind!r} cannot be recognised from a file's bytes; use one of "
                f"{', '.join(KNOWN_TYPES)} or a family such as 'image/*'."
            )
        checked.append(kind)
    return tuple(checked)
