"""Project discovery: find a project's ``[tool.cf]`` table, import its components, set templates.

Shared by ``cf`` and the dev server (so it lives here, not in ``cli``). A project is the
nearest ``pyproject.toml`` with a ``[tool.cf]`` table, walking up from the working directory:

    [tool.cf]
    components = ["myapp.components"]   # modules or packages, imported recursively
    templates = ["myapp/templates"]     # search path of the default Jinja2 renderer
    django_settings = "mysite.settings" # a Django project: django.setup() before the imports
    styles = ["static/app.css"]         # the app's CSS, loaded by `cf dev` previews (optional)
    editor = "vscode"                   # what `cf dev`'s file:line links open (optional)
    users = "myapp.dev:user_named"      # dev tools acting as a user: name -> user (optional)

``--app MODULE`` (``apps=``) or ``CF_APP`` (comma-separated) replace ``components``. In a Django
project (``django_settings``, else ``DJANGO_SETTINGS_MODULE`` in the environment, else the one
``manage.py`` sets) Django is set up first, so components may use the ORM, and the app imports
every app's components: a plain ``django-admin startproject`` project needs no ``[tool.cf]``.

Exception tree:

    ProjectError                 anything that stops a project from loading
    ├── ProjectNotFoundError     no [tool.cf] table found (the message shows what to add)
    ├── ProjectConfigError       [tool.cf] is malformed, or pyproject.toml is not valid TOML
    └── ProjectImportError       the user's code failed to import: .filename, .lineno, .detail

Example:

    project = load_project()
    project.setup()        # default renderer + every component module imported
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
import sysconfig
import tomllib
import traceback
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "Project",
    "ProjectConfigError",
    "ProjectError",
    "ProjectImportError",
    "ProjectNotFoundError",
    "class_location",
    "find_project",
    "import_package",
    "load_project",
    "user_frame",
]


class ProjectError(Exception):
    """A project could not be found, read or imported."""


class ProjectNotFoundError(ProjectError):
    """No ``pyproject.toml`` with a ``[tool.cf]`` table above the start directory."""


class ProjectConfigError(ProjectError):
    """``pyproject.toml`` is not valid TOML, or ``[tool.cf]`` has the wrong shape."""


class ProjectImportError(ProjectError):
    """Importing one of the project's modules raised.

    Attributes:
        module: The module that was being imported.
        filename: The user's file where the error happened (None if unknown).
        lineno: Its line number (None if unknown).
        detail: ``"ExceptionType: message"``.
        error: The exception raised, when there was one.
    """

    def __init__(
        self,
        module: str,
        filename: str | None,
        lineno: int | None,
        detail: str,
        error: BaseException | None = None,
    ) -> None:
        self.module = module
        self.error = error
        self.filename = filename
        self.lineno = lineno
        self.detail = detail
        where = f"{filename}:{lineno}: " if filename and lineno else ""
        super().__init__(f"{where}{detail} (while importing {module!r})")


@dataclass
class Project:
    """A discovered project.

    Attributes:
        root: The folder holding ``pyproject.toml`` (the working directory without one).
        pyproject: That file, or None when only ``--app`` / ``CF_APP`` named the modules.
        components: Modules or packages to import, in order.
        templates: Template folders, absolute.
        styles: The app's stylesheets (absolute), loaded by the dev server's previews.
        editor: What the dev server's file:line links open (None: ``CF_EDITOR`` or vscode).
        users: ``module:function`` returning the user of a name, for the dev tools acting as
            a user (``cf dispatch --user``, stories' ``user``); a Django project needs none.
    """

    root: Path
    pyproject: Path | None = None
    components: list[str] = field(default_factory=list)
    templates: list[Path] = field(default_factory=list)
    imported: list[str] = field(default_factory=list)
    django_settings: str | None = None
    """The Django settings module (``[tool.cf] django_settings`` or ``DJANGO_SETTINGS_MODULE``)."""
    styles: list[Path] = field(default_factory=list)
    editor: str | None = None
    users: str | None = None

    def __repr__(self) -> str:
        return f"<Project root={str(self.root)!r} components={self.components!r}>"

    def install_renderer(self) -> None:
        """Make the template folders the default Jinja2 renderer's search path (if any)."""
        if not self.templates:
            return
        from .core.jinja import JinjaRenderer
        from .core.renderer import set_default_renderer

        set_default_renderer(JinjaRenderer(self.templates))

    def import_components(self, *, keep_going: bool = False) -> list[ProjectImportError]:
        """Import every configured module, and every submodule of configured packages.

        Args:
            keep_going: Collect import errors and go on instead of raising the first one.

        Raises:
            ProjectImportError: The user's code failed to import (unless *keep_going*).
        """
        root = str(self.root)
        if root not in sys.path:
            sys.path.insert(0, root)
        src = self._src_folder()
        if src is not None and src not in sys.path:
            sys.path.insert(sys.path.index(root) + 1, src)
        errors: list[ProjectImportError] = []
        for error in self._setup_django():
            if not keep_going:
                raise error
            errors.append(error)
        for name in self.components:
            for error in self._import_tree(name):
                if not keep_going:
                    raise error
                errors.append(error)
        return errors

    def setup_framework(self) -> None:
        """Set up the project's web framework before its components import (Django: setup()).

        Raises:
            ProjectImportError: The framework is missing or its settings failed to load.
        """
        for error in self._setup_django():
            raise error

    def _setup_django(self) -> Iterator[ProjectImportError]:
        """``django.setup()`` with the project's settings (once): the app imports components."""
        settings = self.django_settings
        if not settings:
            return
        try:
            from component_framework.django._setup import setup_django
        except ImportError as exc:  # the message names the extra to install
            yield ProjectImportError(settings, None, None, f"this is a Django project, but {exc}")
            return
        try:
            setup_django(settings)
        except (Exception, SystemExit) as exc:
            yield self._import_error(settings, exc)

    def watched_sources(self) -> tuple[list[str], list[Path]]:
        """The component modules and template folders ``cf dev`` reloads when they change.

        ``[tool.cf]``'s ``components`` and ``templates``; in a Django project that lists no
        components, those of its own apps (the installed apps inside ``root``), once
        ``setup_framework`` has run.
        """
        if self.components or not self.django_settings:
            return list(self.components), list(self.templates)
        from component_framework.django._config import project_sources

        modules, folders = project_sources(self.root)
        return modules, [*self.templates, *(f for f in folders if f not in self.templates)]

    def _src_folder(self) -> str | None:
        """``root/src`` when a configured package lives there (a src layout, not installed)."""
        src = self.root / "src"
        for name in self.components:
            top = name.split(".")[0]
            at_root = (self.root / top).exists() or (self.root / f"{top}.py").exists()
            if not at_root and ((src / top).is_dir() or (src / f"{top}.py").is_file()):
                return str(src)
        return None

    def setup(self, *, keep_going: bool = False) -> list[ProjectImportError]:
        """Install the renderer, then import the components (see ``import_components``)."""
        self.install_renderer()
        return self.import_components(keep_going=keep_going)

    def _import_tree(self, name: str) -> Iterator[ProjectImportError]:
        try:
            module = importlib.import_module(name)
        except (Exception, SystemExit) as exc:
            # SystemExit too: a module that calls sys.exit() while imported is an import error
            # of the user's code, not a silent exit of cf with some other status.
            yield self._import_error(name, exc)
            return
        if name not in self.imported:
            self.imported.append(name)
        paths = getattr(module, "__path__", None)
        if paths is None:
            return
        for info in sorted(pkgutil.iter_modules(paths), key=lambda m: m.name):
            if info.name != "__main__":
                yield from self._import_tree(f"{name}.{info.name}")

    def _import_error(self, name: str, exc: BaseException) -> ProjectImportError:
        detail = f"{type(exc).__name__}: {exc}"
        django_unset = type(exc).__name__ in ("ImproperlyConfigured", "AppRegistryNotReady")
        if django_unset and type(exc).__module__.startswith("django.") and not self.django_settings:
            detail += (
                "; this is a Django project and cf has not set Django up: add "
                'django_settings = "mysite.settings" (your settings module) to [tool.cf], '
                "run cf where manage.py is, or export DJANGO_SETTINGS_MODULE"
            )
        if isinstance(exc, SyntaxError) and exc.filename:
            detail = f"SyntaxError: {exc.msg}"
            return ProjectImportError(
                name, _display(exc.filename, self.root), exc.lineno, detail, exc
            )
        missing = exc.name if isinstance(exc, ModuleNotFoundError) else None
        if missing and (name == missing or name.startswith(missing + ".")):
            # The configured module itself is missing, not something it imports.
            source = f"listed in {self.pyproject.name}" if self.pyproject else "given with --app"
            return ProjectImportError(
                name,
                None,
                None,
                f"cannot import {name!r} ({source}): {exc}; check the module path and that "
                f"{str(self.root)!r} is the project root",
                exc,
            )
        frame = user_frame(exc, [self.root])
        if frame is None:
            return ProjectImportError(name, None, None, detail, exc)
        return ProjectImportError(name, _display(frame[0], self.root), frame[1], detail, exc)


def import_package(name: str) -> list[str]:
    """Import module *name* and, when it is a package, every module under it; return their names.

    What ``cf`` does with each ``[tool.cf] components`` entry. A components package calls it
    in its ``__init__.py`` (``import_package(__name__)``) so that importing the package
    registers every component in it, whoever imports it.
    """
    module = importlib.import_module(name)
    imported = [name]
    paths = getattr(module, "__path__", None)
    if paths is not None:
        for info in sorted(pkgutil.iter_modules(paths), key=lambda m: m.name):
            if info.name != "__main__":
                imported += import_package(f"{name}.{info.name}")
    return imported


def _display(filename: str, root: Path) -> str:
    try:
        return os.path.relpath(filename, root) if Path(filename).is_relative_to(root) else filename
    except ValueError:
        return filename


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
# Frames that are never the user's: frozen modules, the standard library, installed
# packages and this package.
_INTERNAL = tuple(
    {"<", _PACKAGE_DIR, *(sysconfig.get_paths()[key] for key in ("stdlib", "purelib", "platlib"))}
)


def class_location(cls: type, root: Path | None = None) -> str | None:
    """Where *cls* is defined, as ``file:line`` (relative to *root* when under it), or None."""
    import inspect

    try:
        filename = inspect.getsourcefile(cls)
        _, line = inspect.getsourcelines(cls)
    except (OSError, TypeError):
        return None
    if filename is None:
        return None
    path = Path(filename)
    if root is not None and path.is_relative_to(root):
        path = path.relative_to(root)
    return f"{path}:{line}"


def user_frame(
    exc: BaseException,
    roots: Sequence[str | os.PathLike[str]] = (),
    *,
    fallback: bool = True,
) -> tuple[str, int] | None:
    """Return ``(filename, lineno)`` of the frame in the user's code where *exc* arose.

    The exception chain is followed to its original cause (a ``HandlerError`` keeps the real
    frames in ``__cause__``). The innermost frame inside *roots* wins; with *fallback*, else
    the innermost frame outside this package, importlib and frozen modules; else None.
    """
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    # Most likely first: the original cause's innermost frame.
    candidates = [
        (frame.filename, frame.lineno or 0)
        for error in reversed(chain)
        for frame in reversed(traceback.extract_tb(error.__traceback__))
        if frame.filename and not frame.filename.startswith(_INTERNAL)
    ]
    resolved = [Path(root).resolve() for root in roots]
    for filename, lineno in candidates:
        if any(Path(filename).resolve().is_relative_to(root) for root in resolved):
            return filename, lineno
    return candidates[0] if fallback and candidates else None


def _string_list(table: Mapping[str, Any], key: str, path: Path) -> list[str]:
    value = table.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ProjectConfigError(
            f"{path}: [tool.cf] {key} must be a list of strings, got {value!r}; "
            f'for example: {key} = ["..."]'
        )
    return list(value)


def _read_table(path: Path) -> dict[str, Any] | None:
    try:
        with path.open("rb") as file:
            data = tomllib.load(file)
    except tomllib.TOMLDecodeError as exc:
        raise ProjectConfigError(f"{path}: not valid TOML: {exc}") from None
    except OSError:
        return None
    table = data.get("tool", {}).get("cf")
    if table is None:
        return None
    if not isinstance(table, dict):
        raise ProjectConfigError(f"{path}: [tool.cf] must be a table, got {table!r}")
    return table


def find_project(start: str | os.PathLike[str] | None = None) -> Project | None:
    """Return the project of the nearest ``pyproject.toml`` with ``[tool.cf]``, or None.

    Args:
        start: A folder or file to start from; the working directory by default.

    Raises:
        ProjectConfigError: The nearest such file is malformed.
    """
    here = Path(start if start is not None else os.getcwd()).resolve()
    if here.is_file():
        here = here.parent
    for folder in (here, *here.parents):
        candidate = folder / "pyproject.toml"
        if not candidate.is_file():
            continue
        table = _read_table(candidate)
        if table is None:
            continue
        components = _string_list(table, "components", candidate)
        templates = [folder / t for t in _string_list(table, "templates", candidate)]
        django_settings = table.get("django_settings")
        if django_settings is not None and not (
            isinstance(django_settings, str) and django_settings
        ):
            raise ProjectConfigError(
                f"{candidate}: [tool.cf] django_settings must be a module name, got "
                f'{django_settings!r}; for example: django_settings = "mysite.settings"'
            )
        styles = [folder / s for s in _string_list(table, "styles", candidate)]
        editor = table.get("editor")
        if editor is not None and (not isinstance(editor, str) or not editor.strip()):
            raise ProjectConfigError(
                f'{candidate}: [tool.cf] editor must be a string such as "vscode", "pycharm" '
                f'or "code -g {{file}}:{{line}}", got {editor!r}'
            )
        users = table.get("users")
        if users is not None and not (isinstance(users, str) and ":" in users):
            raise ProjectConfigError(
                f'{candidate}: [tool.cf] users must name a function as "module:function", '
                f'like users = "myapp.dev:user_named", got {users!r}'
            )
        project = Project(folder, candidate, components, templates, styles=styles, editor=editor)
        project.django_settings = django_settings
        project.users = users
        return project
    return None


def _env_apps(env: Mapping[str, str]) -> list[str]:
    return [part.strip() for part in env.get("CF_APP", "").split(",") if part.strip()]


_SETDEFAULT = "DJANGO_SETTINGS_MODULE"


def _find_manage_py(start: Path) -> Path | None:
    """The nearest ``manage.py`` in *start* or above (a Django project's root), or None."""
    for folder in (start, *start.parents):
        candidate = folder / "manage.py"
        if candidate.is_file():
            return candidate
    return None


def _manage_py_settings(manage: Path) -> str | None:
    """The settings module *manage* sets: ``os.environ.setdefault("DJANGO_SETTINGS_MODULE",
    "mysite.settings")``, as ``startproject`` writes it; None if it sets none cf can read."""
    import ast

    try:
        tree = ast.parse(manage.read_text(encoding="utf-8"), filename=str(manage))
    except (OSError, SyntaxError, ValueError):
        return None
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr not in ("setdefault", "__setitem__") or len(node.args) != 2:
            continue
        key, value = node.args
        if (
            isinstance(key, ast.Constant)
            and key.value == _SETDEFAULT
            and isinstance(value, ast.Constant)
            and isinstance(value.value, str)
            and value.value
        ):
            return value.value
    return None


def load_project(
    start: str | os.PathLike[str] | None = None,
    *,
    apps: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
) -> Project:
    """Find the project, with *apps* (or ``CF_APP``) replacing its ``components``.

    Without a ``[tool.cf]`` table, *apps* alone make a project rooted at *start*.

    Raises:
        ProjectNotFoundError: Neither a ``[tool.cf]`` table nor *apps* / ``CF_APP``.
        ProjectConfigError: ``pyproject.toml`` or its ``[tool.cf]`` table is malformed.
    """
    environ = os.environ if env is None else env
    overrides = list(apps) or _env_apps(environ)
    project = find_project(start)
    base = Path(start if start is not None else os.getcwd()).resolve()
    base = base.parent if base.is_file() else base
    django_settings = environ.get("DJANGO_SETTINGS_MODULE")
    manage = None if django_settings else _find_manage_py(base)
    if manage is not None and (project is None or not project.django_settings):
        django_settings = _manage_py_settings(manage)
        if django_settings is None:
            raise ProjectConfigError(
                f"{manage} does not set DJANGO_SETTINGS_MODULE in a way cf can read: add "
                '[tool.cf] with django_settings = "mysite.settings" (your settings module) '
                f"to {manage.parent / 'pyproject.toml'}, or export DJANGO_SETTINGS_MODULE"
            )
    if project is None:
        if not overrides and not django_settings:
            raise ProjectNotFoundError(
                f"no pyproject.toml with a [tool.cf] table in {str(base)!r} or above; add "
                '[tool.cf] with components = ["myapp.components"] and '
                'templates = ["myapp/templates"] to your pyproject.toml, '
                "or name the modules with --app MODULE (or CF_APP=module1,module2); "
                'in a Django project, [tool.cf] with django_settings = "mysite.settings"'
            )
        project = Project(manage.parent if manage is not None else base)
    if overrides:
        project.components = overrides
    if not project.django_settings and django_settings:
        project.django_settings = django_settings
    if not project.components and not project.django_settings:
        raise ProjectConfigError(
            f"{project.pyproject}: [tool.cf] lists no components; add "
            'components = ["myapp.components"] or pass --app MODULE.'
        )
    return project
