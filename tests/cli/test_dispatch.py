"""cf dispatch: offline runs through core.protocol, JSON chaining, streams, errors, exit codes."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

COMPONENTS = """
import asyncio

from component_framework.core import Component, StreamingComponent, registry


@registry.register("pinger")
class Pinger(Component):
    template_name = "pinger.html"

    def mount(self) -> None:
        super().mount()
        self.state["pings"] = 0

    async def on_ping(self, times: int = 1) -> None:
        await asyncio.sleep(0)
        self.state["pings"] += times

    def on_crash(self) -> None:
        raise RuntimeError("boom")


@registry.register("liker")
class Liker(Component):
    template_name = "liker.html"

    def mount(self) -> None:
        super().mount()
        self.state["pings"] = 0

    async def on_like(self) -> None:
        self.state["pings"] += 1

    def get_optimistic_patch(self, event, payload):
        return {"pings": self.state["pings"] + 1}

    def on_share(self) -> None:
        self.dispatch_browser_event("liker:shared", {"pings": self.state["pings"]})
        self.emit("ping", {"times": 2}, to="pinger")


@registry.register("steps")
class Steps(StreamingComponent):
    template_name = "pinger.html"

    async def on_run(self):
        for n in range(2):
            self.state["pings"] = n
            yield


@registry.register("saver")
class Saver(Component):
    template_name = "pinger.html"

    def on_save(self, then: str = "/done") -> None:
        self.flash("saved", "Saved.")
        self.redirect(then)

    def on_leave(self, then: str) -> None:
        self.redirect(then)
