"""The modules one HTTP event goes through, in order, as the interpreter enters them.

One ``POST /cf/event`` (the counter's increment, a ``def`` handler) to the app of
``http_roundtrip.py``, called in process through ASGI under ``sys.setprofile``: every function
entered in a module of the package is noted, and a run of calls in one module counts once. The
worker thread of the ``def`` handler is traced too. Compare checkouts with ``PYTHONPATH``.

Run:  python bench/event_path.py        (PYTHONPATH=/other/checkout python bench/event_path.py)
"""

from __future__ import annotations

import asyncio
import json
import sys
import threading
from types import FrameType
from typing import Any

from http_roundtrip import build_app, counter_message

from component_framework.core.threads import set_thread_limit


async def post_event(app: Any, body: bytes) -> None:
    headers = [
        (b"host", b"127.0.0.1"),
        (b"content-type", b"application/json"),
        (b"x-cf-request", b"1"),
        (b"content-length", str(len(body)).encode()),
    ]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/cf/event",
        "raw_path": b"/cf/event",
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    assert sent[0]["status"] == 200, sent


def main() -> None:
    app, _ = build_app()
    body = json.dumps(counter_message()).encode()
    asyncio.run(post_event(app, body))  # imports and caches warm
    set_thread_limit(40)  # a fresh executor: its worker thread starts under the profiler
    path: list[str] = []

    def note(frame: FrameType, event: str, arg: Any) -> None:
        name = frame.f_code.co_filename
        if event == "call" and "component_framework/" in name:
            module = name.split("component_framework/")[-1]
            if not path or path[-1] != module:
                path.append(module)

    sys.setprofile(note)
    threading.setprofile(note)
    asyncio.run(post_event(app, body))
    sys.setprofile(None)
    threading.setprofile(None)
    print(f"{len(set(path))} modules, {len(path)} entries:")
    print(" -> ".join(path))


if __name__ == "__main__":
    main()
