"""cf check: imports, templates, handlers, lossy mount state, registry conflicts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result


def test_the_example_project_passes(cf: Callable[..., Result], example: Path) -> None:
    result = cf("check")
    assert result.exit_code == 0, result.output
    assert result.stdout == "OK: 2 components, 2 templates, 4 events checked, no problems found\n"
    assert "warning" not in result.stderr


STATE_ONLY = """
import time

from component_framework.core import Component, registry


@registry.register("tally")
class Tally(Component):
    template_name = "tally.html"

    def on_increment(self, amount: int = 1) -> None:
        self.state["count"] = self.state.get("count", 0) + amount

    def on_tag(self, tag: str) -> None:
        self.state.setdefault("tags", []).append(tag)

    def on_save(self) -> None:
        time.sleep(0)
        self.state["saved"] = True

    def on_pad(self, n: int) -> None:
        self.state["pad"] = "#" * n

    async def on_reset(self) -> None:
        self.state["count"] = 0
"""


def test_a_sync_handler_that_only_changes_state_gets_a_warning(
    cf: Callable[..., Result], make_project: Callable[..., Path]
) -> None:
    make_project(
        {"app/__init__.py": "", "app/components.py": STATE_ONLY, "app/templates/tally.html": "x"}
    )
    result = cf("check")
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == [
        f"warning: app/components.py:7: tally: {handler} only changes state: declare it "
        "`async def` to skip the thread hop"
        for handler in ("on_increment", "on_tag")
    ]


@pytest.mark.parametrize(
    "dependencies",
    [
        '[project]\nname = "app"\nversion = "0"\ndependencies = ["cf-components[flask]>=0.1"]\n',
        None,  # requirements.txt names Flask
    ],
)
def test_a_flask_project_gets_no_advice_to_make_handlers_async(
    cf: Callable[..., Result], make_project: Callable[..., Path], dependencies: str | None
) -> None:
    # Under Flask a `def` handler runs on the server's own thread and `async def` hops to a
    # background loop: "declare it async def to skip the thread hop" would be wrong there.
    tool = '[tool.cf]\ncomponents = ["app.components"]\ntemplates = ["app/templates"]\n'
    files = {
        "app/__init__.py": "",
        "app/components.py": STATE_ONLY,
        "app/templates/tally.html": "x",
    }
    if dependencies is None:
        files["requirements.txt"] = "Flask>=3\ncf-components\n"
    make_project(files, pyproject=(dependencies or "") + tool)
    result = cf("check")
    assert result.exit_code == 0, result.output
    assert "warning" not in result.stderr


BROKEN = """
import datetime

from component_framework.core import Component, registry


@registry.register("lossy")
class Lossy(Component):
    template_name = "lossy.html"

    def mount(self) -> None:
        super().mount()
        self.state["tags"] = {"a", "b"}
        self.state["when"] = datetime.date(2026, 1, 1)

    on_click = "not a method"


@registry.register("missing")
class Missing(Component):
    template_name = "missin.html"


@registry.register("untemplated")
class Untemplated(Component):
    pass
"""

CONFLICT = """
from component_framework.core import Component, registry


@registry.register("lossy")
class Other(Component):
    template_name = "lossy.html"
"""


def test_problems_are_listed_and_exit_1(
    cf: Callable[..., Result], make_project: Callable[..., Path]
) -> None:
    make_project(
        {
            "app/__init__.py": "",
            "app/components/__init__.py": "",
            "app/components/a_broken.py": BROKEN,
            "app/components/b_conflict.py": CONFLICT,
            "app/components/c_syntax.py": "def f(:\n",
            "app/templates/lossy.html": "{{ state.tags }}",
            "app/templates/missing.html": "",
            "app/templates/bad.html": "{% if x %}\n{% endfor %}",
        }
    )
    result = cf("check")
    assert result.exit_code == 1
    problems = result.stdout.splitlines()
    expected = [
        "app/components/b_conflict.py:5: registry conflict: Component 'lossy' already "
        "registered by a different class ('Lossy')",
        "app/components/c_syntax.py:1: SyntaxError: invalid syntax",
        "app/templates/bad.html:2: template syntax error: Encountered unknown tag 'endfor'.",
        "app/components/a_broken.py:7: lossy: on_click is a str, not a method, so the event "
        "'click' can never run; make it a method or rename it",
        "app/components/a_broken.py:7: lossy: mount() state state['tags']: set does not "
        "survive JSON; store plain JSON values",
        "app/components/a_broken.py:7: lossy: mount() state state['when']: date does not "
        "survive JSON; store plain JSON values",
        "app/components/a_broken.py:19: missing: template 'missin.html' not found in "
        "app/templates; did you mean 'missing.html'?",
        "app/components/a_broken.py:24: untemplated: no template_name; set "
        'template_name = "untemplated.html"',
    ]
    for line in expected:
        assert any(p.startswith(line) for p in problems), (line, "\n".join(problems))
    assert len(problems) == len(expected)
    assert result.stderr.startswith("Error: 8 problems found (3 components, 3 templates")


def test_handlers_whose_payload_cannot_be_validated(
    cf: Callable[..., Result], make_project: Callable[..., Path]
) -> None:
    source = """