"""


@pytest.fixture
def pinger(make_project: Callable[..., Path]) -> Path:
    return make_project(
        {
            "app/__init__.py": "",
            "app/components.py": COMPONENTS,
            "app/templates/pinger.html": "<i>{{ state.pings }}</i>",
            "app/templates/liker.html": '<i cf-click="like">{{ state.pings }}</i>',
        }
    )


def test_json_is_the_dispatch_result(cf: Callable[..., Result], example: Path) -> None:
    result = cf("dispatch", "counter", "increment", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "html": (
            '<div class="counter">\n  <span>Count: 1</span>\n'
            '  <button type="button" cf-click="increment">+</button>\n</div>'
        ),
        "state": {"count": 1},
        "component_id": "component-cli",
        "slots": {},
    }


def test_json_output_chains_into_state_from_stdin(cf: Callable[..., Result], example: Path) -> None:
    first = cf("dispatch", "counter", "increment", "--json", "--payload", '{"amount": 5}')
    second = cf("dispatch", "counter", "increment", "--state", "-", "--json", input=first.stdout)
    assert second.exit_code == 0, second.output
    assert json.loads(second.stdout)["state"] == {"count": 6}
    # A bare state object works as well.
    third = cf("dispatch", "counter", "decrement", "--state", "-", "--json", input='{"count": 2}')
    assert json.loads(third.stdout)["state"] == {"count": 1}


def test_state_and_payload_from_files(
    cf: Callable[..., Result], example: Path, tmp_path: Path
) -> None:
    (tmp_path / "state.json").write_text('{"count": 10}')
    (tmp_path / "payload.json").write_text('{"amount": 3}')
    result = cf(
        "dispatch",
        "counter",
        "decrement",
        "--state",
        f"@{tmp_path / 'state.json'}",
        "--payload",
        f"@{tmp_path / 'payload.json'}",
        "--json",
    )
    assert json.loads(result.stdout)["state"] == {"count": 7}


def test_rich_output_shows_the_state_diff_and_html(
    cf: Callable[..., Result], example: Path
) -> None:
    result = cf("dispatch", "counter", "increment", "--state", '{"count": 1}')
    assert result.exit_code == 0
    assert "~ count: 1 -> 2" in result.stdout
    assert "<span>Count: 2</span>" in result.stdout
    mounted = cf("dispatch", "counter")
    assert "+ count: 0" in mounted.stdout
    assert "mount" in mounted.stdout


def test_async_handlers_run(cf: Callable[..., Result], pinger: Path) -> None:
    result = cf("dispatch", "pinger", "ping", "-p", '{"times": 3}', "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["state"] == {"pings": 3}


def test_stream_prints_every_frame(cf: Callable[..., Result], pinger: Path) -> None:
    result = cf("dispatch", "steps", "run", "--stream", "--json")
    assert result.exit_code == 0, result.output
    frames = [json.loads(line) for line in result.stdout.splitlines()]
    assert [f["state"] for f in frames] == [{"pings": 0}, {"pings": 1}, {"pings": 1}]
    assert [f["stream_done"] for f in frames] == [False, False, True]
    # JSON lines chain too: the last frame's state is used.
    again = cf("dispatch", "steps", "--state", "-", "--json", input=result.stdout)
    assert json.loads(again.stdout)["state"] == {"pings": 1}

    shown = cf("dispatch", "steps", "run", "--stream")
    assert "frame 1" in shown.stdout and "frame 3 (done)" in shown.stdout


def test_a_failing_handler_exits_1_with_one_line(cf: Callable[..., Result], pinger: Path) -> None:
    result = cf("dispatch", "pinger", "crash")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "Error: on_crash of 'pinger' failed: RuntimeError: boom (at app/components.py:20)\n"
    )


def test_a_bad_effect_call_exits_1_with_what_and_where(
    cf: Callable[..., Result], pinger: Path
) -> None:
    result = cf("dispatch", "saver", "save")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: 'saver': Saver.flash(): Flash level must be one of debug, info, success, "
        "warning, error; got 'saved'. Write flash('success', 'Saved.'). "
        "(at app/components.py:57)\n"
    )


def test_an_effect_refused_for_its_input_is_a_usage_error(
    cf: Callable[..., Result], pinger: Path
) -> None:
    result = cf("dispatch", "saver", "leave", "--payload", '{"then": "https://evil.example/"}')
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: Refused URL 'https://evil.example/': it leads to")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["countr"],
            "Error: Component 'countr' not found. Did you mean 'counter' or 'countdown'?\n",
        ),
        (
            ["counter", "incremnt"],
            "Error: Component 'counter' has no event 'incremnt'. Did you mean 'increment'? "
            "Events: decrement, increment, reset.\n",
        ),
        (
            ["counter", "_private"],
            "Error: Component 'counter' has no event '_private'. "
            "Events: decrement, increment, reset.\n",
        ),
        (
            ["counter", "increment", "--payload", "[1]"],
            "Error: --payload must be a JSON object, got list (the argument)\n",
        ),
        (
            ["counter", "increment", "--payload", '{"amount": "many"}'],
            "Error: Invalid payload for increment: amount: Input should be a valid integer, "
            "unable to parse string as an integer (got 'many')\n",
        ),
        (
            ["counter", "increment", "--state", "@missing.json"],
            "Error: --state: cannot read 'missing.json': No such file or directory\n",
        ),
        (
            ["counter", "--payload", '{"amount": 2}'],
            "Error: --payload is the payload of an event, and none was given; name one: "
            "cf dispatch counter EVENT --payload ...\n",
        ),
    ],
)
def test_usage_errors_exit_2_with_one_line(
    cf: Callable[..., Result], example: Path, args: list[str], message: str
) -> None:
    result = cf("dispatch", *args)
    assert result.exit_code == 2
    assert result.stderr == message
    assert result.stdout == ""


def _json_error(result: Result) -> tuple[str, int, int]:
    """The one-line JSON error: its start (option and source), line and column."""
    assert result.exit_code == 2
    assert result.stdout == ""
    # The reason between the source and the position is the standard library's wording, which
    # changes between Python versions (3.13: "Illegal trailing comma before end of object").
    match = re.fullmatch(r"(Error: .+? \(.+?\)): .+ at line (\d+) column (\d+)\n", result.stderr)
    assert match, result.stderr
    return match.group(1), int(match.group(2)), int(match.group(3))


@pytest.mark.parametrize(
    ("option", "text", "line", "columns"),
    [
        # A trailing comma: the column points at the comma or at the brace after it.
        ("--state", '{"count": 1,}', 1, (12, 13)),
        ("--payload", '{\n"amount": }', 2, (11,)),
    ],
)
def test_bad_json_argument_names_the_option_line_and_column(
    cf: Callable[..., Result],
    example: Path,
    option: str,
    text: str,
    line: int,
    columns: tuple[int, ...],
) -> None:
    start, at_line, at_column = _json_error(cf("dispatch", "counter", "increment", option, text))
    assert start == f"Error: {option} is not valid JSON (the argument)"
    assert at_line == line
    assert at_column in columns


def test_bad_json_on_stdin_reports_the_position(cf: Callable[..., Result], example: Path) -> None:
    result = cf("dispatch", "counter", "--state", "-", input='{"count": 1\n  "x": 2}')
    # The missing comma is found at the next key: line 2, column 3.
    assert _json_error(result) == ("Error: --state is not valid JSON (standard input)", 2, 3)
    empty = cf("dispatch", "counter", "--state", "-", input="")
    assert empty.exit_code == 2
    assert "nothing on standard input" in empty.stderr


def test_component_id_is_kept_through_the_chain(cf: Callable[..., Result], example: Path) -> None:
    first = cf("dispatch", "counter", "--id", "my-counter", "--json")
    second = cf("dispatch", "counter", "increment", "--state", "-", "--json", input=first.stdout)
    assert json.loads(second.stdout)["component_id"] == "my-counter"


def test_colour_only_when_asked_or_on_a_terminal(
    cf: Callable[..., Result], example: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "\x1b[" not in cf("dispatch", "counter").stdout
    monkeypatch.setenv("FORCE_COLOR", "1")
    coloured = cf("dispatch", "counter").stdout
    assert "\x1b[32m+ count: 0\x1b[0m" in coloured
    assert '\x1b[36mclass\x1b[0m=\x1b[32m"counter"\x1b[0m' in coloured
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in cf("dispatch", "counter").stdout


EDGES = """
from component_framework.core import Component, IsAuthenticated, registry


