"""Streaming components: one render per ``yield`` of an async-generator handler, over SSE."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncGenerator
from typing import Any

from ._json import lossy_default
from .component import Component
from .exceptions import ComponentError

__all__ = ["StreamingComponent", "format_sse_frame"]

logger = logging.getLogger("component_framework")


class StreamingComponent(Component):
    """
    Component subclass that supports streaming intermediate renders via SSE.

    Event handlers written as async generators yield intermediate frames:
    each ``yield`` renders and emits the current state as a frame.

    Example:

        @registry.register("rag_query")
        class RagQueryComponent(StreamingComponent):
            template_name = "rag_query.html"

            async def on_analyze(self, query: str):
                async for step in rag_service.stream(query):
                    self.state["step"] = step
                    yield  # emit intermediate render
                self.state["done"] = True

    Non-generator handlers (sync or async) produce a single frame, so the
    streaming endpoint serves every component.
    """

    async def async_stream_dispatch(
        self,
        event: str | None = None,
        payload: dict[str, Any] | None = None,
        state: dict[str, Any] | None = None,
    ) -> AsyncGenerator[dict[str, Any], None]:
        """
        Async generator entry point for streaming component execution.

        Yields one dict per intermediate render, plus a final frame with
        ``stream_done=True``. Each frame has the shape of ``dispatch()``'s
        result with an added ``stream_done`` key; a frame's ``effects`` are those asked for
        since the frame before.

        Raises:
            EventNotFoundError: If handler not found (InvalidEventError for a bad name).
            InvalidPayloadError: If the payload does not fit the handler's signature.
            ComponentError: If the handler raises.
        """
        try:
            self._begin(state)
            if event is None:
                yield self._render_frame(stream_done=True)
                return
            handler, kwargs, spec = self._prepare(event, {} if payload is None else payload)
            if spec.is_generator:
                try:
                    async for _ in handler(**kwargs):
                        yield self._render_frame(stream_done=False)
                except ComponentError:
                    raise
                except Exception as exc:
                    raise self._handler_failed(event, exc) from exc
            else:
                await self.async_handle_event(event, {} if payload is None else payload)
            yield self._render_frame(stream_done=True)
        except Exception:
            logger.debug("Error in %s.async_stream_dispatch()", type(self).__name__, exc_info=True)
            raise

    def _render_frame(self, *, stream_done: bool) -> dict[str, Any]:
        """Render the component once and return a frame dict."""
        frame = self._result(self.render())
        frame["stream_done"] = stream_done
        return frame


def format_sse_frame(frame: dict[str, Any]) -> str:
    """Format a frame dict as an SSE ``data:`` line.

    Args:
        frame: The frame dict from ``async_stream_dispatch``.

    Returns:
        A string ending with two newlines (SSE message terminator).
    """
    return f"data: {json.dumps(frame, default=lossy_default)}\n\n"
