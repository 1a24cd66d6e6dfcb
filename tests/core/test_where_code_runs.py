"""No user code of a sync component runs on the event loop, on any path of core.

The web transports (HTTP, SSE, WebSocket) are covered in tests/web/test_where_code_runs.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from component_framework.core import ComponentRegistry
from component_framework.core.protocol import handle_message, signed_message, stream_frames
from component_framework.core.signing import Signer


async def test_events_and_first_renders_run_every_hook_off_the_loop(
    fresh_registry: ComponentRegistry, signer: Signer, watched: Callable[..., Any]
) -> None:
    watch = watched(fresh_registry)
    first = await handle_message({"component": "watched"}, registry=fresh_registry, signer=signer)
    assert first["optimistic"] == {"go|": {"count": 1}}
    state = json.loads(first["state"])
    message = signed_message(
        "watched", "go", {"amount": 2}, state, component_id=first["component_id"], signer=signer
    )
    reply = await handle_message(message, registry=fresh_registry, signer=signer)
    assert json.loads(reply["state"]) == {"count": 2}
    assert reply["optimistic"] == {"go|": {"count": 3}}
    assert set(watch.ran) == watch.hooks
    assert watch.on_loop == []


async def test_streams_of_sync_handlers_run_every_hook_off_the_loop(
    fresh_registry: ComponentRegistry, signer: Signer, watched: Callable[..., Any]
) -> None:
    watch = watched(fresh_registry)
    message = signed_message("watched", "go", {}, {"count": 4}, component_id="w-1", signer=signer)
    frames = [f async for f in stream_frames(message, registry=fresh_registry, signer=signer)]
    assert [f["stream_done"] for f in frames] == [True]
    assert frames[0]["optimistic"] == {"go|": {"count": 6}}
    assert set(watch.ran) == watch.hooks - {"mount"}
    assert watch.on_loop == []