from component_framework.core import Component, registry


@registry.register("odd")
class Odd(Component):
    template_name = "odd.html"

    def on_go(self, when: "Undefined") -> None: ...

    def on_ok(self, amount: int = 1) -> None: ...
"""
    make_project(
        {"app/__init__.py": "", "app/components.py": source, "app/templates/odd.html": "x"}
    )
    result = cf("check")
    # An unresolvable hint falls back to "any value": not a problem, the handler still runs.
    assert result.exit_code == 0, result.output
    assert "2 events checked" in result.stdout


def test_polls_lazy_mounts_and_stream_templates_are_checked(
    cf: Callable[..., Result], make_project: Callable[..., Path]
) -> None:
    source = """
from component_framework.core import Component, registry
from component_framework.core.streams import Stream


@registry.register("eager")
class Eager(Component):
    template_name = "eager.html"
    poll = 0.1
    lazy = True
    remountable = False
    streams = {"items": Stream("missing_item.html")}
"""
    make_project(
        {"app/__init__.py": "", "app/components.py": source, "app/templates/eager.html": "x"}
    )
    result = cf("check")
    assert result.exit_code == 1, result.output
    problems = [line for line in result.stdout.splitlines() if "eager:" in line]
    assert len(problems) == 3, result.stdout
    assert any("poll at most once a second" in line for line in problems)
    assert any("lazy needs remountable = True" in line for line in problems)
    assert any("no template 'missing_item.html'" in line for line in problems)


def test_declarations_for_the_page_are_checked(
    cf: Callable[..., Result], make_project: Callable[..., Path]
) -> None:
    source = """
from component_framework.core import Component, registry


class Opaque:
    pass


@registry.register("odd")
class Odd(Component):
    template_name = "odd.html"
    bindable = {"query": str, "thing": Opaque}
    browser_events = ("chart:data", "cf:update", "two words")
    emits = ("plotted", "_private")
"""
    make_project(
        {"app/__init__.py": "", "app/components.py": source, "app/templates/odd.html": "x"}
    )
    result = cf("check")
    assert result.exit_code == 1, result.output
    problems = [line for line in result.stdout.splitlines() if "odd:" in line]
    assert len(problems) == 4, result.stdout
    assert any("bindable['thing'] cannot be validated" in line for line in problems)
    assert any("'cf:update' is reserved" in line for line in problems)
    assert any("'two words' is not valid" in line for line in problems)
    assert any("emits '_private', which is not an event name" in line for line in problems)


def test_a_handler_argument_no_json_value_can_fill_is_a_problem(
    cf: Callable[..., Result], make_project: Callable[..., Path]
) -> None:
    source = """
from pydantic import BaseModel

from component_framework.core import Component, registry


class Opaque:
    pass


class Item(BaseModel):
    sku: str


@registry.register("odd")
class Odd(Component):
    template_name = "odd.html"

    def on_take(self, thing: Opaque, amount: int = 1) -> None: ...

    def on_add(self, item: Item, tags: list[str] | None = None) -> None: ...
"""
    make_project(
        {"app/__init__.py": "", "app/components.py": source, "app/templates/odd.html": "x"}
    )
    result = cf("check")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "app/components.py:15: odd: on_take(thing: Opaque) can never be called from a page: "
        "JSON cannot carry that type (only an instance of it would pass); use JSON-compatible "
        "type hints (int, str, a Pydantic model, ...)"
    ]


def test_uploaded_files_are_arguments_a_page_fills_when_the_upload_is_declared(
    cf: Callable[..., Result], make_project: Callable[..., Path]
) -> None:
    source = """
from component_framework.core import Component, registry
from component_framework.core.uploads import Upload, UploadedFile


@registry.register("profile")
class Profile(Component):
    template_name = "profile.html"
    uploads = {"avatar": Upload(accept=["image/png"])}

    def on_save(self, avatar: list[UploadedFile]) -> None: ...

    def on_crop(self, avatar: UploadedFile | None = None, photo: UploadedFile | None = None): ...
"""
    make_project(
        {"app/__init__.py": "", "app/components.py": source, "app/templates/profile.html": "x"}
    )
    result = cf("check")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "app/components.py:6: profile: Profile's handler takes uploaded files as 'photo', but "
        "it declares no such upload: add uploads = {'photo': Upload(...)}."
    ]


def test_a_mount_that_needs_parameters_is_a_note(
    cf: Callable[..., Result], make_project: Callable[..., Path]
) -> None:
    source = """
from component_framework.core import Component, registry