@registry.register("untemplated")
class Untemplated(Component):
    template_name = "nope.html"


@registry.register("guarded")
class Guarded(Component):
    template_name = "ok.html"
    permission_classes = [IsAuthenticated]


@registry.register("lossy")
class Lossy(Component):
    template_name = "ok.html"

    def on_go(self) -> None:
        self.state["tags"] = {"a"}
"""


@pytest.fixture
def edges(make_project: Callable[..., Path]) -> Path:
    return make_project(
        {"app/__init__.py": "", "app/components.py": EDGES, "app/templates/ok.html": "ok"}
    )


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ["untemplated"],
            1,
            "Error: 'untemplated': template 'nope.html' not found (template folders: "
            "app/templates); run cf check\n",
        ),
        (
            ["guarded"],
            1,
            "Error: 'guarded': Authentication required. IsAuthenticated refused no user (run "
            "as one with --user NAME)\n",
        ),
        (
            ["lossy", "--state", '{"n": NaN}'],
            2,
            "Error: --state (the argument): NaN is not valid JSON; use null\n",
        ),
    ],
)
def test_failures_outside_the_handler(
    cf: Callable[..., Result], edges: Path, args: list[str], code: int, message: str
) -> None:
    result = cf("dispatch", *args)
    assert (result.exit_code, result.stderr) == (code, message)


def test_lossy_state_is_a_one_line_warning(cf: Callable[..., Result], edges: Path) -> None:
    result = cf("dispatch", "lossy", "go", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["state"] == {"tags": ["a"]}
    assert result.stderr.startswith("warning: Component state holds set {'a'}, which JSON")
    assert len(result.stderr.splitlines()) == 1


def test_json_shows_the_optimistic_patches(cf: Callable[..., Result], pinger: Path) -> None:
    result = cf("dispatch", "liker", "like", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["optimistic"] == {"like|": {"pings": 2}}
    plain = cf("dispatch", "pinger", "--json")
    assert "optimistic" not in json.loads(plain.stdout)


def test_effects_are_printed_and_in_json_only_when_there_are_any(
    cf: Callable[..., Result], pinger: Path
) -> None:
    result = cf("dispatch", "liker", "share", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["effects"] == [
        {"type": "browser_event", "name": "liker:shared", "detail": {"pings": 0}},
        {"type": "emit", "event": "ping", "payload": {"times": 2}, "to": "pinger"},
    ]
    assert "effects" not in json.loads(cf("dispatch", "liker", "like", "--json").stdout)
    shown = cf("dispatch", "liker", "share")
    assert shown.exit_code == 0, shown.output
    tail = shown.stdout.split("effects\n", 1)[1].splitlines()
    assert tail == [
        '  browser_event  name="liker:shared"  detail={"pings": 0}',
        '  emit  event="ping"  payload={"times": 2}  to="pinger"',
    ]
    assert "effects" not in cf("dispatch", "liker", "like").stdout


HELD = """
from component_framework.core import Component, registry
from component_framework.core.redis_store import RedisStateStore


