"""The morph: a reply's HTML merged into the live component, keeping what did not change.

Untouched nodes stay the same nodes (tagged with ``mark()``, a JS property that only the old
node carries); children are matched by id/cf-key, else by the ids, named controls and nested
components they hold, else in order; nested components keep their own content.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .harness import ClientPage, component, update

pytestmark = pytest.mark.browser


def items(*keys: str, attribute: str = "id") -> str:
    return "<ul>" + "".join(f'<li {attribute}="{k}">{k.upper()}</li>' for k in keys) + "</ul>"


def test_keyed_children_moved_removed_and_added_keep_their_nodes(cf_page: ClientPage) -> None:
    cf_page.open(component("list", items("a", "b", "c", "d")))
    cf_page.mark("li")
    cf_page.morph("list", items("d", "b", "e", "a"))
    assert cf_page.html('[data-cf-id="list"]') == items("d", "b", "e", "a")
    assert cf_page.marks("li") == [3, 1, None, 0]


@pytest.mark.parametrize("attribute", ["id", "cf-key"])
def test_a_reversed_list_of_2000_keyed_children_keeps_every_node(
    cf_page: ClientPage, attribute: str
) -> None:
    keys = [f"k{n}" for n in range(2000)]
    cf_page.open(component("list", items(*keys, attribute=attribute)))
    cf_page.mark("li")
    cf_page.morph("list", items(*reversed(keys), attribute=attribute))
    assert cf_page.html('[data-cf-id="list"]') == items(*reversed(keys), attribute=attribute)
    assert cf_page.marks("li") == list(range(1999, -1, -1))


def test_unkeyed_children_are_updated_in_place(cf_page: ClientPage) -> None:
    cf_page.open(component("list", "<p class='a'>one</p><p>two</p><span>three</span>"))
    cf_page.mark("p, span")
    cf_page.morph("list", "<p>uno</p><p class='b'>dos</p><em>tres</em>")
    assert cf_page.html('[data-cf-id="list"]') == '<p>uno</p><p class="b">dos</p><em>tres</em>'
    assert cf_page.marks("p, em") == [0, 1, None]  # a new tag is a new node


def test_untouched_nodes_stay_the_same_nodes(cf_page: ClientPage) -> None:
    inner = "<h2>Title</h2><div class='body'><p>Text <b>bold</b></p></div><footer>f</footer>"
    cf_page.open(component("card", inner))
    cf_page.mark("h2, div.body, p, b, footer")
    cf_page.morph("card", inner.replace("f</footer>", "g</footer>"))
    assert cf_page.marks("h2, div.body, p, b, footer") == [0, 1, 2, 3, 4]
    expect(cf_page.page.locator("footer")).to_have_text("g")


def test_attributes_follow_the_server(cf_page: ClientPage) -> None:
    cf_page.open(component("card", '<p class="old" title="t" hidden>x</p>'))
    cf_page.page.eval_on_selector("p", "(p) => p.setAttribute('data-mine', '1')")
    cf_page.morph("card", '<p class="new" lang="en">x</p>')
    assert cf_page.html('[data-cf-id="card"]') == '<p class="new" lang="en">x</p>'


def test_a_message_inserted_above_a_field_keeps_its_focus_and_caret(cf_page: ClientPage) -> None:
    form = '<form>{}<label>Name <input name="name" value=""></label><p id="after">a</p></form>'
    cf_page.open(component("signup", form.format("")))
    field = cf_page.page.get_by_label("Name")
    field.fill("Ada Lovelace")
    field.evaluate("(el) => el.setSelectionRange(3, 5)")
    cf_page.mark("input, #after")
    cf_page.morph("signup", form.format('<p role="alert">Name is taken.</p>'))
    expect(cf_page.page.get_by_role("alert")).to_have_text("Name is taken.")
    expect(field).to_be_focused()
    expect(field).to_have_value("Ada Lovelace")  # never sent: the user's
    assert field.evaluate("(el) => [el.selectionStart, el.selectionEnd]") == [3, 5]
    assert cf_page.marks("input, #after") == [0, 1]


def test_removed_siblings_before_a_focused_field_do_not_move_it(cf_page: ClientPage) -> None:
    cf_page.open(component("form", '<p>hint one</p><p>hint two</p><input name="q" value="">'))
    field = cf_page.page.locator("input")
    field.focus()
    cf_page.mark("input")
    cf_page.morph("form", '<input name="q" value="">')
    expect(field).to_be_focused()
    assert cf_page.marks("input") == [0]


def test_a_node_holding_a_later_identity_is_not_reused_for_another(cf_page: ClientPage) -> None:
    cf_page.open(component("form", '<div><input name="a" value=""></div><div>plain</div>'))
    inside = "[data-cf-id=form] div, input"
    cf_page.mark(inside)
    cf_page.morph("form", '<div>new first</div><div><input name="a" value=""></div>')
    # The div holding input[name=a] stays with its input instead of becoming "new first".
    assert cf_page.marks(inside) == [None, 0, 1]  # the new div, the old div, its input


def test_nested_components_keep_their_content(cf_page: ClientPage) -> None:
    child = component("child", "<p>child's own <b>content</b></p>", state={"n": 1})
    cf_page.open(component("parent", f"<h1>Parent</h1>{child}"))
    cf_page.mark("[data-cf-id=child], [data-cf-id=child] p")
    replaced = component("child", "<p>what the parent's render says</p>", state={"n": 0})
    cf_page.morph("parent", f"<h1>Parent 2</h1>{replaced}")
    expect(cf_page.page.locator("h1")).to_have_text("Parent 2")
    assert cf_page.marks("[data-cf-id=child], [data-cf-id=child] p") == [0, 1]
    expect(cf_page.page.locator("[data-cf-id=child] p")).to_have_text("child's own content")
    state = cf_page.page.get_attribute("[data-cf-id=child]", "data-cf-state")
    assert state == '{"n": 1}'


def test_nested_components_are_matched_by_name_across_moves(cf_page: ClientPage) -> None:
    one = component("one", "<p>one</p>")
    two = component("two", "<p>two</p>")
    cf_page.open(component("parent", f"<section>{one}</section><section>{two}</section>"))
    cf_page.mark("[data-cf-component=one], [data-cf-component=two]")
    cf_page.morph("parent", f"<section>{two}</section><section>{one}</section>")
    assert cf_page.marks("[data-cf-component=one], [data-cf-component=two]") == [1, 0]


def test_a_nested_component_added_by_a_morph_comes_alive(cf_page: ClientPage) -> None:
    cf_page.open(component("parent", "<p>empty</p>"))
    added = component("child", '<button type="button" cf-click="go">Go</button>')
    cf_page.morph("parent", f"<p>empty</p>{added}")
    expect(cf_page.page.locator("[data-cf-id=child]")).to_have_attribute("data-cf-ready", "")
    cf_page.page.get_by_role("button", name="Go").click()
    request = cf_page.next_request()
    assert (request.message["component_id"], request.message["event"]) == ("child", "go")
    request.render('<button type="button" cf-click="go">Gone</button>')
    expect(cf_page.page.get_by_role("button")).to_have_text("Gone")


def test_text_and_comment_nodes_follow_the_server(cf_page: ClientPage) -> None:
    cf_page.open(component("t", "before<!-- a -->after"))
    cf_page.morph("t", "now<!-- b -->later")
    assert cf_page.html('[data-cf-id="t"]') == "now<!-- b -->later"


def test_an_error_box_is_cleared_by_the_next_update(cf_page: ClientPage) -> None:
    cf_page.open(component("c", "<p>ok</p>"))
    sent = cf_page.send("c", "go")
    cf_page.next_request().refuse("Not allowed.")
    cf_page.settled(sent)
    expect(cf_page.page.get_by_role("alert")).to_have_text("Not allowed.")
    cf_page.morph("c", "<p>ok again</p>")
    expect(cf_page.page.get_by_role("alert")).to_have_count(0)
    assert cf_page.html('[data-cf-id="c"]') == "<p>ok again</p>"


def test_elements_in_flight_keep_their_loading_mark_through_a_push(cf_page: ClientPage) -> None:
    button = '<p>{}</p><button type="button" class="big" cf-click="save">Save</button>'
    cf_page.open(component("live", button.format("v1"), live=True))
    subscribe = cf_page.next_socket_message()
    cf_page.reply_on_socket({"type": "subscribed", "ref": subscribe["ref"]})
    page = cf_page.page
    page.get_by_role("button").click()
    request = cf_page.next_request()
    cf_page.reply_on_socket(update("live", button.format("v2")))  # pushed meanwhile
    expect(page.locator("p")).to_have_text("v2")
    expect(page.get_by_role("button")).to_have_attribute("data-cf-loading", "")
    expect(page.get_by_role("button")).to_have_class("big cf-loading")
    request.render(button.format("v3"))
    expect(page.locator("p")).to_have_text("v3")
    expect(page.get_by_role("button")).not_to_have_attribute("data-cf-loading", "")
    expect(page.get_by_role("button")).to_have_class("big")
