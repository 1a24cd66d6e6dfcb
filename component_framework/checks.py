"""The checks behind ``cf check``: everything that can be found wrong without a browser.

Imports every component module (collecting import errors and registry conflicts), compiles
every template, and for each registered component checks its handlers (callable, a payload
Pydantic can validate), its template (set and found), and the state its ``mount()`` produces
(JSON must carry it losslessly, and it must render).

Example:

    project = load_project()
    report = run_checks(project)
    if not report.ok:
        print("\\n".join(str(p) for p in report.problems))
"""

from __future__ import annotations

import contextlib
import inspect
import traceback
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._advice import only_changes_state
from ._host import served_by_flask
from ._words import count
from .core._events import handler_spec, is_event_name, list_events
from .core._json import find_lossy
from .core.component import Component
from .core.exceptions import RegistryConflictError
from .core.registry import ComponentRegistry, registry
from .core.renderer import Renderer, get_default_renderer

if TYPE_CHECKING:
    from .core.jinja import JinjaRenderer
    from .project import Project, ProjectImportError

__all__ = ["CheckReport", "Problem", "run_checks", "template_not_found"]


@dataclass(frozen=True)
class Problem:
    """One thing found wrong: where it is and what to do about it."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class CheckReport:
    """What ``cf check`` found."""

    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    """Advice that does not fail the check (a sync handler that could be ``async def``)."""
    components: int = 0
    templates: int = 0
    events: int = 0

    @property
    def ok(self) -> bool:
        """True when no problem was found (notes and warnings do not count)."""
        return not self.problems

    def add(self, where: str, message: str) -> None:
        """Record a problem."""
        self.problems.append(Problem(where, message))

    def summary(self) -> str:
        """One line: what was checked."""
        return (
            f"{count(self.components, 'component')}, {count(self.templates, 'template')}, "
            f"{count(self.events, 'event')} checked"
        )


def _location(cls: type, root: Path | None) -> str:
    from .project import class_location

    return class_location(cls, root) or f"{cls.__module__}.{cls.__qualname__}"


def _compile_templates(project: Project, report: CheckReport) -> None:
    import jinja2

    from .core.jinja import TEMPLATE_SUFFIXES, JinjaRenderer

    for folder in project.templates:
        if not folder.is_dir():
            report.add(
                str(project.pyproject or project.root),
                f"templates folder {str(folder)!r} does not exist; create it or fix "
                "[tool.cf] templates",
            )
    renderer = get_default_renderer()
    if not isinstance(renderer, JinjaRenderer):
        return
    for name in renderer.list_templates():
        if Path(name).suffix not in TEMPLATE_SUFFIXES:
            continue
        report.templates += 1
        try:
            renderer.environment.get_template(name)
        except jinja2.TemplateSyntaxError as exc:
            where = f"{exc.filename or name}:{exc.lineno}"
            report.add(_relative(where, project.root), f"template syntax error: {exc.message}")
        except (UnicodeDecodeError, jinja2.TemplateError) as exc:
            report.add(name, f"template cannot be loaded: {exc}")


def _relative(where: str, root: Path) -> str:
    path = Path(where)
    if path.is_absolute() and path.is_relative_to(root):
        return str(path.relative_to(root))
    return where


def _check_handlers(
    name: str, cls: type[Component], where: str, report: CheckReport, *, flask: bool = False
) -> None:
    listed = set(list_events(cls))  # not the built-in cf-model handler of a class binding nothing
    own_render = _renders_with_own_code(cls)
    for attr in sorted(dir(cls)):
        if not attr.startswith("on_"):
            continue
        value = inspect.getattr_static(cls, attr, None)
        if isinstance(value, staticmethod | classmethod):
            value = value.__func__
        event = attr[3:]
        if not inspect.isroutine(value):
            report.add(
                where,
                f"{name}: {attr} is a {type(value).__name__}, not a method, so the event "
                f"{event!r} can never run; make it a method or rename it",
            )
            continue
        if not is_event_name(event) or event not in listed:
            continue
        report.events += 1
        try:
            spec = handler_spec(cls, event)
        except Exception as exc:
            report.add(
                where,
                f"{name}: the payload of {attr} cannot be validated "
                f"({type(exc).__name__}: {exc}); use JSON-compatible type hints",
            )
            continue
        from .core.exceptions import ConfigurationError
        from .core.uploads import upload_fields

        files: set[str] = set()  # ids from the page, files to the handler
        for argument_name, hint in spec.fields.items():
            try:
                files.update(upload_fields(cls, {argument_name: hint}))
            except ConfigurationError as exc:
                report.add(where, f"{name}: {exc}")
                files.add(argument_name)
        for argument, hint in _not_from_json(value):
            if argument in files:
                continue
            report.add(
                where,
                f"{name}: {attr}({argument}: {hint}) can never be called from a page: JSON "
                "cannot carry that type (only an instance of it would pass); use "
                "JSON-compatible type hints (int, str, a Pydantic model, ...)",
            )
        # Under Flask a `def` handler already runs on the server's thread: no hop to skip.
        # An async handler's render runs on the event loop too: advise it only where that
        # render is the framework's own code, which cannot block.
        if not (flask or spec.is_async or spec.is_generator or own_render) and only_changes_state(
            value
        ):
            report.warnings.append(
                Problem(
                    where,
                    f"{name}: {attr} only changes state: declare it `async def` to skip the "
                    "thread hop",
                )
            )


_RENDER_PATH = ("hydrate", "before_render", "get_context", "render", "dehydrate")


def _renders_with_own_code(cls: type[Component]) -> bool:
    """Whether *cls* overrides a step of the render that follows a handler (it may block)."""
    for attr in _RENDER_PATH:
        owner = next((base for base in cls.__mro__ if attr in vars(base)), None)
        if owner is not None and not owner.__module__.startswith("component_framework."):
            return True
    return False


def _check_declarations(name: str, cls: type[Component], where: str, report: CheckReport) -> None:
    """What a class declares for the page: bindable keys, browser events, emitted events."""
    import pydantic

    from .core import _effects
    from .core.exceptions import EffectError

    for key, hint in cls.bindable.items():
        try:
            pydantic.TypeAdapter(hint)
        except Exception as exc:
            report.add(where, f"{name}: bindable[{key!r}] cannot be validated ({exc}); use a type")
    for event_name in cls.browser_events:
        try:
            _effects.browser_event(event_name)
        except EffectError as exc:
            report.add(where, f"{name}: browser_events: {exc}")
    for event in cls.emits:
        if not is_event_name(event):
            report.add(where, f"{name}: emits {event!r}, which is not an event name")


def _check_loading(name: str, cls: type[Component], where: str, report: CheckReport) -> None:
    """What decides when its content arrives: polls, lazy mounts, streams' item templates."""
    from .core.exceptions import ConfigurationError
    from .core.jinja import JinjaRenderer
    from .core.polling import poll_attributes

    try:
        poll_attributes(cls)
    except ConfigurationError as exc:
        report.add(where, f"{name}: {exc}")
    if cls.lazy and not cls.remountable:
        report.add(where, f"{name}: lazy needs remountable = True (the page mounts it later)")
    renderer = cls.renderer or get_default_renderer()
    for stream_name, stream in cls.streams.items():
        if isinstance(renderer, JinjaRenderer) and stream.template not in renderer.list_templates():
            report.add(where, f"{name}: stream {stream_name!r}: no template {stream.template!r}")


