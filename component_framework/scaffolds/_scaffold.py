"""Plan where scaffolded files go, refuse collisions, render the templates, write the files.

Destinations are decided and checked in Python before anything is rendered; the whole scaffold
is rendered in memory first, so a template error writes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._errors import CollisionError, InvalidNameError, LayoutError, ScaffoldError
from ._names import Names, normalize_name
from ._render import render_folder

if TYPE_CHECKING:
    from component_framework.project import Project

__all__ = [
    "KINDS",
    "Plan",
    "plan_component",
    "plan_project",
    "plan_template",
]

KINDS = ("basic", "form", "streaming")
_HERE = Path(__file__).parent

# What a component module of each kind imports, in isort order: (stdlib, third-party) groups of
# (module, names), and the alias a name takes when the new class would shadow it.
_IMPORTS: dict[str, tuple[tuple[tuple[str, tuple[str, ...]], ...], ...]] = {
    "basic": (
        (("typing", ("Annotated",)),),
        (("component_framework.core", ("Component", "registry")), ("pydantic", ("Field",))),
    ),
    "form": (
        (),
        (
            ("component_framework.core", ("FormComponent", "registry")),
            ("pydantic", ("BaseModel", "Field")),
        ),
    ),
    "streaming": (
        (("asyncio", ()), ("collections.abc", ("AsyncIterator",)), ("typing", ("Annotated",))),
        (
            ("component_framework.core", ("StreamingComponent", "registry")),
            ("pydantic", ("Field",)),
        ),
    ),
}
_ALIASES = {
    "Component": "CfComponent",
    "FormComponent": "CfFormComponent",
    "StreamingComponent": "CfStreamingComponent",
    "BaseModel": "PydanticBaseModel",
    "Field": "PydanticField",
    "AsyncIterator": "AbcAsyncIterator",
    "Annotated": "TypingAnnotated",
}


def _imports(kind: str, class_name: str) -> tuple[str, dict[str, str]]:
    """The import block of a *kind* module and the name the code uses for each import.

    A name the class (or its form schema) would shadow is imported under an alias, on a line
    of its own as isort (and ruff) want ``as`` imports.
    """
    taken = {class_name, f"{class_name}Data"}
    use: dict[str, str] = {}
    groups: list[str] = []
    for group in _IMPORTS[kind]:
        lines: list[tuple[tuple[bool, str, int, str], str]] = []
        for module, members in group:
            if not members:
                lines.append(((False, module, 0, ""), f"import {module}"))
                continue
            plain: list[str] = []
            for member in members:
                if member in taken:
                    use[member] = _ALIASES[member]
                    text = f"from {module} import {member} as {use[member]}"
                    lines.append(((True, module, *_member_key(member)), text))
                else:
                    use[member] = member
                    plain.append(member)
            if plain:
                text = f"from {module} import {', '.join(plain)}"
                lines.append(((True, module, *_member_key(plain[0])), text))
        if lines:
            groups.append("\n".join(text for _, text in sorted(lines)))
    return "\n\n".join(groups), use


def _member_key(member: str) -> tuple[int, str]:
    # isort's order-by-type (ruff's default): CONSTANTS, then Classes, then variables.
    rank = 0 if member.isupper() else 1 if member[0].isupper() else 2
    return rank, member


@dataclass
class Plan:
    """Files a scaffold will write.

    Attributes:
        template: The copier template folder (under ``component_framework/scaffolds``).
        data: The answers to its questions (``copier.yml``).
        files: Rendered file (relative to the template folder) -> destination.
        extra: Destinations written directly (empty ``__init__.py`` files) -> content.
        base: Paths are shown relative to this folder.
    """

    template: str
    data: dict[str, Any]
    files: dict[str, Path]
    base: Path
    extra: dict[Path, str] = field(default_factory=dict)

    @property
    def destinations(self) -> list[Path]:
        """Every file the plan writes, in order."""
        return [*self.extra, *self.files.values()]

    def shown(self, path: Path) -> str:
        """*path* relative to ``base`` when it is inside it."""
        return str(path.relative_to(self.base)) if path.is_relative_to(self.base) else str(path)

    def collisions(self) -> list[Path]:
        """The destinations that already exist."""
        return [path for path in self.destinations if path.exists()]

    def check(self, *, force: bool = False) -> None:
        """Raise ``CollisionError`` if a destination exists and *force* is false."""
        existing = self.collisions()
        if existing and not force:
            names = ", ".join(self.shown(p) for p in existing)
            raise CollisionError(
                f"{names} already exist{'s' if len(existing) == 1 else ''}; "
                "nothing was written (use --force to overwrite)"
            )

    def write(self, *, force: bool = False) -> list[Path]:
        """Check collisions, render the template, write the files; return their paths."""
        self.check(force=force)
        rendered = render_folder(_HERE / self.template / "template", self.data)
        for path, content in self.extra.items():
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(content, encoding="utf-8")
        for name, destination in self.files.items():
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(rendered[name])
        return self.destinations


def _package_dir(project: Project) -> Path:
    if not project.components:
        raise LayoutError(
            '[tool.cf] lists no components package; add components = ["myapp.components"]'
        )
    dotted = project.components[0]
    relative = Path(*dotted.split("."))
    for base in (project.root, project.root / "src"):
        if (base / relative).with_suffix(".py").is_file():
            raise LayoutError(
                f"{dotted!r}, the first [tool.cf] components entry, is a module, not a package; "
                "cf new component adds a module to a package: make it a package "
                f"({relative}/__init__.py) or list a package first"
            )
        if (base / relative).is_dir():
            return base / relative
    return project.root / relative


def _templates_dir(project: Project) -> Path:
    if not project.templates:
        # A template outside the renderer's search path could never be found (the generated
        # test would fail): say what to add instead of writing it somewhere unused.
        try:
            package = _package_dir(project).parent
        except LayoutError:
            package = project.root / "myapp"
        suggestion = (package / "templates").relative_to(project.root).as_posix()
        raise LayoutError(
            "[tool.cf] lists no templates folder, so a new template would not be found; "
            f'add templates = ["{suggestion}"] to [tool.cf]'
        )
    return project.templates[0]


def _registered_elsewhere(package: Path, module: str, skip: Path) -> Path | None:
    if not package.is_dir():
        return None
    pattern = re.compile(rf"""register\(\s*["']{re.escape(module)}["']""")
    for path in sorted(package.rglob("*.py")):
        if path != skip and pattern.search(path.read_text(encoding="utf-8", errors="replace")):
            return path
    return None


def plan_component(
    name: str | Names, project: Project, *, kind: str = "basic", force: bool = False
) -> Plan:
    """Plan a component module, its template and its test, where *project* keeps them.

    Raises:
        InvalidNameError: The name cannot be a module and class name.
        LayoutError: The project does not say where components go.
        ScaffoldError: *kind* is unknown, or the name is registered by another module.
    """
    names = normalize_name(name) if isinstance(name, str) else name
    if kind not in KINDS:
        raise ScaffoldError(f"unknown kind {kind!r}; choose one of {', '.join(KINDS)}")
    package = _package_dir(project)
    module_path = package / f"{names.module}.py"
    other = _registered_elsewhere(package, names.module, module_path)
    if other is not None and not force:
        shown = other.relative_to(project.root) if other.is_relative_to(project.root) else other
        raise CollisionError(
            f"a component named {names.module!r} is already registered in {shown}; "
            "pick another name (or use --force)"
        )
    extra: dict[Path, str] = {}
    for folder in (package, *package.parents):
        if folder == project.root or not folder.is_relative_to(project.root):
            break
        if folder.name == "src" and folder.parent == project.root:
            break
        if not (folder / "__init__.py").exists():
            extra[folder / "__init__.py"] = ""
    data: dict[str, Any] = {
        "module_name": names.module,
        "class_name": names.class_name,
        "kebab_name": names.kebab,
        "title": names.title,
        "kind": kind,
    }
    data["imports"], data["use"] = _imports(kind, names.class_name)
    files = {
        "component.py": module_path,
        "template.html": _templates_dir(project) / f"{names.module}.html",
        "test.py": project.root / "tests" / f"test_{names.module}.py",
    }
    return Plan("component", data, files, project.root, dict(reversed(extra.items())))


def plan_template(name: str | Names, project: Project) -> Plan:
    """Plan a template ``NAME.html`` in the project's first templates folder."""
    raw = name if isinstance(name, Names) else re.sub(r"\.html?$", "", name.strip())
    names = normalize_name(raw) if isinstance(raw, str) else raw
    data = {"module_name": names.module, "kebab_name": names.kebab, "title": names.title}
    files = {"template.html": _templates_dir(project) / f"{names.module}.html"}
    return Plan("template", data, files, project.root)


# Top-level packages a starter project's package must not shadow: the framework and what it runs
# on (the project folder comes first on sys.path, so ``json/`` would hide the standard json).
_TAKEN_PACKAGES = frozenset(
    {
        "component_framework",
        "copier",
        "jinja2",
        "markupsafe",
        "pydantic",
        "pytest",
        "rich",
        "starlette",
        "typer",
        "uvicorn",
        "watchfiles",
    }
)


def _refuse_shadowing(raw: str, package: str) -> None:
    import sys

    if package in sys.stdlib_module_names or package in _TAKEN_PACKAGES:
        what = "the standard library" if package in sys.stdlib_module_names else "a dependency"
        raise InvalidNameError(
            f"{raw!r} would make a package {package!r} that hides the module of that name from "
            f"{what} (the project folder comes first on sys.path); try {package + '_app'!r} "
            "or another name"
        )


def _requirement(extra: str = "") -> str:
    """This distribution as a project's dependency, at least the version that wrote the files."""
    from component_framework import __version__

    return f"cf-components{f'[{extra}]' if extra else ''}>={__version__}"


def plan_project(name: str, parent: Path, framework: str = "starlette") -> Plan:
    """Plan a starter project in ``parent/NAME``: [tool.cf], a web app, a counter, tests.

    *framework* ``"flask"`` makes the web app a Flask app; ``"django"`` plans a Django project
    instead: settings, URLs, ``manage.py`` and a ``pages`` app holding the counter and a page
    that shows it.
    """
    if framework == "django":
        return _plan_django_project(name, parent)
    if framework not in ("starlette", "flask"):
        raise InvalidNameError(
            f"unknown framework {framework!r}; choose 'starlette', 'flask' or 'django'"
        )
    names = normalize_name(name)
    _refuse_shadowing(name, names.module)
    folder_name = (
        name.strip() if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name.strip()) else names.kebab
    )
    root = parent / folder_name
    data = {
        "package": names.module,
        "dist_name": names.kebab,
        "title": names.title,
        "requirement": _requirement("flask" if framework == "flask" else ""),
        "framework": framework,
    }
    relative = [
        "pyproject.toml",
        "README.md",
        ".gitignore",
        f"{names.module}/__init__.py",
        f"{names.module}/app.py",
        f"{names.module}/components/__init__.py",
        f"{names.module}/components/counter.py",
        f"{names.module}/templates/counter.html",
        f"{names.module}/templates/index.html",
        f"{names.module}/static/app.css",
        "tests/test_app.py",
        "tests/test_counter.py",
    ]
    files = {path: root / path for path in relative}
    return Plan("project", data, files, parent)


def _plan_django_project(name: str, parent: Path) -> Plan:
    import secrets

    names = normalize_name(name)
    _refuse_shadowing(name, names.module)
    if names.module in ("pages", "django", "tests"):
        raise InvalidNameError(
            f"{name!r} would make a package {names.module!r} that clashes with the project's "
            f"own; try {names.module + '_site'!r}"
        )
    folder_name = (
        name.strip() if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name.strip()) else names.kebab
    )
    root = parent / folder_name
    data = {
        "package": names.module,
        "dist_name": names.kebab,
        "title": names.title,
        "secret_key": f"django-insecure-{secrets.token_urlsafe(32)}",
        "requirement": _requirement("django"),
    }
    relative = [
        "pyproject.toml",
        "README.md",
        ".gitignore",
        "manage.py",
        f"{names.module}/__init__.py",
        f"{names.module}/settings.py",
        f"{names.module}/urls.py",
        f"{names.module}/asgi.py",
        f"{names.module}/wsgi.py",
        "pages/__init__.py",
        "pages/apps.py",
        "pages/views.py",
        "pages/components.py",
        "pages/jinja2/counter.html",
        "pages/templates/pages/home.html",
        "tests/test_counter.py",
    ]
    files = {path: root / path for path in relative}
    return Plan("django_project", data, files, parent)
