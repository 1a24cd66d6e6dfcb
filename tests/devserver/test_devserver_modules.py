"""In-process module reload: the registry stays consistent, errors keep the last good code."""

from __future__ import annotations

import sys
from pathlib import Path

from component_framework.core import registry
from component_framework.devserver._modules import ModuleReloader

from .conftest import PackageFactory


def _label(name: str) -> str:
    return registry[name]().label()  # type: ignore[attr-defined, no-any-return]


def _consistent(prefix: str) -> None:
    """Every registered class of *prefix* is the one its module defines now."""
    for _, cls in registry.items():
        if cls.__module__.startswith(prefix):
            module = sys.modules[cls.__module__]
            assert getattr(module, cls.__name__) is cls


def test_load_imports_a_package_recursively(package: PackageFactory) -> None:
    a = f"{package.name}_a"
    b = f"{package.name}_b"
    package.component("components/a.py", a)
    package.component("components/nested/b.py", b)
    package.write("components/__init__.py", "")
    package.write("components/nested/__init__.py", "")
    reloader = ModuleReloader([f"{package.name}.components"])
    result = reloader.load()
    assert result.ok
    assert {a, b} <= set(result.added)
    assert reloader.roots == [(package.folder / "components").resolve()]


def test_reload_replaces_the_class_and_keeps_the_name(package: PackageFactory) -> None:
    name = f"{package.name}_w"
    path = package.component("w.py", name, label="one")
    reloader = ModuleReloader([package.name])
    reloader.load()
    old = registry[name]
    package.component("w.py", name, label="two")
    result = reloader.reload([path])
    assert result.ok, result.errors
    assert registry[name] is not old
    assert _label(name) == "two"
    assert result.added == [] and result.removed == []
    assert f"{package.name}.w" in result.modules
    _consistent(package.name)


def test_a_syntax_error_keeps_the_last_good_class_and_recovers(package: PackageFactory) -> None:
    name = f"{package.name}_w"
    path = package.component("w.py", name, label="one")
    reloader = ModuleReloader([package.name])
    reloader.load()
    good = registry[name]
    path.write_text(path.read_text().replace('return "one"', 'return "one'))
    result = reloader.reload([path])
    assert not result.ok
    (error,) = result.errors
    assert error.kind == "syntax"
    assert Path(error.file) == path.resolve()
    assert error.line == 10
    assert "SyntaxError" in error.message
    assert any("return" in text for _, text in error.source)
    assert registry[name] is good  # still served
    assert path.resolve() in reloader.errors
    package.component("w.py", name, label="fixed")
    result = reloader.reload([path])
    assert result.ok
    assert _label(name) == "fixed"
    assert reloader.errors == {}
    _consistent(package.name)


def test_an_error_while_importing_points_at_the_user_line(package: PackageFactory) -> None:
    name = f"{package.name}_w"
    path = package.component("w.py", name)
    reloader = ModuleReloader([package.name])
    reloader.load()
    package.component("w.py", name, extra="import does_not_exist_anywhere_42")
    result = reloader.reload([path])
    (error,) = result.errors
    assert error.kind == "import"
    assert Path(error.file) == path.resolve()
    assert error.line == 3
    assert "does_not_exist_anywhere_42" in error.message
    assert name in registry


def test_a_runtime_error_at_import_is_reported_and_the_old_class_kept(
    package: PackageFactory,
) -> None:
    name = f"{package.name}_w"
    path = package.component("w.py", name)
    reloader = ModuleReloader([package.name])
    reloader.load()
    old = registry[name]
    package.component("w.py", name, extra="1 / 0")
    (error,) = reloader.reload([path]).errors
    assert "ZeroDivisionError" in error.message
    assert error.line == 3
    assert registry[name] is old


def test_sys_exit_in_a_reloaded_module_is_an_error_not_the_servers_exit(
    package: PackageFactory,
) -> None:
    name = f"{package.name}_w"
    path = package.component("w.py", name)
    reloader = ModuleReloader([package.name])
    reloader.load()
    old = registry[name]
    package.component("w.py", name, extra="import sys; sys.exit(3)")
    (error,) = reloader.reload([path]).errors
    assert error.message == "SystemExit: 3"
    assert registry[name] is old
    new = package.write("new.py", "raise SystemExit(4)\n")
    (error,) = reloader.reload([new]).errors
    assert error.message == "SystemExit: 4"


