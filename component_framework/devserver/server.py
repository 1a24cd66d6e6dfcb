"""``run``: serve the dev app with uvicorn, in one process, reloading in process."""

from __future__ import annotations

import errno
import os
import socket
from collections.abc import Sequence
from types import FrameType

import uvicorn

from ._channel import LiveChannel

__all__ = ["PortInUseError", "run"]


class PortInUseError(OSError):
    """The port is taken; the message says which and what to do."""


def bind_socket(host: str, port: int) -> socket.socket:
    """Bind *host*:*port* before anything else starts, so a taken port fails fast and clearly.

    Raises:
        PortInUseError: The port is taken (or reserved).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EACCES:
            raise PortInUseError(
                exc.errno,
                f"Port {port} on {host} is not open to this user (ports below 1024 need "
                "privileges); pick another port with "
                f"{_free_port_option(host, 8000 if port < 1024 else port + 1)}.",
            ) from None
        if exc.errno == errno.EADDRINUSE:
            raise PortInUseError(
                exc.errno,
                f"Port {port} on {host} is already in use; stop the other server or pick "
                f"another port with {_free_port_option(host, port + 1)}.",
            ) from None
        raise
    return sock


def _free_port_option(host: str, first: int, tries: int = 20) -> str:
    """``--port N`` for the first port from *first* that is free now (``--port 0``: any)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    for port in range(first, min(first + tries, 65536)):
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, port))
            except OSError:
                continue
        return f"--port {port}"
    return "--port 0 (any free port)"


class DevUvicornServer(uvicorn.Server):
    """Closes the live-reload streams first, so Ctrl+C never waits on an open page."""

    def __init__(self, config: uvicorn.Config, channel: LiveChannel) -> None:
        super().__init__(config)
        self.channel = channel

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self.channel.close()
        super().handle_exit(sig, frame)


def run(
    host: str = "127.0.0.1",
    port: int = 8000,
    app_modules: Sequence[str] | None = None,
    reload: bool = True,
    *,
    start: str | os.PathLike[str] | None = None,
    log_level: str = "warning",
    banner: bool = True,
) -> None:
    """Serve the project's dev server until Ctrl+C (single process, in-process reload).

    Args:
        host: Interface to listen on (loopback by default: the dev server trusts its user).
        port: TCP port.
        app_modules: Component modules replacing ``[tool.cf] components`` (``--app``).
        reload: Watch the project and reload in process (``--no-reload`` turns it off).
        start: Where to look for the project (the working directory by default).
        log_level: uvicorn's log level.
        banner: Print the start-up banner.

    Raises:
        PortInUseError: *port* is taken (the message is one line, fit for the terminal).
        component_framework.project.ProjectError: No project was found or it is malformed.
    """
    from component_framework.project import load_project

    from ._console import print_banner
    from ._signing import signing_note
    from .app import create_dev_app

    project = load_project(start, apps=list(app_modules or ()))
    sock = bind_socket(host, port)
    try:
        app = create_dev_app(project, reload=reload, allowed_hosts=allowed_hosts(host))
        dev = app.state.dev
        shown_host = f"[{host}]" if ":" in host else host
        if banner:
            watched = [_short(p) for p in dev.reloader.watch_paths]
            url = f"http://{shown_host}:{port}/"
            print_banner(url, len(dev.registry), watched, reload, signing_note())
        config = uvicorn.Config(app, log_level=log_level, timeout_graceful_shutdown=2)
        DevUvicornServer(config, dev.channel).run(sockets=[sock])
    finally:
        sock.close()


def allowed_hosts(host: str) -> list[str]:
    """The ``Host`` names the dev server answers: loopback names, plus *host* itself.

    Listening on every interface (``0.0.0.0``, ``::``) answers any name: the developer chose
    to expose the server.
    """
    if host in ("0.0.0.0", "::", ""):
        return ["*"]
    return sorted({"127.0.0.1", "localhost", "::1", "[::1]", host})


def _short(path: os.PathLike[str] | str) -> str:
    try:
        return os.path.relpath(path)
    except (ValueError, OSError):
        return os.fspath(path)
