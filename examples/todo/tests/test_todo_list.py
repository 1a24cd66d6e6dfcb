"""Tests of the todo list, driven the way a page drives it."""

from __future__ import annotations

from component_framework.project import load_project
from component_framework.testing import ComponentTester

from todo import store

# Import the [tool.cf] components and use its template folders, as `cf` does.
load_project(__file__).setup()


def _add(tester: ComponentTester, *texts: str) -> ComponentTester:
    for text in texts:
        tester.call("add", form_data={"text": text})  # what the page's form sends
    return tester


def test_an_empty_list_says_so() -> None:
    ComponentTester("todo_list").assert_see("Nothing to do yet")


def test_add_toggle_delete() -> None:
    tester = (
        ComponentTester("todo_list")
        .call("add", form_data={"text": "milk"})
        .call("add", form_data={"text": "bread"})
    )
    tester.assert_see("milk", "bread", "2 open of 2")
    milk = tester.state["items"][0]["id"]
    tester.call("toggle", item=milk, value=True).assert_see("1 open of 2")
    tester.call("delete", item=milk).assert_dont_see("milk").assert_see("1 open of 1")


def test_an_empty_item_is_refused() -> None:
    ComponentTester("todo_list").call("add", form_data={"text": "  "}).assert_see(
        "Write something first."
    )
    assert store.items() == []


def test_the_filter_is_this_pages_own() -> None:
    tester = (
        ComponentTester("todo_list")
        .call("add", form_data={"text": "milk"})
        .call("add", form_data={"text": "bread"})
    )
    tester.call("toggle", item=tester.state["items"][0]["id"], value=True)
    tester.call("show", value="open").assert_see("bread").assert_dont_see("milk")
    tester.call("show", value="done").assert_see("milk").assert_dont_see("bread")
    store.add("eggs")  # another page adds an item: this page gets the pushed refresh
    tester.call("refresh").assert_set("filter", "done").assert_see("milk")
    tester.call("show", value="all").assert_see("eggs")
