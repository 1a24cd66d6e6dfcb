"""What the benchmarks share to run a server of their own: a free port, waiting until the
server listens, starting one and stopping it.

    port = free_port()
    with serving([sys.executable, "-m", "uvicorn", "app:app", "--port", str(port)], port):
        ...
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

__all__ = ["free_port", "serving", "start", "stop", "wait_listening", "wait_port"]


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_listening(
    port: int, process: subprocess.Popen[bytes] | None = None, timeout: float = 30
) -> None:
    """Return once something listens on *port*; raise if *process* exits or *timeout* passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the bench server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"the bench server did not listen on {port} within {timeout:g} s")


async def wait_port(port: int, timeout: float = 20) -> None:
    """``wait_listening`` for a benchmark running on an event loop."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            await asyncio.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


def start(
    command: list[str],
    port: int,
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 30,
    quiet: bool = False,
) -> subprocess.Popen[bytes]:
    """Start *command* (a server that will listen on *port*) and wait until it listens."""
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env=None if env is None else {**os.environ, **env},
        stderr=subprocess.DEVNULL if quiet else None,
    )
    try:
        wait_listening(port, process, timeout)
    except BaseException:
        process.kill()
        process.wait()
        raise
    return process


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a server started with ``start`` (terminate, then kill after 20 s)."""
    stop_all([process])


def stop_all(processes: list[subprocess.Popen[bytes]]) -> None:
    """Stop *processes* together: terminate them all, then wait for each (kill after 20 s)."""
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def serving(
    command: list[str],
    port: int,
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 30,
    quiet: bool = False,
) -> Iterator[subprocess.Popen[bytes]]:
    """``start`` the server for the ``with`` block, ``stop`` it after."""
    process = start(command, port, cwd=cwd, env=env, timeout=timeout, quiet=quiet)
    try:
        yield process
    finally:
        stop(process)
