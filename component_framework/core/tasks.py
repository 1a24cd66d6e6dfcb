"""Background tasks: slow work a handler starts, whose result comes back as an event.

A handler calls ``self.start_task(fetch_preview, url, event="preview_ready")``. The task is
only recorded then; it starts after the event's reply: once sent, over the WebSocket
(``after_reply``), once built, over HTTP; never when the handler or the reply fails.
``async def`` functions run on the app's event loop, any other in a worker thread of the
tasks' own pool (``TASK_THREADS``: slow tasks never hold the handlers' threads). When it
returns, its result goes through the broker, as a push of the event ``preview_ready`` to the
one component id that started it (every page has its own), so whichever process holds that
page's socket delivers it: the component handles ``on_preview_ready(result=...)`` with its
state as it is then, like any pushed event.

A task that raises or outlives its timeout is logged (with the traceback) and reported to the
component as ``on_<event>_error(error="failed" | "timeout")`` when it has that handler; without
one, the page shows a generic error in the component. The exception's text never reaches the
page: a task that wants to show a message returns it.

A task is cancelled when its page goes away: the last subscription to the component id ends
(the page's socket closed, or it unsubscribed: live navigation away, the component removed), on
this process or, told through the broker, on another one. A component runs at most
``max_tasks`` tasks at once per page and process (``TaskLimitError`` beyond), each for at most
``task_timeout`` seconds (or the ``timeout`` given); a process runs at most ``MAX_RUNNING``
tasks of all pages together (every render is a new page id, so the per-page bound alone does
not bound a client).
"""

from __future__ import annotations

import functools
import inspect
import logging
import weakref
from collections.abc import Callable, Collection, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from ._events import is_event_name
from ._json import canonical_dumps
from .broker import InMemoryBroker
from .exceptions import EffectError, TaskLimitError
from .threads import run_sync

if TYPE_CHECKING:
    import asyncio

    from .config import AppConfig
    from .websocket import ComponentWebSocketManager

__all__ = [
    "MAX_RUNNING",
    "TASK_THREADS",
    "ComponentTasks",
    "Task",
    "TaskRunner",
    "after_reply",
    "collecting",
    "listen_for_gone",
    "on_background_loop",
    "page_gone",
    "runner_of",
    "start_tasks",
    "task_outcome",
]

logger = logging.getLogger("component_framework")

MAX_RUNNING = 1000
"""Background tasks one process runs at once, all pages together (``TaskLimitError`` beyond)."""
TASK_THREADS = 8
"""Worker threads of the tasks whose function is not ``async def``: a pool of their own, so
slow tasks never hold the threads the handlers of pages run in (more wait their turn, their
timeout running)."""

_threads: ThreadPoolExecutor | None = None


async def _in_task_thread(function: Callable[[], Any]) -> Any:
    global _threads
    if _threads is None:
        _threads = ThreadPoolExecutor(TASK_THREADS, thread_name_prefix="cf-task")
    return await run_sync(function, executor=_threads)


@dataclass(frozen=True, slots=True, eq=False)
class Task:
    """One background task a handler started (``Component.start_task``)."""

    component: str
    """The registered name of the component that started it."""
    component_id: str
    """The id of that component on its page: where the result goes."""
    event: str
    """The event its result comes back as (``on_<event>(result=...)``)."""
    function: Callable[..., Any]
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    timeout: float = 60.0
    """Seconds it may run; beyond, it is cancelled and reported as ``"timeout"``."""
    handles_errors: bool = False
    """Whether the component has ``on_<event>_error`` (else the page shows an error)."""

    @property
    def name(self) -> str:
        """The function's name, for logs and ``cf dev``."""
        return getattr(self.function, "__qualname__", repr(self.function))

    def __repr__(self) -> str:
        return f"<Task {self.name} -> {self.component}.on_{self.event} id={self.component_id}>"


@dataclass(slots=True)
class _Collector:
    """The tasks started while one message runs; ``refusal`` says why none may start."""

    name: str
    component_id: str | None
    running: Callable[[str], int]
    refusal: str | None = None
    tasks: list[Task] = field(default_factory=list)
    total: Callable[[], int] = lambda: 0


_collector: ContextVar[_Collector | None] = ContextVar("component_framework_tasks", default=None)
_detached: ContextVar[bool] = ContextVar("component_framework_tasks_detached", default=False)


_deferred: ContextVar[list[tuple[list[Task], AppConfig]] | None] = ContextVar(
    "component_framework_tasks_deferred", default=None
)


@contextmanager
def after_reply() -> Iterator[Callable[[], None]]:
    """Hold back the tasks of the messages run in the block: yields the function that starts
    them, for a transport to call once it has sent the reply (the WebSocket manager)."""
    held: list[tuple[list[Task], AppConfig]] = []
    token = _deferred.set(held)

    def start() -> None:
        for tasks, config in held:
            runner_of(config).start(tasks)
        held.clear()

    try:
        yield start
    finally:
        _deferred.reset(token)


