"""The server of bench/uploads.py: the upload endpoint and the raw floor, on one adapter.

ASGI adapters under uvicorn (``uvicorn _upload_server:app``): Starlette, FastAPI, Litestar and
Django, each beside the same floor, a raw Starlette endpoint at ``/raw`` in the same process;
Flask under gunicorn (``_upload_server:flask_app``) beside a raw Flask endpoint.

``CF_BENCH_ADAPTER`` is the adapter, ``CF_BENCH_UPLOADS`` the store's directory,
``CF_BENCH_CHUNK`` the chunk size, ``CF_BENCH_DJANGO_SPOOL`` Django's
``FILE_UPLOAD_MAX_MEMORY_SIZE``.
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
from starlette.types import ASGIApp, Receive, Scope, Send

from component_framework.core import Component, ComponentRegistry
from component_framework.core.signing import Signer
from component_framework.core.uploads import LocalUploadStore, Upload, UploadedFile
from component_framework.web import ComponentApp

KEY = "bench-uploads-key-0123456789abcdef"
ADAPTER = os.environ.get("CF_BENCH_ADAPTER", "starlette")
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


floor = Starlette(routes=[Route("/raw", raw, methods=["PUT"])])


def beside_floor(app: ASGIApp) -> ASGIApp:
    """*app*, with ``PUT /raw`` going to the raw Starlette floor."""

    async def dispatch(scope: Scope, receive: Receive, send: Send) -> None:
        chosen = floor if scope["type"] == "http" and scope["path"] == "/raw" else app
        await chosen(scope, receive, send)

    return dispatch


def starlette_app() -> ASGIApp:
    components = ComponentApp(registry=registry, signer=Signer([KEY]))
    return Starlette(routes=[Route("/raw", raw, methods=["PUT"]), components.mount()])


def fastapi_app() -> ASGIApp:
    from fastapi import FastAPI

    api = FastAPI()
    api.mount("/cf", ComponentApp(registry=registry, signer=Signer([KEY])))
    return beside_floor(api)


def litestar_app() -> ASGIApp:
    from litestar import Litestar

    from component_framework.litestar import create_router

    router = create_router(registry=registry, signer=Signer([KEY]))
    return beside_floor(Litestar(route_handlers=[router]))  # type: ignore[arg-type]


urlpatterns: list[Any] = []  # Django's, filled by django_app()


def django_app() -> ASGIApp:
    import django
    from django.conf import settings

    settings.configure(
        DEBUG=False,
        SECRET_KEY="bench-django-secret-key-0123456789",
        ALLOWED_HOSTS=["127.0.0.1"],
        INSTALLED_APPS=[
            "django.contrib.contenttypes",
            "django.contrib.auth",
            "component_framework.django",
        ],
        MIDDLEWARE=[],
        ROOT_URLCONF=__name__,
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        # What Django's ASGI handler keeps of a request body in memory before the view runs
        # (its default: 2.5 MB); the rest is spooled to a temporary file.
        FILE_UPLOAD_MAX_MEMORY_SIZE=int(os.environ.get("CF_BENCH_DJANGO_SPOOL", 2_621_440)),
        CF_SECRET_KEY=KEY,
        CF_REGISTRY=f"{__name__}.registry",
        LOGGING_CONFIG=None,
    )
    django.setup()
    from django.core.asgi import get_asgi_application
    from django.urls import include, path

    urlpatterns.append(path("cf/", include("component_framework.django.urls")))
    return beside_floor(get_asgi_application())  # type: ignore[arg-type]


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


(DIRECTORY / "kept").mkdir(parents=True, exist_ok=True)
ASGI = {"starlette": starlette_app, "fastapi": fastapi_app, "litestar": litestar_app,
        "django": django_app}  # fmt: skip
app = ASGI[ADAPTER]() if ADAPTER in ASGI else None
flask_app = _flask_app() if ADAPTER == "flask" else None
