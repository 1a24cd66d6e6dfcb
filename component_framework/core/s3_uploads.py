"""``S3UploadStore``: pages send files straight to S3-compatible storage; the app signs and
confirms.

When an upload begins, the app answers with presigned URLs instead of taking chunks: one
``PUT`` for a file up to ``part_size``, else one per part of a multipart upload (each URL
signed for its part's exact ``Content-Length``). The page sends the bytes there, then asks the
app to confirm (``POST {prefix}/upload/<id>`` with the parts' ETags): the app completes the
multipart upload, checks the object's size against the declared one and its type against its
first bytes, and only then calls the upload complete. An object that does not match is
deleted. Each upload's record is a small JSON object beside its bytes, so every worker of the
app sees it.

The bucket must let the page's site ``PUT`` to it and read the ``ETag`` header (CORS:
``AllowedMethods: ["PUT"]``, ``ExposeHeaders: ["ETag"]``), and should expire what is left
behind (a lifecycle rule on the prefix, and on incomplete multipart uploads); ``sweep()`` does
the same from the app.

Needs boto3: ``pip install 'cf-components[s3]'``.

Example:

    store = S3UploadStore("uploads-bucket", endpoint_url="https://s3.example.com")
    uploads = {"video": Upload(accept=["video/mp4"], max_size=2 * 1024**3, store=store)}
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict
from typing import IO, Any, NamedTuple

from ._upload_bounds import check_file_share, check_user_share, share_of
from .exceptions import ConfigurationError, UploadError
from .upload_store import UploadedFile, UploadInfo, is_upload_id

__all__ = ["S3UploadStore"]

_MIN_PART = 5 * 1024 * 1024  # S3's smallest part (but the last)


class S3UploadStore:
    """Uploads sent by pages straight to an S3-compatible bucket, under *prefix*.

    Args:
        bucket: The bucket.
        prefix: Where uploads go in it (records and bytes, named by upload id).
        client: A boto3 S3 client; by default one made with *endpoint_url* and the
            environment's credentials (``AWS_ACCESS_KEY_ID``, ...).
        endpoint_url: An S3-compatible server (MinIO, R2, ...); None: AWS.
        part_size: Bytes per part of a multipart upload (at least 5 MiB); smaller files
            go in one ``PUT``.
        max_age: Seconds an upload lives, finished or not (its token and URLs as long).
        max_pending: Unfinished uploads one user may have at a time.
        max_user_bytes: Declared bytes one user's uploads may hold at a time, finished or
            not (until consumed, cancelled or ``max_age`` old).
        clock: The time, for tests.

    Raises:
        ConfigurationError: boto3 is not installed, or *part_size* is under 5 MiB.
    """

    direct = True

    def __init__(
        self,
        bucket: str,
        *,
        prefix: str = "cf-uploads/",
        client: Any = None,
        endpoint_url: str | None = None,
        part_size: int = 8 * 1024 * 1024,
        max_age: float = 3600.0,
        max_pending: int = 20,
        max_user_bytes: int = 8 * 1024**3,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if part_size < _MIN_PART:
            raise ConfigurationError(f"part_size must be at least 5 MiB, got {part_size:,}.")
        if client is None:
            try:
                import boto3
            except ImportError:
                raise ConfigurationError(
                    "S3UploadStore needs boto3: pip install 'cf-components[s3]'."
                ) from None
            from botocore.config import Config  # type: ignore[import-untyped]

            # Signature version 4 signs the Content-Length a presigned URL names: a page cannot
            # send more bytes than its part declares (botocore may pick version 2 otherwise).
            client = boto3.client(
                "s3", endpoint_url=endpoint_url, config=Config(signature_version="s3v4")
            )
        self.bucket = bucket
        self.prefix = prefix
        self.client = client
        self.part_size = part_size
        self.max_age = max_age
        self.max_pending = max_pending
        self.max_user_bytes = max_user_bytes
        self._clock = clock

    def __repr__(self) -> str:
        return f"<S3UploadStore bucket={self.bucket!r} prefix={self.prefix!r}>"

    def _key(self, upload_id: str) -> str:
        return f"{self.prefix}{upload_id}"

    def _record(self, upload_id: str) -> str:
        return f"{self.prefix}{upload_id}.json"

    def _owners(self, info: UploadInfo) -> str:
        # One empty object per upload under its owner: begin() counts an owner's by listing.
        owner = json.dumps([info.component, info.component_id, info.name, info.user])
        return f"{self.prefix}owners/{owner.encode().hex()[:200]}/"

    def _users(self, info: UploadInfo) -> str:
        # One empty object per upload under its user, named by what begin() counts: its id,
        # declared size, when it began, and whether it is complete.
        return f"{self.prefix}users/{share_of(info.user).encode().hex()[:200]}/"

    def _marks(self, info: UploadInfo) -> tuple[str, str]:
        # The user's mark of the upload: unfinished, complete.
        mark = f"{self._users(info)}{info.upload_id}.{info.size}.{int(info.created)}"
        return mark, mark + ".complete"

    def _held(self, info: UploadInfo) -> Iterator[tuple[int, bool]]:
        # (declared size, complete) of the uploads this user holds, not yet max_age old.
        listed = self.client.list_objects_v2(
            Bucket=self.bucket, Prefix=self._users(info), MaxKeys=1000
        )
        if listed.get("IsTruncated"):
            raise UploadError(
                "Too many uploads at once: finish or cancel some before starting another.",
                code="upload_too_many",
                status=429,
            )
        now = self._clock()
        for item in listed.get("Contents", ()):
            mark = _Mark.parse(item["Key"])
            if mark is not None and now - mark.created <= self.max_age:
                yield mark.size, mark.complete

    # ---------- Records ----------

    def begin(self, info: UploadInfo, max_files: int) -> UploadInfo:
        """Record a new upload: at most *max_files* per component, id, upload and user, and
        within the user's share (``max_pending``, ``max_user_bytes``).

        Raises:
            UploadError: 413 for a file over the user's share, 429 beyond either bound.
        """
        check_file_share(info, self.max_user_bytes)
        owners = self._owners(info)
        listed = self.client.list_objects_v2(Bucket=self.bucket, Prefix=owners, MaxKeys=1000)
        if listed.get("KeyCount", 0) >= max_files:
            raise UploadError(
                f"Upload {info.name!r} takes at most {max_files} file(s); "
                "cancel one to send another.",
                code="upload_too_many",
                status=429,
            )
        pending = held = 0
        for size, complete in self._held(info):
            pending += not complete
            held += size
        check_user_share(
            info, pending, held, max_pending=self.max_pending, max_user_bytes=self.max_user_bytes
        )
        self.client.put_object(Bucket=self.bucket, Key=owners + info.upload_id, Body=b"")
        self.client.put_object(Bucket=self.bucket, Key=self._marks(info)[0], Body=b"")
        self.save_info(info)
        return info

    def get(self, upload_id: str) -> UploadInfo | None:
        """The upload's record, or None."""
        if not is_upload_id(upload_id):
            return None
        try:
            got = self.client.get_object(Bucket=self.bucket, Key=self._record(upload_id))
            return UploadInfo(**json.loads(got["Body"].read()))
        except self.client.exceptions.NoSuchKey:
            return None

    def save_info(self, info: UploadInfo) -> None:
        """Write the record (a complete upload: its user's mark says so)."""
        body = json.dumps(asdict(info)).encode()
        self.client.put_object(Bucket=self.bucket, Key=self._record(info.upload_id), Body=body)
        if info.complete:
            unfinished, complete = self._marks(info)
            self.client.put_object(Bucket=self.bucket, Key=complete, Body=b"")
            self.client.delete_object(Bucket=self.bucket, Key=unfinished)

    # ---------- The bytes: presigned, confirmed ----------

    def presign(self, info: UploadInfo) -> dict[str, Any]:
        """Where the page sends the bytes: ``{"parts": [{"number", "url", "size"}, ...]}``
        (one part without a number for a single ``PUT``), and ``"sent"``: the parts storage
        holds already (``{"number", "etag"}``; a page taking over a multipart upload after a
        reload sends only the others)."""
        expires = int(self.max_age)
        key = self._key(info.upload_id)
        if info.size <= self.part_size:
            params = {"Bucket": self.bucket, "Key": key, "ContentLength": info.size}
            url = self.client.generate_presigned_url("put_object", params, ExpiresIn=expires)
            return {"parts": [{"number": None, "url": url, "size": info.size}], "sent": []}
        if info.multipart is None:
            started = self.client.create_multipart_upload(Bucket=self.bucket, Key=key)
            info.multipart = started["UploadId"]
            self.save_info(info)
        parts = []
        for number, offset in enumerate(range(0, info.size, self.part_size), start=1):
            size = min(self.part_size, info.size - offset)
            params = {
                "Bucket": self.bucket,
                "Key": key,
                "UploadId": info.multipart,
                "PartNumber": number,
                "ContentLength": size,
            }
            url = self.client.generate_presigned_url("upload_part", params, ExpiresIn=expires)
            parts.append({"number": number, "url": url, "size": size})
        return {"parts": parts, "sent": self._sent(info, key, parts)}

    def _sent(self, info: UploadInfo, key: str, parts: list[dict[str, Any]]) -> list[Any]:
        # The parts of the multipart upload storage holds whole (a part cut short is not one).
        sizes = {part["number"]: part["size"] for part in parts}
        listed = self.client.list_parts(Bucket=self.bucket, Key=key, UploadId=info.multipart)
        return [
            {"number": held["PartNumber"], "etag": held["ETag"]}
            for held in listed.get("Parts", [])
            if sizes.get(held["PartNumber"]) == held["Size"]
        ]

    def confirm(self, info: UploadInfo, parts: list[dict[str, Any]]) -> None:
        """Finish what the page sent (*parts*: ``{"number", "etag"}`` of a multipart upload)
        and set ``info.offset`` to the object's size.

        Raises:
            UploadError: Missing parts, or an object of another size (then deleted).
        """
        key = self._key(info.upload_id)
        if info.multipart is not None:
            expected = -(-info.size // self.part_size)
            numbers = sorted(p.get("number") or 0 for p in parts if isinstance(p, dict))
            if numbers != list(range(1, expected + 1)):
                raise UploadError(
                    f"Confirm the upload with the ETag of each of its {expected} parts.",
                    code="upload_bad_request",
                )
            listed = [{"PartNumber": p["number"], "ETag": str(p.get("etag"))} for p in parts]
            try:
                self.client.complete_multipart_upload(
                    Bucket=self.bucket,
                    Key=key,
                    UploadId=info.multipart,
                    MultipartUpload={"Parts": sorted(listed, key=lambda p: p["PartNumber"])},
                )
            except self.client.exceptions.ClientError:
                raise UploadError(
                    "The storage did not take the parts as sent: send the missing or "
                    "changed parts again, then confirm.",
                    code="upload_incomplete",
                    status=409,
                ) from None
        try:
            size = self.client.head_object(Bucket=self.bucket, Key=key)["ContentLength"]
        except self.client.exceptions.ClientError:
            raise UploadError(
                "Nothing arrived in storage for this upload yet: send the file, then confirm.",
                code="upload_incomplete",
                status=409,
            ) from None
        if size != info.size:
            self.client.delete_object(Bucket=self.bucket, Key=key)
            raise UploadError(
                f"The stored file is {size:,} bytes, not the {info.size:,} declared; it was "
                "removed.",
                code="upload_too_large" if size > info.size else "upload_incomplete",
                status=413 if size > info.size else 409,
            )
        info.offset = size

    def head(self, info: UploadInfo, size: int) -> bytes:
        """The object's first *size* bytes."""
        got = self.client.get_object(
            Bucket=self.bucket, Key=self._key(info.upload_id), Range=f"bytes=0-{size - 1}"
        )
        data: bytes = got["Body"].read()
        return data

    def receive(self, info: UploadInfo, offset: int) -> Any:
        """Pages send the bytes to storage, not to the app."""
        raise UploadError(
            "This upload goes straight to storage: send its bytes to the URLs it was given.",
            code="upload_direct",
            status=409,
        )

    # ---------- Handing over ----------

    def file(self, info: UploadInfo) -> UploadedFile:
        """The finished upload as a handler receives it (no local path)."""
        kind = info.content_type or "application/octet-stream"
        return UploadedFile(info.upload_id, info.filename, info.size, kind, self)

    def open(self, upload_id: str) -> IO[bytes]:
        """The object's bytes, streamed."""
        got = self.client.get_object(Bucket=self.bucket, Key=self._key(upload_id))
        body: IO[bytes] = got["Body"]
        return body

    def keep(self, upload_id: str, name: str, destination: str) -> str:
        """Copy the object to the key *destination* of the bucket (a key ending in ``/``
        keeps *name*) and consume the upload."""
        target = destination + name if destination.endswith("/") else destination
        source = {"Bucket": self.bucket, "Key": self._key(upload_id)}
        self.client.copy_object(Bucket=self.bucket, Key=target, CopySource=source)
        self.discard(upload_id)
        return target

    def discard(self, upload_id: str) -> None:
        """Remove the upload: its bytes (an unfinished multipart upload too) and records."""
        info = self.get(upload_id)
        if info is None:
            return
        key = self._key(upload_id)
        if info.multipart is not None and not info.complete:
            with contextlib.suppress(self.client.exceptions.ClientError):  # aborted already
                self.client.abort_multipart_upload(
                    Bucket=self.bucket, Key=key, UploadId=info.multipart
                )
        owned = self._owners(info) + upload_id
        for gone in (key, self._record(upload_id), owned, *self._marks(info)):
            self.client.delete_object(Bucket=self.bucket, Key=gone)

    def sweep(self) -> int:
        """Remove uploads older than ``max_age`` (and marks left of them); return how many."""
        now = self._clock()
        removed = 0
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix
        )
        for page in pages:
            for item in page.get("Contents", ()):
                key = item["Key"]
                if key.startswith(self.prefix + "users/"):
                    mark = _Mark.parse(key)
                    if mark is not None and now - mark.created > self.max_age:
                        self.client.delete_object(Bucket=self.bucket, Key=key)
                    continue
                if not key.endswith(".json") or key.startswith(self.prefix + "owners/"):
                    continue
                info = self.get(key[len(self.prefix) : -len(".json")])
                if info is not None and now - info.created > self.max_age:
                    self.discard(info.upload_id)
                    removed += 1
        return removed


class _Mark(NamedTuple):
    """What a user's mark of an upload names (``users/<user>/<id>.<size>.<began>[.complete]``)."""

    size: int
    created: float
    complete: bool

    @classmethod
    def parse(cls, key: str) -> _Mark | None:
        fields = key.rsplit("/", 1)[-1].split(".")
        if len(fields) not in (3, 4) or not (fields[1].isdigit() and fields[2].isdigit()):
            return None
        return cls(int(fields[1]), float(fields[2]), len(fields) == 4)
