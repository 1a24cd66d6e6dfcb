"""cf dispatch --file NAME=PATH: a file sent to a component's upload, then its event."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

COMPONENTS = """
from pathlib import Path

from component_framework.core import Component, registry
from component_framework.core.uploads import LocalUploadStore, Upload, UploadedFile

# The project's own store: not the machine's default, which other runs share.
store = LocalUploadStore(Path(__file__).parent.parent / "uploads")


@registry.register("profile")
class Profile(Component):
    uploads = {
        "avatar": Upload(accept=["image/png"], chunk_size=1024, store=store),
        "photos": Upload(accept=["image/png"], max_files=2, store=store),
    }

    def render(self) -> str:
        return f"<p>{self.state.get('avatar', '')}</p>"

    def on_save(self, avatar: list[UploadedFile]) -> None:
        self.state["avatar"] = [f"{f.name} {f.size} {f.content_type}" for f in avatar]

    def on_rename(self, title: str) -> None:
        pass

    def on_crop(self, avatar: list[UploadedFile]) -> None:
        raise RuntimeError("cannot crop")

    def on_album(self, photos: list[UploadedFile]) -> None:
        self.state["photos"] = len(photos)
"""


@pytest.fixture
def profile(make_project: Callable[..., Path]) -> Path:
    root = make_project({"app/__init__.py": "", "app/components.py": COMPONENTS})
    (root / "me.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(2000))
    (root / "bomb.png").write_bytes(b"PK\x03\x04" + bytes(2000))
    return root


def test_a_file_reaches_the_handler(cf: Callable[..., Result], profile: Path) -> None:
    result = cf("dispatch", "profile", "save", "--file", "avatar=me.png", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["state"] == {"avatar": ["me.png 2008 image/png"]}


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["save", "--file", "avatar"], "--file takes NAME=PATH (an upload's name and a file)"),
        (["save", "--file", "avatar=nope.png"], "--file avatar=nope.png: no such file"),
        (["save", "--file", "photo=me.png"], "--file photo=me.png: profile declares no upload"),
        (["rename", "--file", "avatar=me.png"], "avatar=me.png goes with an event that takes it"),
        (
            ["save", "--file", "avatar=bomb.png"],
            "--file avatar=bomb.png: refused: File 'bomb.png' is application/zip",
        ),
        (
            ["save", "--file", "avatar=me.png", "--file", "avatar=bomb.png"],
            "'avatar' takes at most 1 file(s), got 2: give --file avatar=PATH at most 1 time(s)",
        ),
    ],
)
def test_bad_files_are_usage_errors(
    cf: Callable[..., Result], profile: Path, args: list[str], error: str
) -> None:
    result = cf("dispatch", "profile", *args)
    assert result.exit_code == 2, result.output
    assert error in result.stderr


def test_files_a_dispatch_did_not_keep_do_not_block_the_next(
    cf: Callable[..., Result], profile: Path
) -> None:
    # The handler fails: its file is removed, not kept against the upload's max_files.
    assert cf("dispatch", "profile", "crop", "--file", "avatar=me.png").exit_code != 0
    result = cf("dispatch", "profile", "save", "--file", "avatar=me.png", "--json")
    assert result.exit_code == 0, result.output
    # The second file is refused: the first, sent, is removed too.
    refused = cf(
        "dispatch", "profile", "album", "--file", "photos=me.png", "--file", "photos=bomb.png"
    )
    assert refused.exit_code == 2 and "--file photos=bomb.png: refused" in refused.stderr
    args = ["--file", "photos=me.png", "--file", "photos=me.png", "--json"]
    result = cf("dispatch", "profile", "album", *args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["state"]["photos"] == 2
