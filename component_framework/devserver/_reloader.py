"""The reload loop: watch the project, reload what changed, tell the open pages.

A template change clears the Jinja cache and checks that the changed templates still compile;
a Python change reloads the changed modules in process (see ``_modules``). Either way the open
pages are told to re-render their components with the state they hold, unless something is
still broken, in which case they show the error overlay until a later save fixes it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import jinja2

from component_framework.core.jinja import JinjaRenderer
from component_framework.core.registry import ComponentRegistry, registry
from component_framework.core.renderer import Renderer, get_default_renderer

from ._channel import LiveChannel
from ._errors import DevError, describe_error
from ._modules import ModuleReloader, ReloadResult
from ._watch import ChangeSet, DevFilter, SnapshotCache, classify

__all__ = ["DevReloader", "ErrorLogHandler"]

logger = logging.getLogger("component_framework.devserver")

Reporter = Callable[[DevError], None]


class DevReloader:
    """Keeps the running app in step with the files of the project.

    Args:
        modules: The component modules (``[tool.cf] components``).
        template_dirs: The template folders (``[tool.cf] templates``).
        channel: Where reload and error messages go.
        registry: The registry the components live in.
        report: Called with each new error (the terminal's rich message).
        announce: Called with each ``reload`` message that left nothing broken.
        step_ms: How long the watcher waits for a burst of saves to settle.
    """

    def __init__(
        self,
        modules: Sequence[str],
        template_dirs: Sequence[str | os.PathLike[str]],
        channel: LiveChannel,
        *,
        registry: ComponentRegistry,
        report: Reporter | None = None,
        announce: Callable[[dict[str, Any]], None] | None = None,
        step_ms: int = 20,
    ) -> None:
        self.modules = ModuleReloader(modules, registry=registry)
        self.template_dirs = [Path(p).resolve() for p in template_dirs]
        self.channel = channel
        self.registry = registry
        self.report = report or (lambda error: None)
        self.announce = announce or (lambda message: None)
        self.step_ms = step_ms
        self.watching = asyncio.Event()
        """Set once ``watch`` sees every save (tests wait on it before they write)."""
        self.cache = SnapshotCache()
        self.template_errors: dict[Path, DevError] = {}
        self.version = 0

    def __repr__(self) -> str:
        return f"<DevReloader version={self.version} errors={len(self.errors)}>"

    @property
    def errors(self) -> list[DevError]:
        """Everything currently broken: modules that fail to import, templates that fail."""
        return [*self.modules.errors.values(), *self.template_errors.values()]

    @property
    def watch_paths(self) -> list[Path]:
        """Folders to watch: component packages (or a module's folder) and template folders."""
        paths: list[Path] = []
        for root in [*self.modules.python_roots, *self.template_dirs]:
            folder = root if root.is_dir() else root.parent
            if folder.exists() and not any(folder.is_relative_to(p) for p in paths):
                paths = [p for p in paths if not p.is_relative_to(folder)] + [folder]
        return paths

    # ---------- Start-up ----------

    def load(self) -> ReloadResult:
        """Import the components and check every template; report what is broken."""
        result = self.modules.load()
        self._strict_renderers()
        for path in self._python_files():
            self.cache.prime([path])
        templates = list(self._template_files())
        self.cache.prime(templates)
        self._check_templates(templates)
        for error in self.errors:
            self.report(error)
        return result

    def _python_files(self) -> Iterable[Path]:
        for root in self.modules.python_roots:
            if root.is_dir():
                yield from (p for p in root.rglob("*.py") if "__pycache__" not in p.parts)
            elif root.is_file():
                yield root

    def _template_files(self) -> Iterable[Path]:
        for folder in self.template_dirs:
            if folder.is_dir():
                yield from (p for p in folder.rglob("*") if p.is_file())

    # ---------- Reloading ----------

    def classify(self, paths: Iterable[str | os.PathLike[str]]) -> ChangeSet:
        """Sort changed *paths*; unchanged content and ignored files are dropped."""
        return classify(paths, self.template_dirs, self.modules.python_roots, cache=self.cache)

    def apply(self, changes: ChangeSet) -> dict[str, Any] | None:
        """Reload for *changes* and publish the ``reload`` message; return it (None if no-op)."""
        if not changes:
            return None
        started = time.perf_counter()
        before_errors = {e.location + e.message for e in self.errors}
        result = ReloadResult()
        if changes.python or changes.removed_python:
            result = self.modules.reload(changes.python, changes.removed_python)
        # Python reloads may change what templates see, and templates may have changed too.
        self._strict_renderers()
        self._clear_template_caches()
        self._check_templates(changes.templates)
        self.version += 1
        errors = self.errors
        for error in errors:
            if error.location + error.message not in before_errors:
                self.report(error)
        files = [*changes.python, *changes.removed_python, *changes.templates]
        message: dict[str, Any] = {
            "type": "reload",
            "kind": changes.kind,
            "version": self.version,
            "files": [str(p) for p in files],
            "modules": result.modules,
            "added": result.added,
            "removed": result.removed,
            "errors": [e.to_json() for e in errors],
            "reload_ms": round((time.perf_counter() - started) * 1000, 2),
        }
        self.channel.publish(message)
        if result.added or result.removed:
            self.channel.publish({"type": "registry", "components": sorted(self.registry)})
        if not errors:
            self.announce(message)
        logger.info(
            "Reloaded %s change (%s) in %.1f ms",
            changes.kind,
            ", ".join(_short(p) for p in message["files"]),
            message["reload_ms"],
        )
        return message

    def _renderers(self) -> list[JinjaRenderer]:
        found: list[JinjaRenderer] = []
        candidates = [get_default_renderer(), *(cls.renderer for _, cls in self.registry.items())]
        for renderer in candidates:
            if isinstance(renderer, JinjaRenderer) and renderer not in found:
                found.append(renderer)
        return found

    def _all_renderers(self) -> list[Renderer]:
        # Every template language's (Jinja2, Django templates, JinjaX), each once.
        found: list[Renderer] = []
        candidates = [get_default_renderer(), *(cls.renderer for _, cls in self.registry.items())]
        for renderer in candidates:
            if renderer is not None and all(renderer is not r for r in found):
                found.append(renderer)
        return found

    def _strict_renderers(self) -> None:
        # A typo such as {{ state.cnt }} is an error in the page, not empty text, whatever
        # renderer a component names (the default one is made strict at start-up).
        for renderer in self._all_renderers():
            renderer.strict = True

    def _clear_template_caches(self) -> None:
        for renderer in self._all_renderers():
            renderer.clear_cache()

    def _check_templates(self, paths: Iterable[Path]) -> None:
        renderers = self._renderers()
        for path in paths:
            self.template_errors.pop(path, None)
            if not path.is_file():
                continue
            for renderer in renderers:
                name = _template_name(renderer, path)
                if name is None:
                    continue
                try:
                    renderer.environment.get_template(name)
                except jinja2.TemplateSyntaxError as exc:
                    if not exc.filename:
                        exc.filename = str(path)
                    self.template_errors[path] = describe_error(exc, kind="template")
                except jinja2.TemplateError:
                    continue  # not found through this renderer; another may own it
                break

    async def watch(self, stop: asyncio.Event | None = None) -> None:
        """Watch the project until *stop* is set, applying each batch of changes."""
        import watchfiles

        paths = self.watch_paths
        if not paths:
            self.watching.set()
            return
        watcher = watchfiles.awatch(
            *paths,
            watch_filter=DevFilter(self.template_dirs),
            step=self.step_ms,
            debounce=1600,
            stop_event=stop,
        )
        # The first step of the iteration registers the watches, then waits in a thread: by the
        # time the loop runs this callback, every later save is seen.
        asyncio.get_running_loop().call_soon(self.watching.set)
        async for batch in watcher:
            changes = self.classify(path for _, path in batch)
            try:
                self.apply(changes)
            except Exception:  # the watcher must survive anything the user's code does
                logger.exception("Reload failed")


class ErrorLogHandler(logging.Handler):
    """Turns errors logged while handling events or rendering into overlay messages."""

    def __init__(
        self,
        channel: LiveChannel,
        report: Reporter,
        roots: Sequence[Path],
        components: ComponentRegistry = registry,
    ) -> None:
        super().__init__(level=logging.ERROR)
        self.channel = channel
        self.report = report
        self.roots = roots
        self.components = components

    def emit(self, record: logging.LogRecord) -> None:
        if not record.exc_info or record.exc_info[1] is None:
            return
        try:
            error = describe_error(record.exc_info[1], self.roots, components=self.components)
            self.report(error)
            self.channel.publish_threadsafe({"type": "error", "error": error.to_json()})
        except Exception:  # a log handler must never raise
            self.handleError(record)


def _template_name(renderer: JinjaRenderer, path: Path) -> str | None:
    for folder in renderer.search_paths:
        try:
            return path.relative_to(Path(folder).resolve()).as_posix()
        except ValueError:
            continue
    return None


def _short(path: str) -> str:
    try:
        return os.path.relpath(path)
    except (ValueError, OSError):  # another drive, or the working directory is gone
        return path
