"""``cf dev``: options, and the one-line errors before the server starts."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from component_framework.cli import app
from component_framework.devserver import PortInUseError
from component_framework.devserver.server import bind_socket

runner = CliRunner()


def test_help_lists_the_options() -> None:
    result = runner.invoke(app, ["dev", "--help"])
    assert result.exit_code == 0
    for option in ("--host", "--port", "--no-reload", "--app"):
        assert option in result.output
    assert "127.0.0.1" in result.output and "8000" in result.output


def _two_taken_ports() -> tuple[socket.socket, socket.socket]:
    """Two listening sockets on consecutive ports."""
    while True:
        first = socket.socket()
        first.bind(("127.0.0.1", 0))
        first.listen()
        second = socket.socket()
        try:
            second.bind(("127.0.0.1", first.getsockname()[1] + 1))
        except OSError:
            first.close()
            second.close()
            continue
        second.listen()
        return first, second


def test_a_taken_port_is_one_clear_line_suggesting_a_free_one(
    demo_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(demo_project)
    first, second = _two_taken_ports()  # cf dev on the first; the next one is taken too
    with first, second:
        port = first.getsockname()[1]
        result = runner.invoke(app, ["dev", "--port", str(port)])
        suggested = int(result.stderr.rsplit("--port ", 1)[1].rstrip(".\n"))
        assert suggested > port + 1
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", suggested))  # free indeed
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: Port {port} on 127.0.0.1 is already in use; stop the other server or pick "
        f"another port with --port {suggested}.\n"
    )


def test_no_project_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CF_APP", raising=False)
    result = runner.invoke(app, ["dev"])
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: no pyproject.toml with a [tool.cf] table")
    assert len(result.stderr.splitlines()) == 1


def test_bind_socket_raises_port_in_use() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(PortInUseError, match=f"Port {port} on 127.0.0.1 is already in use"):
            bind_socket("127.0.0.1", port)


def test_a_port_out_of_range_is_a_usage_error(
    demo_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(demo_project)
    result = runner.invoke(app, ["dev", "--port", "70000"])
    assert result.exit_code == 2
    assert "65535" in result.stderr
    assert "Traceback" not in result.output


def test_a_host_that_cannot_be_listened_on_is_one_clear_line(
    demo_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(demo_project)
    result = runner.invoke(app, ["dev", "--host", "999.1.1.1", "--port", "0"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: cannot listen on 999.1.1.1:0: ")
    assert result.stderr.endswith("; check --host\n")
    assert len(result.stderr.splitlines()) == 1


def test_the_banner_says_why_nothing_reloads(capsys: pytest.CaptureFixture[str]) -> None:
    from component_framework.devserver._console import print_banner

    print_banner("http://127.0.0.1:8000/", 0, [], reload=True)
    shown = " ".join(capsys.readouterr().err.replace("│", " ").split())
    assert "--no-reload" not in shown  # reload was asked for: the flag is not the reason
    assert "no component module or template folder to watch" in shown
    assert "[tool.cf] components" in shown
    print_banner("http://127.0.0.1:8000/", 1, ["app"], reload=False)
    assert "off (--no-reload)" in capsys.readouterr().err
