"""A real ``redis-server`` for tests: started on a free port in a temporary folder.

Tests get one through the ``redis_server`` fixture (``tests/conftest.py``): one process for
the session, emptied before each test (:meth:`RedisServer.reset`). The test command
installs Debian's redis-server when it is absent. Outside CI a machine without it skips the
Redis tests with the reason; in CI (``CI=true``) that, and a server that fails to start, fail.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from tests._net import free_port

__all__ = ["RedisServer"]


def _require_redis_server() -> str:
    """Return the redis-server path; skip (fail in CI) when it is not installed."""
    path = shutil.which("redis-server")
    if path is None:
        message = "redis-server is not installed (apt-get install redis-server; scripts/test does)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


class RedisServer:
    """One redis-server process on one port: :meth:`stop` then :meth:`start` is an outage.

    *arguments* are added to its command line (``["--maxmemory", "8mb"]``).
    """

    def __init__(self, directory: Path, arguments: Sequence[str] = ()) -> None:
        self.executable = _require_redis_server()
        self.arguments = list(arguments)
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def __repr__(self) -> str:
        return f"<RedisServer url={self.url!r} running={self.process is not None}>"

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start the server (on the same port as before) and wait until it answers PING."""
        log = self.directory / "redis.log"
        command = [self.executable, "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--dir", str(self.directory)]
        command += ["--logfile", str(log), *self.arguments]
        self.process = subprocess.Popen(
            command, cwd=self.directory, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        self.stop()
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        pytest.fail(f"redis-server did not start on port {self.port}:\n{tail}")

    def reset(self) -> None:
        """Start the server if it is not running, else empty it and zero its statistics: as
        fresh as a new one, for the next test."""
        if self.process is None or self.process.poll() is not None:
            self.start()
            return
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as sock:
            sock.sendall(b"FLUSHALL\r\nCONFIG RESETSTAT\r\n")
            replies = b""
            while replies.count(b"\r\n") < 2:
                chunk = sock.recv(64)
                if not chunk:
                    break
                replies += chunk
        if replies != b"+OK\r\n+OK\r\n":
            pytest.fail(f"redis-server on port {self.port} did not reset: {replies!r}")

    def stop(self) -> None:
        """Stop the server (a no-op when it is not running)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def restart(self) -> None:
        """Stop and start again on the same port (its data is gone: nothing is saved)."""
        self.stop()
        self.start()
