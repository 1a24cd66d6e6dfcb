"""The counter event served by Django under uvicorn (ASGI), against a plain Django view.

One uvicorn process serves Django's ASGI application with both endpoints, behind the same
middleware (sessions and authentication; no CSRF middleware, so the load generator needs no
token, on both sides alike); the load generator of ``http_roundtrip.py`` (``wrk`` when
installed) hits them alternately, several rounds each:

* ``floor``: a plain async Django view doing the same work inline -- ``json.loads`` the message
  and the state, add 1, render the same Jinja template (a counter with a 50-item list),
  ``JsonResponse`` the reply.
* ``component``: ``POST /cf/event`` of ``component_framework.django`` (included at ``cf/``)
  with the same counter: content-type and header checks, the user loaded, core's message path
  (validation, HMAC verify, payload check, render, canonical dump, sign), JSON reply.

Reported: requests/s, p50/p99 latency and server CPU per request (medians over rounds), and
the ratio component/floor of requests/s (target: >= 0.8x).

Run:  python bench/django_roundtrip.py [--duration 5] [--rounds 3] [--connections 8]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from http_roundtrip import counter_message, ensure_wrk, load, measure

from _counter import KEY, renderer  # isort: skip (bench/ on sys.path)
from _servers import free_port, start  # isort: skip (bench/ on sys.path)


def configure_django() -> None:
    """A minimal Django project in this process: the floor view and the component URLs."""
    import django
    from django.conf import settings

    settings.configure(
        DEBUG=False,
        SECRET_KEY="bench-django-secret-key-0123456789",
        ALLOWED_HOSTS=["127.0.0.1"],
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "component_framework.django",
        ],
        MIDDLEWARE=[
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
        ],
        ROOT_URLCONF=__name__,
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        CF_SECRET_KEY=KEY,
        CF_REGISTRY="_counter.bench_registry",
        LOGGING_CONFIG=None,
    )
    django.setup()


async def floor(request: Any) -> Any:
    """The same work as the component endpoint, inline: parse, add, render, reply."""
    from django.http import JsonResponse

    message = json.loads(request.body)
    state = json.loads(message["state"])
    state["count"] += message["payload"].get("amount", 1)
    context = {"state": state, "errors": {}, "component_id": message["component_id"], "slots": {}}
    html = _template.render(context)
    return JsonResponse({"type": "component_update", "html": html, "state": json.dumps(state)})


_template = renderer.environment.get_template("counter.html")
urlpatterns: list[Any] = []


def serve(port: int) -> None:
    import uvicorn

    configure_django()
    from django.core.asgi import get_asgi_application
    from django.urls import include, path

    urlpatterns.extend(
        [path("floor", floor), path("cf/", include("component_framework.django.urls"))]
    )
    app = get_asgi_application()
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def start_server(port: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, __file__, "serve", "--port", str(port)]
    return start(command, port, cwd=Path(__file__).parent)


def main() -> None:
    parser = argparse.ArgumentParser(description="Django counter event vs a plain Django view")
    parser.add_argument("command", nargs="?", default="bench", choices=["bench", "serve"])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--duration", type=int, default=5, help="seconds per round and side")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    if args.command == "serve":
        serve(args.port)
        return
    tool = ensure_wrk()
    port = args.port or free_port()
    server = start_server(port)
    body = json.dumps(counter_message())
    base = f"http://127.0.0.1:{port}"
    sides = {"floor": "/floor", "component": "/cf/event"}
    results: dict[str, list[dict[str, float]]] = {side: [] for side in sides}
    try:
        for path in sides.values():  # warm up, and check every side answers 200
            load(base + path, body, 1, args.connections, tool)
        for _ in range(args.rounds):
            for side, path in sides.items():
                results[side].append(measure(server, base + path, body, args, tool))
    finally:
        server.terminate()
        server.wait()
    print(f"load: {tool}, {args.connections} connections, {args.rounds} x {args.duration}s")
    print(f"{'side':<12}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'cpu us/req':>12}")
    for side, runs in results.items():
        med = {k: statistics.median(r[k] for r in runs) for k in ("rps", "p50", "p99", "cpu")}
        print(
            f"{side:<12}{med['rps']:>10.0f}{med['p50']:>9.2f}{med['p99']:>9.2f}{med['cpu']:>12.0f}"
        )
    ratios = [
        c["rps"] / f["rps"] for c, f in zip(results["component"], results["floor"], strict=True)
    ]
    print(
        f"component/floor req/s: {statistics.median(ratios):.2f}x "
        f"(rounds: {', '.join(f'{r:.2f}' for r in ratios)})"
    )


if __name__ == "__main__":
    main()