@registry.register("needs")
class Needs(Component):
    template_name = "needs.html"

    def mount(self) -> None:
        super().mount()
        self.state["user"] = self.params["user"]
"""
    make_project(
        {"app/__init__.py": "", "app/components.py": source, "app/templates/needs.html": "x"}
    )
    result = cf("check")
    assert result.exit_code == 0
    assert "note: app/components.py:5: needs: mount() without parameters raised" in result.stderr


def test_a_missing_templates_folder(
    cf: Callable[..., Result], make_project: Callable[..., Path]
) -> None:
    make_project({"app/__init__.py": "", "app/components.py": ""})
    result = cf("check")
    assert result.exit_code == 1
    assert "does not exist; create it or fix [tool.cf] templates" in result.stdout


def test_templates_may_use_the_web_layers_globals(
    cf: Callable[..., Result], make_project: Callable[..., Path]
) -> None:
    source = """
from component_framework.core import Component, registry


@registry.register("card")
class Card(Component):
    template_name = "card.html"
"""
    make_project(
        {
            "app/__init__.py": "",
            "app/components.py": source,
            "app/templates/card.html": '{{ component("other", start=1) }}{{ cf_scripts() }}',
        }
    )
    result = cf("check")
    assert result.exit_code == 0, result.output


def test_run_checks_is_usable_without_the_cli(make_project: Callable[..., Path]) -> None:
    from component_framework.checks import Problem, run_checks
    from component_framework.project import load_project

    make_project(
        {
            "app/__init__.py": "",
            "app/components.py": BROKEN,
            "app/templates/lossy.html": "x",
            "app/templates/missing.html": "x",
        }
    )
    report = run_checks(load_project())
    assert not report.ok
    assert report.components == 3
    assert str(report.problems[0]).startswith("app/components.py:7: lossy: on_click is a str")
    assert isinstance(report.problems[0], Problem)


def test_a_registry_conflict_names_both_classes_places(
    cf: Callable[..., Result], make_project: Callable[..., Path]
) -> None:
    first = 'from component_framework.core import Component, registry\n\n\n@registry.register("lossy")\nclass First(Component):\n    template_name = "lossy.html"\n'  # noqa: E501
    make_project(
        {
            "app/__init__.py": "",
            "app/components/__init__.py": "",
            "app/components/a_first.py": first,
            "app/components/b_conflict.py": CONFLICT,
            "app/templates/lossy.html": "x",
        }
    )
    result = cf("check")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "app/components/b_conflict.py:5: registry conflict: Component 'lossy' already "
        "registered by a different class ('First') at app/components/a_first.py:4; "
        "rename one of them"
    ]


UNDEFINED = """
from component_framework.core import Component, registry


@registry.register("typo")
class Typo(Component):
    template_name = "typo.html"

    def mount(self) -> None:
        self.state["count"] = 0


@registry.register("nothing")
class Nothing(Component):
    template_name = "nothing.html"
"""


def test_undefined_names_are_problems_at_the_templates_line(
    cf: Callable[..., Result], make_project: Callable[..., Path]
) -> None:
    make_project(
        {
            "app/__init__.py": "",
            "app/components.py": UNDEFINED,
            "app/templates/typo.html": "<p>\n  Count: {{ state.cnt }}\n</p>\n",
            "app/templates/nothing.html": "<p>\n\n\n  {{ nothing.attr }}\n</p>\n",
        }
    )
    result = cf("check")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "app/templates/nothing.html:4: nothing: rendering nothing.html failed: "
        "'nothing' is undefined",
        "app/templates/typo.html:2: typo: rendering typo.html failed: "
        "'dict object' has no attribute 'cnt'",
    ]


URL_DEFAULTS = """
from component_framework.core import Component, registry
from component_framework.core.url_state import UrlParam


@registry.register("item_list")
class ItemList(Component):
    template_name = "item_list.html"
    url_state = {"search": UrlParam(str, default="", name="q"), "page": UrlParam(int, default=1)}

    def get_context(self):
        context = super().get_context()
        context["shown"] = f"{self.state['search']!r} page {self.state['page']}"
        return context
"""


def test_the_mounted_state_is_rendered_with_its_url_state_defaults(
    cf: Callable[..., Result], make_project: Callable[..., Path]
) -> None:
    # A page's first render applies the defaults after mount(): cf check renders the same.
    make_project(
        {
            "app/__init__.py": "",
            "app/components.py": URL_DEFAULTS,
            "app/templates/item_list.html": "<p>{{ shown }}</p>",
        }
    )
    result = cf("check")
    assert result.exit_code == 0, result.output
    assert "no problems found" in result.stdout


def test_examples_admin_passes_with_no_warning(
    cf: Callable[..., Result],
    admin_example: Path,
) -> None:
    result = cf("check")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("OK: 2 components"), result.stdout
    assert result.stderr == ""
