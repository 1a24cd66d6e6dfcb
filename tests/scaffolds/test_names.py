"""Names are normalised and validated in Python, before copier sees them."""

from __future__ import annotations

import pytest

from component_framework.scaffolds import InvalidNameError, Names, normalize_name


@pytest.mark.parametrize(
    "raw",
    ["todo-list", "TodoList", "todo list", "todo_list", "  Todo  List ", "todoList", "TODO_LIST"],
)
def test_every_spelling_normalises(raw: str) -> None:
    assert normalize_name(raw) == Names("todo_list", "TodoList", "todo-list", "Todo list")


@pytest.mark.parametrize(
    ("raw", "module", "class_name"),
    [
        ("counter", "counter", "Counter"),
        ("HTTPServer", "http_server", "HttpServer"),
        ("counter2", "counter2", "Counter2"),
        ("my.widget", "my_widget", "MyWidget"),
    ],
)
def test_other_names(raw: str, module: str, class_name: str) -> None:
    names = normalize_name(raw)
    assert (names.module, names.class_name) == (module, class_name)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "the name is empty"),
        ("   ", "the name is empty"),
        ("class", "is a Python keyword"),
        ("None", "is a Python keyword"),
        ("2fast", "starts with a digit"),
        ("a/b", "contains a path separator"),
        ("..\\evil", "contains a path separator"),
        ("my counter!", "contains '!'"),
        ("café", "contains 'é'"),
        ("---", "has no letters"),
    ],
)
def test_invalid_names_are_refused_with_a_reason(raw: str, reason: str) -> None:
    with pytest.raises(InvalidNameError, match=reason):
        normalize_name(raw)