def _not_from_json(func: Any) -> list[tuple[str, str]]:
    """The handler arguments whose type hint no JSON value can satisfy (a plain class)."""
    import pydantic

    config = pydantic.ConfigDict(arbitrary_types_allowed=True)
    found = []
    namespace = getattr(func, "__globals__", {})
    for argument, annotation in inspect.get_annotations(func).items():
        if argument == "return":
            continue
        try:
            hint = eval(annotation, namespace) if isinstance(annotation, str) else annotation
            adapter: pydantic.TypeAdapter[Any] = pydantic.TypeAdapter(hint, config=config)
        except Exception:
            continue  # unresolvable: validated as any value (see core._events)
        try:
            adapter.json_schema()
        except pydantic.errors.PydanticInvalidForJsonSchema:
            found.append((argument, getattr(hint, "__name__", repr(hint))))
        except Exception:
            continue
    return found


def _check_template(
    name: str, cls: type[Component], where: str, report: CheckReport, root: Path
) -> bool:
    """Check the template is set and found; return True if rendering can be tried."""
    import jinja2

    from .core.jinja import JinjaRenderer

    if cls.render is not Component.render:
        return True  # the component renders by itself
    renderer = cls.renderer or get_default_renderer()
    if renderer is None:
        report.add(
            where,
            f"{name}: no renderer; add templates = [...] to [tool.cf] or set `renderer`",
        )
        return False
    if not cls.template_name:
        report.add(where, f'{name}: no template_name; set template_name = "{name}.html"')
        return False
    if isinstance(renderer, JinjaRenderer):
        try:
            renderer.environment.get_template(cls.template_name)
        except jinja2.TemplateNotFound:
            report.add(where, template_not_found(name, cls.template_name, renderer, root))
            return False
        except jinja2.TemplateError:
            return False  # reported when compiling the templates
        return True
    # Another template language (Django templates, django-cotton, JinjaX): its own errors.
    try:
        renderer.compile_template(cls.template_name)
    except Exception as exc:
        report.add(
            where,
            f"{name}: template {cls.template_name!r} cannot be loaded by "
            f"{type(renderer).__name__}: {type(exc).__name__}: {exc}",
        )
        return False
    report.templates += 1
    return True


