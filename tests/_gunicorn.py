"""A WSGI app under a real gunicorn (threaded workers), for the Flask adapter's tests."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from tests._net import free_port, wait_for_server

__all__ = ["ROOT", "serve_gunicorn"]

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def serve_gunicorn(
    app: str, *, workers: int = 1, env: Mapping[str, str] | None = None, timeout: float = 30.0
) -> Iterator[str]:
    """Serve *app* (``module:name``) under gunicorn's threaded workers on a free loopback port,
    in a subprocess run from the repository root; yield its base URL."""
    port = free_port()
    env = {**os.environ, "CF_SECRET_KEY": "flask-tests-secret-key-0123456789", **(env or {})}
    command = [
        sys.executable, "-m", "gunicorn", app, "--bind", f"127.0.0.1:{port}",
        "--worker-class", "gthread", "--threads", "16", "--workers", str(workers),
        "--log-level", "warning", "--graceful-timeout", "2",
    ]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        wait_for_server(port, server, "gunicorn", timeout)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=20)
