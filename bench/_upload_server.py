"""The server of bench/uploads.py: the upload endpoint and the raw floor, under uvicorn
(``uvicorn _upload_server:app``, Starlette) or gunicorn (``_upload_server:flask_app``, Flask).

``CF_BENCH_UPLOADS`` is the store's directory, ``CF_BENCH_CHUNK`` the chunk size.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from component_framework.core import Component, ComponentRegistry
from component_framework.core.signing import Signer
from component_framework.core.uploads import LocalUploadStore, Upload, UploadedFile
from component_framework.web import ComponentApp

KEY = "bench-uploads-key-0123456789abcdef"
DIRECTORY = Path(os.environ.get("CF_BENCH_UPLOADS") or tempfile.mkdtemp())
CHUNK = int(os.environ.get("CF_BENCH_CHUNK", str(1024 * 1024)))

registry = ComponentRegistry()
store = LocalUploadStore(DIRECTORY / "store", max_bytes=8 * 1024**3, max_pending=100)


@registry.register("uploader")
class Uploader(Component):
    uploads = {"file": Upload(max_size=1024**3, max_files=100, chunk_size=CHUNK, store=store)}

    def render(self) -> str:
        return "<p></p>"

    def on_done(self, file: list[UploadedFile]) -> None:
        for uploaded in file:
            uploaded.save(DIRECTORY / "kept" / uploaded.upload_id)


async def raw(request: Request) -> Response:
    # The floor: what a user would write by hand, the request body streamed to a file.
    size = 0
    with tempfile.NamedTemporaryFile(dir=DIRECTORY, delete=True) as target:
        async for piece in request.stream():
            target.write(piece)
            size += len(piece)
    return JSONResponse({"size": size})


(DIRECTORY / "kept").mkdir(parents=True, exist_ok=True)
components = ComponentApp(registry=registry, signer=Signer([KEY]))
app = Starlette(routes=[Route("/raw", raw, methods=["PUT"]), components.mount()])


def _flask_app() -> Any:
    from flask import Flask, jsonify, request

    from component_framework.flask import Components

    flask_app = Flask("bench")
    Components(flask_app, registry=registry, signer=Signer([KEY]), sockets=False)

    @flask_app.put("/raw")
    def flask_raw() -> Any:
        # The floor under Flask: the body streamed to a file in the pieces the server reads.
        size = 0
        with tempfile.NamedTemporaryFile(dir=DIRECTORY, delete=True) as target:
            while piece := request.stream.read(64 * 1024):
                target.write(piece)
                size += len(piece)
        return jsonify({"size": size})

    return flask_app


flask_app = _flask_app() if os.environ.get("CF_BENCH_ADAPTER") == "flask" else None