def test_a_new_file_registers_its_components(package: PackageFactory) -> None:
    reloader = ModuleReloader([package.name])
    reloader.load()
    name = f"{package.name}_new"
    path = package.component("fresh.py", name)
    result = reloader.reload([path])
    assert result.added == [name]
    assert name in registry


def test_a_new_file_that_fails_then_gets_fixed(package: PackageFactory) -> None:
    reloader = ModuleReloader([package.name])
    reloader.load()
    name = f"{package.name}_new"
    path = package.write("fresh.py", "def broken(:\n")
    result = reloader.reload([path])
    assert result.errors and result.errors[0].kind == "syntax"
    package.component("fresh.py", name)
    assert reloader.reload([path]).added == [name]
    assert reloader.errors == {}


def test_a_removed_file_unregisters_its_components(package: PackageFactory) -> None:
    name = f"{package.name}_w"
    path = package.component("w.py", name)
    reloader = ModuleReloader([package.name])
    reloader.load()
    path.unlink()
    result = reloader.reload([], [path])
    assert result.removed == [name]
    assert name not in registry
    assert f"{package.name}.w" not in sys.modules


def test_a_helper_module_change_reaches_the_components_using_it(package: PackageFactory) -> None:
    name = f"{package.name}_w"
    helper = package.write("helper.py", 'def text():\n    return "v1"\n')
    package.write(
        "w.py",
        f"""
        from component_framework.core import Component, registry
        from PKG.helper import text

        @registry.register("{name}")
        class Widget(Component):
            def label(self):
                return text()
        """,
    )
    reloader = ModuleReloader([package.name])
    reloader.load()
    assert _label(name) == "v1"
    helper.write_text('def text():\n    return "v2"\n')
    result = reloader.reload([helper])
    assert result.ok
    assert result.modules[0] == f"{package.name}.helper"
    assert f"{package.name}.w" in result.modules
    assert _label(name) == "v2"
    _consistent(package.name)


def test_a_missing_module_is_an_error_not_a_crash(package: PackageFactory) -> None:
    reloader = ModuleReloader([f"{package.name}.nowhere"])
    result = reloader.load()
    (error,) = result.errors
    assert "nowhere" in error.message
    assert "[tool.cf]" in error.message


def test_a_module_that_imports_a_plain_value_is_reloaded_after_it(
    package: PackageFactory,
) -> None:
    name = f"{package.name}_v"
    helpers = package.write("helpers.py", 'LABEL = "one"\n')
    package.write(
        "view.py",
        f"""
        from component_framework.core import Component, registry

        from .helpers import LABEL


        @registry.register("{name}")
        class View(Component):
            template_name = "widget.html"

            def label(self):
                return LABEL
        """,
    )
    reloader = ModuleReloader([package.name])
    reloader.load()
    assert _label(name) == "one"
    helpers.write_text('LABEL = "two"\n')
    result = reloader.reload([helpers])
    assert result.ok, result.errors
    assert result.modules[0] == f"{package.name}.helpers"
    assert f"{package.name}.view" in result.modules
    assert _label(name) == "two"
    _consistent(package.name)


def test_project_code_beside_the_components_package_is_watched_and_reloaded(
    package: PackageFactory,
) -> None:
    from component_framework.devserver._watch import classify

    name = f"{package.name}_s"
    services = package.write("services.py", 'LABEL = "one"\n')
    package.write("components/__init__.py", "")
    package.write(
        "components/shop.py",
        f"""
        from component_framework.core import Component, registry

        from PKG.services import LABEL


        @registry.register("{name}")
        class Shop(Component):
            def label(self):
                return LABEL
        """,
    )
    reloader = ModuleReloader([f"{package.name}.components"])
    reloader.load()
    assert reloader.python_roots == [
        (package.folder / "components").resolve(),
        package.folder.resolve(),
    ]
    services.write_text('LABEL = "two"\n')
    changes = classify([services], [], reloader.python_roots)
    assert changes.python == [services.resolve()]
    result = reloader.reload(changes.python)
    assert result.ok, result.errors
    assert f"{package.name}.components.shop" in result.modules
    assert _label(name) == "two"
