"""Export a playground session as a pytest file that replays it with ``ComponentTester``.

The session (mount params, then each event with its payload) is replayed first, through the
same message path as the page, in a fresh Python process (``python -m`` this module): as the
test will run, and without running the component's handlers again in the dev server, where
they would change its data a second time (a shared list would double). The test asserts the
state after every event, the text the user saw and the reply's effects, as that replay
produced them. When the replay's states differ from those the session recorded, the component
depends on data outside its state (a store, a database, the clock) and nothing is written: the
message says where.
"""

from __future__ import annotations

import base64
import inspect
import json
import keyword
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from component_framework.core.component import Component
from component_framework.core.registry import ComponentRegistry
from component_framework.testing import ComponentTester

__all__ = ["ExportError", "export_session"]

_MAX_TEXTS = 6


class ExportError(ValueError):
    """The session cannot be exported (unknown component, malformed events)."""


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if text and any(c.isalnum() for c in text) and text not in self.texts:
            self.texts.append(text)


def seen_texts(html: str) -> list[str]:
    """The text nodes of *html* a user reads, as ``assert_see`` finds them."""
    import html as html_lib

    parser = _Text()
    parser.feed(html)
    found = [t for t in parser.texts if html_lib.escape(t, quote=False) in html]
    return found[:_MAX_TEXTS]


def _kwargs(values: dict[str, Any]) -> str:
    if all(k.isidentifier() and not keyword.iskeyword(k) for k in values):
        return ", ".join(f"{k}={v!r}" for k, v in values.items())
    return f"**{values!r}"


def _is_stream(cls: type[Component], event: str) -> bool:
    handler = getattr(cls, f"on_{event}", None)
    return inspect.isasyncgenfunction(handler) or inspect.isgeneratorfunction(handler)


Files = dict[str, list[tuple[str, bytes]]]
"""An event's files: upload name -> (filename, bytes) of each file it took."""


def _events(raw: Any) -> list[tuple[str, dict[str, Any], Files]]:
    if not isinstance(raw, list):
        raise ExportError("'events' must be a list of {'event': ..., 'payload': {...}}.")
    events = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict) or not isinstance(item.get("event"), str):
            raise ExportError(f"events[{index}] must be an object with an 'event' name.")
        payload = item.get("payload") or {}
        if not isinstance(payload, dict):
            raise ExportError(f"events[{index}]['payload'] must be an object.")
        files = _files(index, item["event"], item.get("files") or {})
        # The test sends the files again: the ids of this session's uploads do not replay.
        payload = {k: v for k, v in payload.items() if k not in files}
        events.append((item["event"], payload, files))
    return events


def _files(index: int, event: str, raw: Any) -> Files:
    where = f"events[{index}]['files']"
    if not isinstance(raw, dict):
        raise ExportError(f"{where} must be an object: upload name -> list of files.")
    files: Files = {}
    for name, listed in raw.items():
        if not isinstance(listed, list):
            raise ExportError(f"{where}[{name!r}] must be a list of files.")
        files[name] = []
        for file in listed:
            if not isinstance(file, dict):
                raise ExportError(
                    f"Event {index + 1} ({event}) took a file for {name!r} this page no longer "
                    "has (picked before a reload?): pick it again in a new session to export."
                )
            try:
                data = base64.b64decode(str(file.get("data", "")), validate=True)
            except ValueError:
                raise ExportError(f"{where}[{name!r}]: 'data' must be base64.") from None
            files[name].append((str(file.get("filename") or "file"), data))
    return files


def _fixture_name(index: int, filename: str) -> str:
    # The event's number keeps two files of one name apart; the name only what a path takes.
    safe = re.sub(r"[^\w.-]", "_", filename).lstrip(".")[:80] or "file"
    return f"{index + 1}-{safe}"


