"""In-process reload of the project's component modules, keeping the registry consistent.

For a batch of changed files: find their modules (and the loaded project modules that use
them), unregister the components those modules registered, re-execute the modules with
``importlib.reload`` (or import a new file for the first time), and let their
``@registry.register`` decorators register the new classes. If a module fails, its previous
components are registered again, so the app keeps serving the last good code while the overlay
shows the error; the next save that fixes the file recovers by itself.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import sys
import types
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from component_framework.core.component import Component
from component_framework.core.registry import ComponentRegistry, registry

from ._errors import DevError, describe_error

__all__ = ["ModuleReloader", "ReloadResult"]


@dataclass
class ReloadResult:
    """What a reload did: modules re-executed, components added/removed, errors by file."""

    modules: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    errors: list[DevError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class _Root:
    name: str
    path: Path  # a package's folder, or a plain module's file
    is_package: bool


class ModuleReloader:
    """Imports the project's component modules and reloads them when their files change.

    Args:
        modules: Dotted names of the component modules or packages (``[tool.cf] components``);
            packages are imported recursively.
        registry: The registry the components register into.
    """

    def __init__(self, modules: Sequence[str], *, registry: ComponentRegistry = registry) -> None:
        self.module_names = list(modules)
        self.registry = registry
        self._roots: list[_Root] = []
        self._packages: list[Path] = []
        self.errors: dict[Path, DevError] = {}
        """Files whose last import failed, with the error; cleared when a reload succeeds."""

    def __repr__(self) -> str:
        return f"<ModuleReloader modules={self.module_names!r} errors={len(self.errors)}>"

    # ---------- Loading ----------

    @property
    def roots(self) -> list[Path]:
        """Folders (packages) and files (plain modules) to watch for Python changes."""
        return [root.path for root in self._roots]

    @property
    def python_roots(self) -> list[Path]:
        """Where Python changes count: ``roots`` and the top-level packages holding them.

        A component package ``myapp.components`` lives in ``myapp/``; the helpers it imports
        from ``myapp/services.py`` are the project's code too, and saving them reloads them
        and the components that use them.
        """
        return [*self.roots, *self._packages]

    def _top_packages(self) -> list[Path]:
        found: list[Path] = []
        for root in self._roots:
            depth = root.name.count(".")
            if depth == 0:
                continue
            top = (root.path if root.is_package else root.path.parent).parents[depth - 1]
            if (top / "__init__.py").is_file() and top not in found and top not in self.roots:
                found.append(top)
        return found

    def load(self) -> ReloadResult:
        """Import every component module (packages recursively); collect errors, never raise."""
        result = ReloadResult()
        before = set(self.registry)
        self._roots = []
        for name in self.module_names:
            root = self._find_root(name)
            if root is None:
                error = DevError(
                    "import",
                    "",
                    0,
                    f"ModuleNotFoundError: No module named {name!r} (listed in [tool.cf] "
                    "components or --app); check the name and that its folder is importable.",
                )
                result.errors.append(error)
                continue
            self._roots.append(root)
            self._import(name, result)
            if root.is_package:
                for file in sorted(root.path.rglob("*.py")):
                    module = self._module_name(file.resolve())
                    if module is not None and module not in sys.modules:
                        self._import(module, result)
        self._packages = self._top_packages()
        result.added = sorted(set(self.registry) - before)
        return result

    def _find_root(self, name: str) -> _Root | None:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        if spec is None:
            return None
        if spec.submodule_search_locations:
            folder = Path(next(iter(spec.submodule_search_locations))).resolve()
            return _Root(name, folder, True)
        if spec.origin is None:
            return None
        return _Root(name, Path(spec.origin).resolve(), False)

    def _import(self, name: str, result: ReloadResult) -> None:
        try:
            importlib.import_module(name)
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt):
                raise  # sys.exit() in a module is the module's error: the server keeps running
            path = self._path_of(name)
            error = describe_error(exc, self.roots, kind=None if _is_syntax(exc) else "import")
            result.errors.append(error)
            if path is not None:
                self.errors[path] = error
        else:
            path = self._path_of(name)
            if path is not None:
                self.errors.pop(path, None)

    def _path_of(self, name: str) -> Path | None:
        module = sys.modules.get(name)
        file = getattr(module, "__file__", None)
        if file:
            return Path(file).resolve()
        for root in self._roots:
            if name == root.name:
                return root.path / "__init__.py" if root.is_package else root.path
            if root.is_package and name.startswith(root.name + "."):
                parts = name[len(root.name) + 1 :].split(".")
                candidate = root.path.joinpath(*parts)
                if candidate.is_dir():
                    return candidate / "__init__.py"
                return candidate.with_suffix(".py")
        return None

    def _module_name(self, path: Path) -> str | None:
        """The dotted name of the project file *path*, or None if it is outside every root."""
        for root in self._roots:
            if not root.is_package:
                if path == root.path:
                    return root.name
                continue
            try:
                relative = path.relative_to(root.path)
            except ValueError:
                continue
            parts = list(relative.with_suffix("").parts)
            if parts and parts[-1] == "__init__":
                parts.pop()
            if not all(part.isidentifier() for part in parts):
                return None
            return ".".join([root.name, *parts])
        return None

    # ---------- Reloading ----------

    def modules_for(self, paths: Iterable[Path]) -> list[str]:
        """The dotted module names of *paths* (loaded or not), in a stable order."""
        by_file = _loaded_by_file()
        names: list[str] = []
        for path in paths:
            name = by_file.get(path.resolve()) or self._module_name(path.resolve())
            if name is not None and name not in names:
                names.append(name)
        return names

    def reload(self, changed: Iterable[Path], removed: Iterable[Path] = ()) -> ReloadResult:
        """Reload the modules of *changed* files and their dependents; drop *removed* ones."""
        result = ReloadResult()
        before = dict(self.registry.items())
        importlib.invalidate_caches()  # new files must be found by the import system
        for path in removed:
            self.errors.pop(path.resolve(), None)
        gone = self.modules_for(removed)
        for name in gone:
            for component in self._components_of({name}):
                self.registry.unregister(component)
            sys.modules.pop(name, None)
        targets = self.modules_for(changed)
        order = self._with_dependents(targets + gone)
        order = [name for name in order if name not in gone]
        for name in order:
            self._reload_one(name, result)
        after = dict(self.registry.items())
        result.modules = order
        result.added = sorted(n for n in after if n not in before)
        result.removed = sorted(n for n in before if n not in after)
        return result

    def _components_of(self, modules: set[str]) -> list[str]:
        return [name for name, cls in self.registry.items() if cls.__module__ in modules]

    def _with_dependents(self, names: list[str]) -> list[str]:
        """*names* first, then every loaded project module that uses them (transitively)."""
        project = [
            name
            for name, module in list(sys.modules.items())
            if module is not None and self._is_project_module(module)
        ]
        order = list(names)
        frontier = set(names)
        while frontier:
            layer = [n for n in project if n not in order and _uses(sys.modules[n], frontier)]
            order.extend(layer)
            frontier = set(layer)
        return order

    def _is_project_module(self, module: types.ModuleType) -> bool:
        file = getattr(module, "__file__", None)
        if not isinstance(file, str):
            return False
        path = _resolve(file)
        if self._module_name(path) is not None:
            return True
        return any(path.is_relative_to(folder) for folder in self._packages)

    def _reload_one(self, name: str, result: ReloadResult) -> None:
        previous = {n: self.registry[n] for n in self._components_of({name})}
        for component in previous:
            self.registry.unregister(component)
        module = sys.modules.get(name)
        try:
            if module is None:
                importlib.import_module(name)
            else:
                importlib.reload(module)
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt):
                raise  # sys.exit() in a module is the module's error: the server keeps running
            error = describe_error(exc, self.roots, kind=None if _is_syntax(exc) else "import")
            result.errors.append(error)
            path = self._path_of(name)
            if path is not None:
                self.errors[path] = error
            # Keep serving the last good classes until the file is fixed.
            for component in self._components_of({name}):
                self.registry.unregister(component)
            for component, cls in previous.items():
                _register(self.registry, component, cls)
            if module is not None:
                sys.modules[name] = module
        else:
            path = self._path_of(name)
            if path is not None:
                self.errors.pop(path, None)


def _register(target: ComponentRegistry, name: str, cls: type[Component]) -> None:
    if target.get(name) is None:
        target.register(name)(cls)


def _is_syntax(exc: BaseException) -> bool:
    return isinstance(exc, SyntaxError)


_resolved: dict[str, Path] = {}


def _resolve(file: str) -> Path:
    # Resolving every loaded module's path on each reload costs tens of milliseconds; the
    # answer for a given string does not change while the dev server runs.
    path = _resolved.get(file)
    if path is None:
        path = _resolved[file] = Path(file).resolve()
    return path


def _loaded_by_file() -> dict[Path, str]:
    found: dict[Path, str] = {}
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if isinstance(file, str):
            try:
                found[_resolve(file)] = name
            except OSError:
                continue
    return found


def _uses(module: types.ModuleType, names: set[str]) -> bool:
    """Whether *module* imports one of the modules *names* or holds something defined there.

    Its source's import statements count too: ``from .helpers import LABEL`` copies a plain
    value, which its globals cannot trace back to ``helpers``.
    """
    if not names.isdisjoint(_imported_modules(module)):
        return True
    for value in list(vars(module).values()):
        if isinstance(value, types.ModuleType):
            if value.__name__ in names:
                return True
        elif getattr(value, "__module__", None) in names and (
            isinstance(value, type) or callable(value)
        ):
            return True
    return False


_imports_cache: dict[Path, tuple[int, int, frozenset[str]]] = {}


def _imported_modules(module: types.ModuleType) -> frozenset[str]:
    """The absolute names of the modules *module*'s source imports from (cached per file)."""
    file = getattr(module, "__file__", None)
    if not isinstance(file, str) or not file.endswith(".py"):
        return frozenset()
    path = _resolve(file)
    try:
        stat = path.stat()
        cached = _imports_cache.get(path)
        if cached is not None and cached[:2] == (stat.st_mtime_ns, stat.st_size):
            return cached[2]
        tree = ast.parse(path.read_bytes(), str(path))
    except (OSError, SyntaxError, ValueError):
        return frozenset()
    package = module.__package__ or ""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            try:
                base = (
                    importlib.util.resolve_name("." * node.level + (node.module or ""), package)
                    if node.level
                    else node.module or ""
                )
            except (ImportError, ValueError):
                continue
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    result = frozenset(found)
    _imports_cache[path] = (stat.st_mtime_ns, stat.st_size, result)
    return result