def start_tasks(tasks: list[Task] | None, config: AppConfig) -> None:
    """Start *tasks* (a message's, its reply built) on *config*'s manager's runner, or hold
    them for the transport's ``after_reply``."""
    if not tasks:
        return
    held = _deferred.get()
    if held is not None:
        held.append((tasks, config))
    else:
        runner_of(config).start(tasks)


@contextmanager
def on_background_loop() -> Iterator[None]:
    """Start the tasks of the messages run in the block on the process's background loop: for
    a host whose event loop lasts one request (Django's async views under WSGI), which would
    take its tasks down with it."""
    token = _detached.set(True)
    try:
        yield
    finally:
        _detached.reset(token)


@contextmanager
def collecting(
    name: str,
    component_id: str | None,
    config: AppConfig | None,
    *,
    refusal: str | None = None,
    running: Callable[[str], int] | None = None,
) -> Iterator[list[Task] | None]:
    """Collect the tasks started in the block: yields their list, or ``None`` when an outer
    block collects them already (that block's owner starts them). *running* counts the tasks
    a component id runs already (by default, in *config*'s manager's process)."""
    if _collector.get() is not None:
        yield None
        return
    total: Callable[[], int] = _nothing
    if running is None and config is not None and refusal is None:
        runner = runner_of(config)
        running, total = runner.running, runner.total
    collector = _Collector(name, component_id, running or _none, refusal, total=total)
    token = _collector.set(collector)
    try:
        yield collector.tasks
    finally:
        _collector.reset(token)


def _none(component_id: str) -> int:
    return 0


def _nothing() -> int:
    return 0


