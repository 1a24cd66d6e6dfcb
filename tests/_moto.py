"""moto's S3 server in a process of its own on a free port: a real S3-compatible server for the
tests of direct uploads (never the in-process mock)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests._net import free_port, wait_for_server

__all__ = ["s3_client", "s3_server"]


@contextmanager
def s3_server(log: Path) -> Iterator[str]:
    """Start moto's server (its output to *log*); yield its URL."""
    port = free_port()
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_server(port, server, "moto_server")
            yield f"http://127.0.0.1:{port}"
        finally:
            server.terminate()
            server.wait(10)


def s3_client(url: str, bucket: str, *, cors: bool = False) -> Any:
    """A boto3 client of the server at *url*, with *bucket* made (a browser may PUT to it
    from any site and read the ETag, with *cors*)."""
    import boto3
    from botocore.config import Config

    client = boto3.client(
        "s3",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(signature_version="s3v4"),  # as S3UploadStore's own client
    )
    client.create_bucket(Bucket=bucket)
    if cors:
        rule = {
            "AllowedOrigins": ["*"],
            "AllowedMethods": ["PUT"],
            "AllowedHeaders": ["*"],
            "ExposeHeaders": ["ETag"],
        }
        client.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [rule]})
    return client