@registry.register("cart")
class Cart(Component):
    template_name = "cart.html"
    # Nothing listens there: cf dispatch must never reach the store the class names.
    state_store = RedisStateStore("redis://127.0.0.1:9/0")

    def mount(self) -> None:
        super().mount()
        self.state["lines"] = []

    def on_add(self, item: str) -> None:
        self.state["lines"].append(item)
"""


def test_server_held_state_runs_against_a_private_in_memory_store(
    cf: Callable[..., Result], make_project: Callable[..., Path]
) -> None:
    make_project(
        {
            "app/__init__.py": "",
            "app/components.py": HELD,
            "app/templates/cart.html": "<ul>{% for i in state.lines %}<li>{{ i }}{% endfor %}</ul>",
        }
    )
    first = cf("dispatch", "cart", "add", "-p", '{"item": "tea"}', "--json")
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["state"] == {"lines": ["tea"]}
    second = cf(
        "dispatch",
        "cart",
        "add",
        "-p",
        '{"item": "jam"}',
        "--state",
        "-",
        "--json",
        input=first.stdout,
    )
    assert second.exit_code == 0, second.output
    result = json.loads(second.stdout)
    assert result["state"] == {"lines": ["tea", "jam"]}
    assert result["html"] == "<ul><li>tea<li>jam</ul>"
    shown = cf("dispatch", "cart", "add", "-p", '{"item": "jam"}', "--state", '{"lines": []}')
    assert '~ lines: [] -> ["jam"]' in shown.stdout


PAGES = """
from component_framework.core import Component, registry
from component_framework.core.url_state import UrlParam


@registry.register("pages")
class Pages(Component):
    template_name = "pages.html"
    url_state = {"page": UrlParam(int, default=1, history="push")}

    def on_next(self) -> None:
        self.state["page"] += 1

    def on_save(self, to: str = "/done") -> None:
        self.flash("success", "Saved.")
        self.redirect(to)