class ComponentTasks:
    """The ``start_task`` method of ``Component`` (see the module's docstring)."""

    max_tasks: ClassVar[int] = 4
    """Background tasks one instance (one page) may run at once in a process."""
    task_timeout: ClassVar[float] = 60.0
    """Seconds a background task may run unless ``start_task`` says otherwise."""

    id: str

    def start_task(
        self,
        function: Callable[..., Any],
        /,
        *args: Any,
        event: str,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> None:
        """Run ``function(*args, **kwargs)`` once the reply is sent, and hand its result to
        ``on_<event>(result=...)`` of this component on this page (``core.tasks``).

        Raises:
            EffectError: *function* is not a function (a coroutine: pass the function and its
                arguments), *event* names no handler, a bad *timeout*, or no event of a page
                runs (a first render, a pushed event run on the server).
            TaskLimitError: This page already runs ``max_tasks`` tasks of the component.
        """
        where = f"{type(self).__name__}.start_task()"
        if inspect.iscoroutine(function):
            function.close()
            raise EffectError(
                f"{where}: pass the function and its arguments, start_task(fetch, url, "
                "event=...), not a coroutine fetch(url)."
            )
        if not callable(function):
            raise EffectError(f"{where}: {function!r} is not a function.")
        if not is_event_name(event) or not callable(getattr(self, f"on_{event}", None)):
            raise EffectError(
                f"{where}: event={event!r} names no handler; define on_{event}(self, result) "
                f"on {type(self).__name__} (its result comes back there)."
            )
        limit = type(self).task_timeout if timeout is None else timeout
        if isinstance(limit, bool) or not isinstance(limit, int | float) or not limit > 0:
            raise EffectError(f"{where}: timeout must be a positive number of seconds.")
        collector = _collector.get()
        if collector is None or collector.refusal is not None or collector.component_id != self.id:
            why = (
                collector.refusal
                if collector is not None and collector.refusal
                else ("it runs from the handler of a page's event (the page that gets the result)")
            )
            raise EffectError(f"{where}: no task can start here: {why}.")
        if collector.running(self.id) + len(collector.tasks) >= type(self).max_tasks:
            raise TaskLimitError(
                f"This component already runs {type(self).max_tasks} background tasks; "
                "wait for one to finish."
            )
        # Pages are free to make (every render is a new id): the process has a bound of its own.
        if collector.total() + len(collector.tasks) >= MAX_RUNNING:
            raise TaskLimitError("The server runs too many background tasks; try again later.")
        collector.tasks.append(
            Task(
                collector.name,
                self.id,
                event,
                function,
                args,
                dict(kwargs),
                float(limit),
                callable(getattr(self, f"on_{event}_error", None)),
            )
        )


# ---------- Running ----------


async def _call(task: Task) -> Any:
    if inspect.iscoroutinefunction(task.function):
        return await task.function(*task.args, **task.kwargs)
    result = await _in_task_thread(lambda: task.function(*task.args, **task.kwargs))
    if inspect.isawaitable(result):  # a callable object or partial of an async function
        return await result
    return result


async def task_outcome(task: Task) -> tuple[str, dict[str, Any]]:
    """Run *task* within its timeout: the event and payload its component gets.

    ``(event, {"result": ...})``, else ``(event + "_error", {"error": "failed"|"timeout"})``
    with the failure logged. Cancelling the caller cancels the task (a function running in a
    worker thread runs on, but its result goes nowhere).
    """
    import asyncio  # here: core imports without an event loop (cf dispatch)

    failed = f"{task.event}_error", {"error": "failed"}
    try:
        async with asyncio.timeout(task.timeout) as limit:
            result = await _call(task)
    except TimeoutError:
        if not limit.expired():
            logger.exception("Background task %r failed.", task)
            return failed
        logger.warning("Background task %r took longer than %gs: cancelled.", task, task.timeout)
        return f"{task.event}_error", {"error": "timeout"}
    except Exception:
        logger.exception("Background task %r failed.", task)
        return failed
    try:
        canonical_dumps(result)
    except (TypeError, ValueError) as exc:
        logger.error("Background task %r returned a value that is not JSON: %s", task, exc)
        return failed
    return task.event, {"result": result}


class TaskRunner:
    """The background tasks a WebSocket manager's process runs, by component id."""

    def __init__(self, manager: ComponentWebSocketManager) -> None:
        self._manager = manager
        self._running: dict[str, set[asyncio.Task[None]]] = {}
        self._watched: set[str] = set()  # ids whose page this process holds a socket for
        self._loop: asyncio.AbstractEventLoop | None = None

    def __repr__(self) -> str:
        return f"<TaskRunner running={self.total()}>"

    def running(self, component_id: str) -> int:
        """How many tasks run for *component_id* in this process."""
        return len(self._running.get(component_id, ()))

    def total(self) -> int:
        """How many tasks run in this process."""
        return sum(map(len, self._running.values()))

    def start(self, tasks: list[Task]) -> None:
        """Start *tasks* on the app's loop (from it, or from any thread)."""
        if not tasks:
            return
        import asyncio

        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is not None and not _detached.get():
            self._start_here(tasks)
            return
        from ._background import background_loop  # no app loop: a WSGI host's

        background_loop().loop.call_soon_threadsafe(self._start_here, tasks)

    def _start_here(self, tasks: list[Task]) -> None:
        import asyncio

        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # a new loop (a restarted server): the old tasks died
            self._loop, self._running, self._watched = loop, {}, set()
        for task in tasks:
            running = loop.create_task(self._run(task), name=f"cf-task {task.name}")
            self._running.setdefault(task.component_id, set()).add(running)
            running.add_done_callback(functools.partial(self._done, task.component_id))
            if self._manager.subscriptions_of(task.component_id):
                self._watched.add(task.component_id)

    def _done(self, component_id: str, done: asyncio.Task[None]) -> None:
        tasks = self._running.get(component_id)
        if tasks is not None:
            tasks.discard(done)
            if not tasks:
                del self._running[component_id]
                self._watched.discard(component_id)

    async def _run(self, task: Task) -> None:
        event, payload = await task_outcome(task)
        if event != task.event and not task.handles_errors:
            # No error handler: the page shows a generic error in the component.
            self._manager._publish(
                "event", c=task.component, e=task.event, p={}, id=task.component_id, err=1
            )
            return
        self._manager._publish("event", c=task.component, e=event, p=payload, id=task.component_id)

    def page_gone(self) -> None:
        """Cancel the tasks of every watched id this process no longer holds a page for."""
        for component_id in list(self._watched):
            if not self._manager.subscriptions_of(component_id):
                self._watched.discard(component_id)
                self._cancel(component_id)

    async def gone_elsewhere(self, push: dict[str, Any]) -> None:
        """Another process saw the pages of ``push["ids"]`` leave: cancel their tasks here,
        unless this process holds a page for one itself (a socket that moved here)."""
        for component_id in push.get("ids", ()):
            if component_id in self._running and not self._manager.subscriptions_of(component_id):
                self._watched.discard(component_id)
                self._cancel(component_id)

    def _cancel(self, component_id: str) -> None:
        for running in list(self._running.get(component_id, ())):
            running.cancel()
        logger.info("Cancelled the background tasks of %s: its page left.", component_id)


_runners: weakref.WeakKeyDictionary[ComponentWebSocketManager, TaskRunner] = (
    weakref.WeakKeyDictionary()
)


def runner_of(config: AppConfig) -> TaskRunner:
    """The task runner of *config*'s WebSocket manager (the process-wide one by default)."""
    from .websocket import ws_manager

    manager = config.ws_manager or ws_manager
    runner = _runners.get(manager)
    if runner is None:
        runner = _runners[manager] = TaskRunner(manager)
    return runner


def page_gone(manager: ComponentWebSocketManager, left: Collection[str] = ()) -> None:
    """Subscriptions of *manager* to the ids *left* ended: cancel the tasks whose page went
    away, here and, through the broker, on the other processes (a page's events may reach a
    worker that does not hold its socket, and start tasks there)."""
    runner = _runners.get(manager)
    if runner is not None:
        runner.page_gone()
    gone = sorted(cid for cid in left if not manager.subscriptions_of(cid))
    if gone and not isinstance(manager.broker, InMemoryBroker):  # one process: done above
        manager._publish("gone", ids=gone)


def listen_for_gone(manager: ComponentWebSocketManager) -> None:
    """Cancel *manager*'s tasks when another process says their page left."""
    runner = _runners.get(manager)
    if runner is None:
        runner = _runners[manager] = TaskRunner(manager)
    manager._delivery.kinds["gone"] = runner.gone_elsewhere