def template_not_found(name: str, template: str, renderer: JinjaRenderer, root: Path) -> str:
    """What ``cf check`` says of component *name* whose *template* is not found.

    ``"counter: template 'countr.html' not found in app/templates; did you mean
    'counter.html'?"``: the folders searched, and the closest template name there is.
    """
    import difflib

    close = difflib.get_close_matches(template, renderer.list_templates(), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    folders = ", ".join(_relative(str(p), root) for p in renderer.search_paths)
    return f"{name}: template {template!r} not found in {folders or 'the renderer'}{hint}"


def _template_line(exc: BaseException, root: Path) -> str | None:
    """``file:line`` of the innermost template frame of a render error, or None.

    Jinja rewrites a render error's traceback so that template frames carry the template's
    file and line; the first such frame from the inside out is where the template failed.
    """
    # Django's template engine (debug on) marks its errors with the template and the line.
    debug = getattr(exc, "template_debug", None)
    if isinstance(debug, dict) and debug.get("name") and debug.get("line"):
        return f"{_relative(str(debug['name']), root)}:{debug['line']}"
    from .core.jinja import TEMPLATE_SUFFIXES

    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename and Path(frame.filename).suffix in TEMPLATE_SUFFIXES and frame.lineno:
            return f"{_relative(frame.filename, root)}:{frame.lineno}"
    return None


def _check_mount(
    name: str, cls: type[Component], where: str, report: CheckReport, render: bool, root: Path
) -> None:
    try:
        component = cls(component_id="cf-check")
        # As a page's first render with no query string: mount(), then the URL state's defaults.
        state = component.resolve()
    except Exception as exc:
        report.notes.append(
            Problem(where, f"{name}: mount() without parameters raised {exc!r}; not rendered")
        )
        return
    for lossy in find_lossy(state):
        report.add(
            where,
            f"{name}: mount() state {lossy} does not survive JSON; store plain JSON values",
        )
    if render:
        try:
            component.render()
        except Exception as exc:
            at = _template_line(exc, root)
            if at is not None:
                report.add(at, f"{name}: rendering {cls.template_name} failed: {exc}")
            else:
                report.add(where, f"{name}: rendering the mounted state failed: {exc!r}")


def run_checks(
    project: Project,
    *,
    registry: ComponentRegistry = registry,
    import_errors: Sequence[ProjectImportError] | None = None,
) -> CheckReport:
    """Import the project and check it all; return the report (never raises for user code).

    Args:
        project: The project to check.
        registry: Where the components register (the global one by default).
        import_errors: The errors of an earlier ``project.setup(keep_going=True)``; without
            them the project is set up here.
    """
    report = CheckReport()
    if import_errors is None:
        import_errors = project.setup(keep_going=True)
    for error in import_errors:
        where = f"{error.filename}:{error.lineno}" if error.filename else error.module
        detail = error.detail
        if isinstance(error.error, RegistryConflictError):
            conflict = error.error
            detail = (
                f"registry conflict: {conflict} at {_location(conflict.existing, project.root)}; "
                "rename one of them"
            )
        report.add(where, detail)
    from .core._execution import using_config
    from .core.config import AppConfig

    _compile_templates(project, report)
    flask = served_by_flask(project.root, project.pyproject)
    # Nested components render from the registry being checked, in every template language.
    with _web_globals(), _strict(registry), using_config(AppConfig(registry=registry)):
        for name, cls in sorted(registry.items()):
            report.components += 1
            where = _location(cls, project.root)
            _check_handlers(name, cls, where, report, flask=flask)
            _check_declarations(name, cls, where, report)
            _check_loading(name, cls, where, report)
            renderable = _check_template(name, cls, where, report, project.root)
            _check_mount(name, cls, where, report, renderable, project.root)
    return report


def _nested(*_: Any, **__: Any) -> str:
    from markupsafe import Markup

    return Markup("<!-- component -->")


@contextlib.contextmanager
def _strict(registry: ComponentRegistry) -> Iterator[None]:
    """Every renderer the components use, strict (an undefined name is a problem)."""
    renderers: list[Renderer] = []
    for renderer in [get_default_renderer(), *(cls.renderer for _, cls in registry.items())]:
        if renderer is not None and all(renderer is not r for r in renderers):
            renderers.append(renderer)
    previous = [renderer.strict for renderer in renderers]
    for renderer in renderers:
        renderer.strict = True
    try:
        yield
    finally:
        for renderer, strict in zip(renderers, previous, strict=True):
            renderer.strict = strict


@contextlib.contextmanager
def _web_globals() -> Iterator[None]:
    """Strict undefined names, and stand-ins for the web layer's globals (``component``, ...).

    Each component's own template is rendered; nested components are checked on their own.
    """
    from .core.jinja import JinjaRenderer

    renderer = get_default_renderer()
    if not isinstance(renderer, JinjaRenderer):
        yield
        return
    env_globals = renderer.environment.globals
    replaced = {name: env_globals.get(name) for name in ("component", "cf_scripts")}
    env_globals.update(dict.fromkeys(replaced, _nested))
    # As under cf dev: an undefined name ({{ state.cnt }}) is a problem, not empty text.
    strict, renderer.strict = renderer.strict, True
    try:
        yield
    finally:
        renderer.strict = strict
        for name, value in replaced.items():
            if value is None:
                env_globals.pop(name, None)
            else:
                env_globals[name] = value