"""


@pytest.fixture
def pages(make_project: Callable[..., Path]) -> Path:
    return make_project(
        {
            "app/__init__.py": "",
            "app/components.py": PAGES,
            "app/templates/pages.html": "<p>Page {{ state.page }}</p>",
        }
    )


def test_effects_are_printed_and_in_the_json(cf: Callable[..., Result], pages: Path) -> None:
    result = cf("dispatch", "pages", "save")
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith(
        'effects\n  flash  level="success"  text="Saved."\n'
        '  redirect  url="/done"  flash=(signed)\n'
    )
    data = json.loads(cf("dispatch", "pages", "next", "--state", '{"page": 2}', "--json").stdout)
    assert data["effects"] == [
        {"type": "patch_url", "url": None, "query": {"page": "3"}, "history": "push"}
    ]
    plain = json.loads(cf("dispatch", "pages", "--json").stdout)
    assert "effects" not in plain


def test_url_renders_from_the_query_string(cf: Callable[..., Result], pages: Path) -> None:
    first = cf("dispatch", "pages", "--url", "/list?page=4", "--json")
    assert json.loads(first.stdout)["state"] == {"page": 4}
    back = cf("dispatch", "pages", "--state", '{"page": 9}', "--url", "/list", "--json")
    assert json.loads(back.stdout)["state"] == {"page": 1}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--url", "/list?page=four"], "Invalid URL for Pages: page: Input should be a valid"),
        (["next", "--url", "/list"], "--url renders the component from the URL, with no event"),
        (["save", "--payload", '{"to": "https://evil.example"}'], "it leads to another site"),
    ],
)
def test_bad_urls_are_usage_errors(
    cf: Callable[..., Result], pages: Path, args: list[str], message: str
) -> None:
    result = cf("dispatch", "pages", *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr and len(result.stderr.splitlines()) == 1


def test_a_component_nesting_another_renders_it(
    cf: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, project_state: None
) -> None:
    # The repository root's examples: profile_card's template nests {{ component("counter") }}.
    monkeypatch.chdir(Path(__file__).resolve().parents[2])
    monkeypatch.delenv("CF_APP", raising=False)
    modules = set(sys.modules)
    try:
        result = cf("dispatch", "profile_card", "--json")
    finally:
        # The examples' components are unregistered afterwards (project_state): their modules
        # must go too, or a later import would find them and register nothing.
        for name in set(sys.modules) - modules:
            if name.startswith("examples."):
                del sys.modules[name]
                parent, _, child = name.rpartition(".")
                if hasattr(sys.modules.get(parent), child):
                    delattr(sys.modules[parent], child)
    assert result.exit_code == 0, result.output
    html = json.loads(result.stdout)["html"]
    assert 'data-cf-component="counter"' in html and "100" in html


USERS = """
from dataclasses import dataclass


@dataclass
class User:
    username: str
    is_staff: bool
    is_authenticated: bool = True


def user_named(name):
    return {"ann": User("ann", False), "boss": User("boss", True)}.get(name)
"""

STAFF_ONLY = """
from component_framework.core import Component, IsAuthenticated, IsStaff, registry


@registry.register("report")
class Report(Component):
    template_name = "report.html"
    permission_classes = [IsAuthenticated, IsStaff]
"""


def test_dispatch_runs_as_a_user_from_the_projects_users_function(
    cf: Callable[..., Result], make_project: Callable[..., Path]
) -> None:
    make_project(
        {
            "app/__init__.py": "",
            "app/components.py": STAFF_ONLY,
            "app/dev.py": USERS,
            "app/templates/report.html": "<p>The report</p>",
        },
        pyproject='[tool.cf]\ncomponents = ["app.components"]\ntemplates = ["app/templates"]\n'
        'users = "app.dev:user_named"\n',
    )
    assert cf("dispatch", "report", "--user", "boss").exit_code == 0
    refused = cf("dispatch", "report", "--user", "ann")
    assert refused.exit_code == 1
    assert refused.stderr == "Error: 'report': Permission denied. IsStaff refused user 'ann'\n"
    unknown = cf("dispatch", "report", "--user", "nobody")
    assert unknown.exit_code == 2
    assert "no user 'nobody': app.dev:user_named returned None for it" in unknown.stderr


def test_dispatch_as_a_user_without_a_way_to_find_users_says_what_to_add(
    cf: Callable[..., Result], edges: Path
) -> None:
    result = cf("dispatch", "guarded", "--user", "ann")
    assert result.exit_code == 2
    assert '[tool.cf] users = "myapp.dev:user_named"' in result.stderr
