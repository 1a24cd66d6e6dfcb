"""Network helpers for tests that start servers (redis-server, uvicorn)."""

from __future__ import annotations

import socket
import subprocess
import time

__all__ = ["free_port", "wait_for_server"]


def free_port() -> int:
    """Return a TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_server(
    port: int, server: subprocess.Popen[bytes], what: str, timeout: float = 30.0
) -> None:
    """Wait until *server* (named *what* in errors) listens on *port*, or fail if it exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"{what} exited with code {server.returncode}.")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on 127.0.0.1:{port} in {timeout}s.")
