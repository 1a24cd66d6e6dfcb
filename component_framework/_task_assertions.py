"""What ``ComponentTester`` does with background tasks (``core.tasks``): the tasks the events
so far started, an assertion, and running them to see their result handled."""

from __future__ import annotations

from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Self

from .core.exceptions import ComponentError
from .core.tasks import Task, collecting, task_outcome

__all__ = ["TaskAssertions"]


class TaskAssertions:
    """The background-tasks part of ``ComponentTester``."""

    name: str
    _pending_tasks: list[Task]

    if TYPE_CHECKING:

        @property
        def component_id(self) -> str: ...

        async def apush(self, event: str, **payload: Any) -> Self: ...

    @property
    def tasks(self) -> list[Task]:
        """The background tasks the events so far started and ``run_tasks`` has not run, in
        order (each a ``core.tasks.Task``: ``event``, ``function``, ``args``, ``kwargs``)."""
        return list(self._pending_tasks)

    @contextmanager
    def _collecting_tasks(self, event: str | None, config: Any) -> Iterator[None]:
        # The tester collects them itself: nothing starts in the background.
        refusal = "a first render's page gets no result" if event is None else None
        pending = self._pending_tasks
        with collecting(
            self.name, self.component_id, config, refusal=refusal, running=lambda _: len(pending)
        ) as started:
            yield
        pending.extend(started or ())

    def assert_task_started(self, event: str) -> Self:
        """Assert a task waits whose result comes back as *event* (``start_task(event=...)``)."""
        events = [task.event for task in self._pending_tasks]
        if event not in events:
            raise AssertionError(f"No background task for {event!r} was started; waiting: {events}")
        return self

    def run_tasks(self) -> Self:
        """Run the waiting tasks, in order, and handle each result as the page does: as a
        pushed ``on_<event>(result=...)`` (or ``on_<event>_error(error=...)``).

        Raises:
            ComponentError: A task failed and the component has no ``on_<event>_error``
                (the page shows an error), or its result's handler failed.
        """
        from .testing import _run_to_completion

        coroutine: Coroutine[Any, Any, Self] = self.arun_tasks()
        return _run_to_completion(coroutine)

    async def arun_tasks(self) -> Self:
        """Async twin of ``run_tasks``, for tests running on an event loop."""
        while self._pending_tasks:
            task = self._pending_tasks.pop(0)
            event, payload = await task_outcome(task)
            if event != task.event and not task.handles_errors:
                failure = ComponentError(f"The background task {task.name} failed ({payload}).")
                failure.code = "task_failed"
                raise failure
            await self.apush(event, **payload)
        return self
