"""A small app for the browser tests of uploads: an avatar (PNG, with preview, progress and
errors) and attachments (a drop zone, several files, cancel), in chunks of 64 KiB.

Served by uvicorn (``--app-dir tests/browser uploads_app:app``); the uploads go to
``$CF_TEST_UPLOADS/store``, which the tests read.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import jinja2
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from component_framework.core import Component, ComponentRegistry
from component_framework.core.jinja import JinjaRenderer
from component_framework.core.s3_uploads import S3UploadStore
from component_framework.core.uploads import LocalUploadStore, Upload, UploadedFile
from component_framework.web import ComponentApp

CHUNK = 64 * 1024
DIRECTORY = Path(os.environ.get("CF_TEST_UPLOADS") or tempfile.mkdtemp())
store = LocalUploadStore(DIRECTORY / "store")
# Straight to S3: moto's server the tests started ($CF_TEST_S3), bucket "browser-uploads".
s3 = S3UploadStore(
    "browser-uploads", endpoint_url=os.environ.get("CF_TEST_S3"), part_size=5 * 1024 * 1024
)

TEMPLATE = """<div>
  <label>Avatar <input type="file" name="avatar" cf-upload="avatar"></label>
  <progress cf-upload-progress="avatar" data-testid="avatar-progress"></progress>
  <p role="alert" cf-upload-error="avatar" data-testid="avatar-error"></p>
  <img cf-upload-preview="avatar" alt="preview" data-testid="preview">
  <div cf-upload="attachments" data-testid="drop">Drop files here</div>
  <input type="file" cf-upload="attachments" data-testid="attachments">
  <p role="alert" cf-upload-error="attachments" data-testid="attachments-error"></p>
  <button type="button" cf-upload-cancel="attachments">Cancel attachments</button>
  <button type="button" cf-click="save">Save</button>
  <label>Photo <input type="file" cf-upload="photo" cf-upload-done="set_photo"></label>
  <label>Scan <input type="file" cf-upload="scan" cf-upload-done="keep_scan"></label>
  <label>Archive <input type="file" cf-upload="archive" cf-upload-done="keep_scan"></label>
  <p data-testid="photo">{{ state.photo }}</p>
  <ul data-testid="saved">{% for line in state.saved %}<li>{{ line }}</li>{% endfor %}</ul>
</div>"""

registry = ComponentRegistry()
renderer = JinjaRenderer(loader=jinja2.DictLoader({"profile.html": TEMPLATE}))


@registry.register("profile")
class Profile(Component):
    template_name = "profile.html"
    renderer = renderer
    uploads = {
        "avatar": Upload(accept=["image/png"], max_size=600_000, chunk_size=CHUNK, store=store),
        "attachments": Upload(max_files=3, max_size=2_000_000, chunk_size=CHUNK, store=store),
        "photo": Upload(accept=["image/*"], chunk_size=CHUNK, store=store),
        "scan": Upload(accept=["image/png"], max_size=20_000_000, store=s3),
        "archive": Upload(max_size=20_000_000, store=store),  # chunks of the default size
    }

    def mount(self) -> None:
        super().mount()
        self.state["saved"] = []

    def on_save(
        self,
        avatar: UploadedFile | None = None,
        attachments: list[UploadedFile] | None = None,
    ) -> None:
        for file in [*([avatar] if avatar else []), *(attachments or [])]:
            digest = hashlib.sha256(file.read()).hexdigest()[:16]
            self.state["saved"].append(f"{file.name} {file.size} {file.content_type} {digest}")

    def on_keep_scan(
        self, scan: UploadedFile | None = None, archive: UploadedFile | None = None
    ) -> None:
        file = scan or archive
        assert file is not None
        digest = hashlib.sha256(file.read()).hexdigest()[:16]
        self.state["photo"] = f"{file.name} {file.size} {file.content_type} {digest} stored"

    def on_set_photo(self, photo: UploadedFile) -> None:
        self.state["photo"] = f"{photo.name} {photo.size} {photo.content_type}"


cf = ComponentApp(registry=registry, debug=True)
cf.install_jinja(renderer)

SCRIPTS = '<script src="/cf/cf.js" defer></script><script src="/cf/cf-uploads.js" defer></script>'
PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>uploads</title></head>
<body>{body}{scripts}</body></html>"""


async def home(request: Request) -> Response:
    body = cf.render("profile", request)
    return HTMLResponse(PAGE.format(body=body, scripts=SCRIPTS))


app = Starlette(routes=[Route("/", home), cf.mount()])