def export_session(
    registry: ComponentRegistry,
    tests_dir: Path,
    component: str,
    params: dict[str, Any],
    raw_events: Any,
    component_id: str | None = None,
) -> Path:
    """Replay the session, write ``tests_dir/test_<component>_session[_N].py``; return its path.

    Each event may carry ``"state"``, the state the session recorded after it: a replay that
    ends elsewhere is refused; and ``"files"``, the files it took (``{upload name: [{"filename",
    "data" (base64)}]}``): written beside the test (``test_..._files/``), which sends them
    again with ``ComponentTester.upload`` before the event. *component_id*, the session's:
    when a recorded state holds it, the test mounts with it (another id would not replay).

    Raises:
        ExportError: The session is malformed, the component is unknown, or the replay does not
            give the recorded states.
        ComponentError: Replaying the session failed (the page would have shown the error).
    """
    cls = registry.get(component)
    if cls is None:
        raise ExportError(registry.not_found_message(component))
    events = _events(raw_events)
    recorded = [item.get("state") if isinstance(item, dict) else None for item in raw_events]
    if component_id and component_id in json.dumps(recorded):
        params = {**params, "component_id": component_id}
    tester = ComponentTester(component, registry=registry, **params)
    module = re.sub(r"\W", "_", component).lower()
    path = tests_dir / f"test_{module}_session.py"
    number = 1
    while path.exists():
        number += 1
        path = tests_dir / f"test_{module}_session_{number}.py"
    fixtures = path.with_name(f"{path.stem}_files")
    with_files = any(files for _, _, files in events)
    lines = [
        f'"""The {component} session exported from cf dev on '
        f'{datetime.now(UTC):%Y-%m-%d %H:%M} UTC."""',
        "",
        "from __future__ import annotations",
        "",
        *(["from pathlib import Path", ""] if with_files else []),
        "from component_framework.project import load_project",
        "from component_framework.testing import ComponentTester",
        "",
        "# Import the [tool.cf] components and use its template folders, as `cf` does.",
        "load_project(__file__).setup()",
        *(["", "# The files the session uploaded, sent again by the test."] if with_files else []),
        *([f"FILES = Path(__file__).parent / {fixtures.name!r}"] if with_files else []),
        "",
        "",
        f"def test_{module}_session() -> None:",
        f"    tester = ComponentTester({component!r}{', ' if params else ''}{_kwargs(params)})",
    ]
    lines += _checks(tester)
    written: dict[str, bytes] = {}
    for index, (event, payload, files) in enumerate(events):
        for name, taken in files.items():
            tester.upload(name, *taken)
            sent = []
            for filename, data in taken:
                written[_fixture_name(index, filename)] = data
                read = f"(FILES / {_fixture_name(index, filename)!r}).read_bytes()"
                sent.append(f"({filename!r}, {read})")
            lines.append(f"    tester.upload({name!r}, {', '.join(sent)})")
        if _is_stream(cls, event):
            tester.stream(event, **payload)
            lines.append(f"    tester.stream({event!r}{', ' if payload else ''}{_kwargs(payload)})")
        else:
            tester.call(event, **payload)
            lines.append(f"    tester.call({event!r}{', ' if payload else ''}{_kwargs(payload)})")
        if isinstance(recorded[index], dict) and tester.state != recorded[index]:
            if tester.component_id in json.dumps(tester.state):
                raise ExportError(
                    f"Replayed in a fresh process, event {index + 1} ({event}) leaves a state "
                    f"holding the component's id ({tester.component_id!r}), new at each mount, "
                    "not the session's: give export the session's component_id, or keep the "
                    "id out of the state (the component has it as self.id). Nothing was written."
                )
            raise ExportError(
                f"Replayed in a fresh process, event {index + 1} ({event}) leaves the state "
                f"{tester.state!r}, not {recorded[index]!r} as in this session: the component "
                "reads or changes data outside its state (a store, a database, the clock), so "
                "a test cannot replay this session. Nothing was written."
            )
        lines += _checks(tester)
    tests_dir.mkdir(parents=True, exist_ok=True)
    if written:
        fixtures.mkdir(exist_ok=True)
        for name, data in written.items():
            (fixtures / name).write_bytes(data)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _checks(tester: ComponentTester) -> list[str]:
    lines = [f"    assert tester.state == {tester.state!r}"]
    lines += _effect_checks(tester)
    texts = seen_texts(tester.html)
    if texts:
        lines.append(f"    tester.assert_see({', '.join(repr(t) for t in texts)})")
    return lines


def _effect_checks(tester: ComponentTester) -> list[str]:
    """What the event asked the page to do: the effects in order, then each one's assertion."""
    effects = tester.effects
    if not effects:
        return []
    lines = [f"    assert [e['type'] for e in tester.effects] == {[e['type'] for e in effects]!r}"]
    for effect in effects:
        kind = effect["type"]
        if kind in ("redirect", "navigate"):
            lines.append(f"    tester.assert_{kind}({effect['url']!r})")
        elif kind == "flash":
            lines.append(f"    tester.assert_flash({effect['text']!r}, {effect['level']!r})")
        elif kind == "patch_url":
            lines.append(f"    tester.assert_url({tester.url!r})")
        elif kind == "browser_event":
            lines.append(
                f"    tester.assert_browser_event({effect['name']!r}, {effect['detail']!r})"
            )
        elif kind == "emit":
            target = {k: effect[k] for k in ("to", "component_id", "parent") if k in effect}
            named = "".join(f", {k}={v!r}" for k, v in target.items())
            lines.append(
                f"    tester.assert_emitted({effect['event']!r}, {effect['payload']!r}{named})"
            )
    return lines


def export_in_fresh_process(
    root: Path,
    modules: list[str],
    component: str,
    params: dict[str, Any],
    raw_events: Any,
    component_id: str | None = None,
) -> Path:
    """``export_session`` in a new interpreter started in the project *root*, importing
    the component *modules* as the dev server did.

    Raises:
        ExportError: The export failed; the message says why.
    """
    request = {
        "component": component,
        "params": params,
        "events": raw_events,
        "component_id": component_id,
    }
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    if modules:
        env["CF_APP"] = ",".join(modules)
    done = subprocess.run(
        [sys.executable, "-m", __name__],
        input=json.dumps(request),
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    try:
        answer = json.loads(done.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise ExportError(f"The replay failed: {done.stderr.strip()[-500:]}") from None
    if "error" in answer:
        raise ExportError(answer["error"])
    return Path(answer["path"])


def _main() -> None:
    from component_framework.core.exceptions import ComponentError
    from component_framework.core.registry import registry
    from component_framework.project import load_project

    request = json.loads(sys.stdin.read())
    project = load_project()
    project.setup()
    try:
        path = export_session(
            registry,
            Path(project.root) / "tests",
            request["component"],
            request["params"],
            request["events"],
            request["component_id"],
        )
    except ExportError as exc:
        answer: dict[str, str] = {"error": str(exc)}
    except ComponentError as exc:
        answer = {"error": f"The session does not replay: {type(exc).__name__}: {exc}"}
    else:
        answer = {"path": str(path)}
    sys.stdout.write("\n" + json.dumps(answer) + "\n")


if __name__ == "__main__":
    _main()
