"""ComponentTester.upload: files go through the upload endpoint's checks to the handler."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from component_framework.core import Component
from component_framework.core.exceptions import UploadError
from component_framework.core.uploads import LocalUploadStore, Upload, UploadedFile
from component_framework.testing import ComponentTester

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 3000


def gallery(store: LocalUploadStore) -> type[Component]:
    class Gallery(Component):
        uploads = {
            "photos": Upload(accept=["image/png"], max_files=2, chunk_size=1024, store=store)
        }

        def render(self) -> str:
            return "<ul>" + "".join(f"<li>{n}</li>" for n in self.state.get("names", [])) + "</ul>"

        def on_add(self, photos: list[UploadedFile], caption: str = "") -> None:
            self.state["names"] = [f"{f.name} {f.size} {f.content_type}{caption}" for f in photos]

        def on_rename(self, title: str) -> None:
            self.state["title"] = title

    return Gallery


def test_uploaded_files_reach_the_event_that_takes_them(tmp_path: Path) -> None:
    store = LocalUploadStore(tmp_path / "store")
    (tmp_path / "b.png").write_bytes(PNG)
    tester = ComponentTester(gallery(store))
    tester.upload("photos", ("a.png", PNG), tmp_path / "b.png")
    assert len(tester.uploaded["photos"]) == 2
    tester.call("rename", title="x")  # takes no photos: they wait
    tester.call("add", caption="!").assert_see("<li>a.png 3008 image/png!</li>", escape=False)
    tester.assert_see("<li>b.png 3008 image/png!</li>", escape=False)
    assert tester.uploaded == {}
    assert list((tmp_path / "store").iterdir()) == []
    tester.assert_upload("photos", accept=["image/png"], max_files=2, events=["add"])
    tester.assert_no_effects()  # the upload offered by every render is not asked for
    with pytest.raises(AssertionError, match=r"no upload 'avatar'; the render offers \['photos'\]"):
        tester.assert_upload("avatar")
    with pytest.raises(AssertionError, match=re.escape("upload 'photos' has {'max_files': 2}")):
        tester.assert_upload("photos", max_files=3)


@pytest.mark.parametrize(
    ("files", "code"),
    [
        ([("a.png", b"PK\x03\x04" + bytes(100))], "upload_type_refused"),
        ([("a.png", PNG)] * 3, "upload_too_many"),
        ([("../a.png", PNG)], "upload_bad_filename"),
    ],
)
def test_a_refused_file_raises_with_the_servers_reason(
    tmp_path: Path, files: list[tuple[str, bytes]], code: str
) -> None:
    tester = ComponentTester(gallery(LocalUploadStore(tmp_path)))
    with pytest.raises(UploadError) as caught:
        tester.upload("photos", *files)
    assert caught.value.code == code


def test_an_undeclared_upload_is_named(tmp_path: Path) -> None:
    tester = ComponentTester(gallery(LocalUploadStore(tmp_path)))
    with pytest.raises(KeyError, match=r"declares no upload 'avatar'; it declares \['photos'\]"):
        tester.upload("avatar", ("a.png", PNG))
