"""Which sync handlers provably cannot block, so they may skip the worker-thread hop.

A sync handler runs in a worker thread because it may block (a query, a file, a sleep) and the
event loop must not. Some cannot: a handler whose body calls nothing -- it reads and writes
``self.state`` and ``self.errors`` with arguments that are JSON values, with arithmetic,
comparisons, loops -- has no way to wait on anything, or even to tell which thread runs it.
When, besides, the component keeps the framework's own lifecycle methods and its template
calls nothing either, the whole message (hydrate, handler, render, dehydrate) runs on the
event loop: there the hop would cost more than the work (bench/README.md). Anything else, and
anything this module cannot prove, takes the hop.

Example: ``def on_increment(self, amount: int = 1): self.state["count"] += amount`` runs on the
loop; add ``time.sleep(0)`` or ``db.save()`` to it and it runs in a worker thread.
"""

from __future__ import annotations

import dis
import inspect
import sys
import types
import typing
from typing import TYPE_CHECKING, Any

from .component import Component
from .renderer import get_default_renderer

if TYPE_CHECKING:
    import jinja2

    from ._events import HandlerSpec
    from .protocol import ParsedEvent

__all__ = ["runs_on_loop"]

# Instructions that cannot run code outside the interpreter's own handling of JSON values
# (Python 3.11 to 3.14 names). Calls, imports, globals, closures, raising, ``with``, ``yield``
# and anything not listed here make a handler unprovable.
_SAFE_INSTRUCTIONS = frozenset(
    name
    for group in (
        "NOP RESUME CACHE EXTENDED_ARG POP_TOP COPY SWAP END_FOR",
        "LOAD_CONST RETURN_VALUE RETURN_CONST",
        "LOAD_FAST LOAD_FAST_CHECK LOAD_FAST_AND_CLEAR LOAD_FAST_LOAD_FAST STORE_FAST",
        "STORE_FAST_LOAD_FAST STORE_FAST_STORE_FAST DELETE_FAST",
        "BINARY_OP BINARY_SUBSCR STORE_SUBSCR DELETE_SUBSCR BINARY_SLICE STORE_SLICE BUILD_SLICE",
        "UNARY_NEGATIVE UNARY_NOT UNARY_INVERT TO_BOOL COMPARE_OP IS_OP CONTAINS_OP",
        "BUILD_LIST BUILD_TUPLE BUILD_MAP BUILD_CONST_KEY_MAP BUILD_SET BUILD_STRING",
        "LIST_APPEND LIST_EXTEND SET_ADD MAP_ADD UNPACK_SEQUENCE",
        "FORMAT_VALUE FORMAT_SIMPLE FORMAT_WITH_SPEC CONVERT_VALUE",
        "GET_ITER FOR_ITER JUMP_FORWARD JUMP_BACKWARD JUMP_BACKWARD_NO_INTERRUPT",
        "POP_JUMP_IF_FALSE POP_JUMP_IF_TRUE POP_JUMP_IF_NONE POP_JUMP_IF_NOT_NONE",
        "POP_JUMP_FORWARD_IF_FALSE POP_JUMP_FORWARD_IF_TRUE POP_JUMP_BACKWARD_IF_FALSE",
        "POP_JUMP_BACKWARD_IF_TRUE POP_JUMP_FORWARD_IF_NONE POP_JUMP_FORWARD_IF_NOT_NONE",
        "POP_JUMP_BACKWARD_IF_NONE POP_JUMP_BACKWARD_IF_NOT_NONE",
        "JUMP_IF_FALSE_OR_POP JUMP_IF_TRUE_OR_POP",
        "LOAD_SMALL_INT LOAD_FAST_BORROW LOAD_FAST_BORROW_LOAD_FAST_BORROW POP_ITER NOT_TAKEN",
    )
    for name in group.split()
)
# Attributes of the component a handler may read, and those it may assign.
_READABLE = frozenset({"state", "errors", "params", "id"})
_WRITABLE = frozenset({"state", "errors"})
# What the message path calls on the instance around the handler: all must be the framework's.
_LIFECYCLE = (
    "__init__",
    "__getattr__",
    "__getattribute__",
    "__setattr__",
    "_generate_id",
    "_check_payload",
    "hydrate",
    "dehydrate",
    "before_render",
    "get_context",
    "render",
    "render_slots",
    "_result",
    "dispatch",
    "handle_event",
    "_prepare",
)
_JSON_SCALARS = (int, float, str, bool, type(None))
_TEMPLATE_NAMES = frozenset({"state", "errors", "component_id", "slots"})

_JINJA_MODULE = f"{__package__}.jinja"


def runs_on_loop(parsed: ParsedEvent) -> bool:
    """Whether the sync handler of *parsed* provably cannot block (see the module docstring)."""
    spec = parsed.spec
    cls = parsed.component_cls
    if spec is None or not (parsed.state or _own(cls, "mount")):
        return False  # a first render runs the user's mount(), which may load data
    if spec._nonblocking is None:  # checked once per class and event
        spec._nonblocking = _handler_calls_nothing(cls, spec) and _plain_lifecycle(cls)
    if not spec._nonblocking:
        return False
    renderer = cls.renderer or get_default_renderer()
    seen = spec._template_check
    if (
        seen is not None
        and seen[0] is renderer
        and seen[1] == cls.template_name
        and not getattr(renderer, "auto_reload", True)
    ):
        return seen[3]
    return _template_calls_nothing(spec, renderer, cls.template_name)


def _own(cls: type, name: str) -> bool:
    return inspect.getattr_static(cls, name, None) is inspect.getattr_static(Component, name, None)


def _handler_calls_nothing(cls: type, spec: HandlerSpec) -> bool:
    handler = inspect.getattr_static(cls, spec.name, None)
    return (
        isinstance(handler, types.FunctionType)
        and _calls_nothing(handler.__code__)
        and all(_is_json_type(hint) for hint in spec.fields.values())
    )


def _calls_nothing(code: types.CodeType) -> bool:
    if code.co_freevars or code.co_cellvars:
        return False
    for instruction in dis.get_instructions(code):
        name = instruction.opname
        if name == "LOAD_ATTR":
            if instruction.argval not in _READABLE:
                return False
        elif name == "STORE_ATTR":
            if instruction.argval not in _WRITABLE:
                return False
        elif name not in _SAFE_INSTRUCTIONS:
            return False
    return True


def _is_json_type(hint: Any) -> bool:
    """Whether Pydantic validates *hint* to plain JSON values only (no user class)."""
    if hint is Any or hint is None or hint in _JSON_SCALARS or hint in (list, dict):
        return True
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Literal:
        return all(type(arg) in _JSON_SCALARS for arg in args)
    if origin is typing.Annotated:
        return _is_json_type(args[0])
    if origin in (typing.Union, types.UnionType, list, dict, typing.Required, typing.NotRequired):
        return all(_is_json_type(arg) for arg in args)
    return False


def _plain_lifecycle(cls: type) -> bool:
    if type(cls) is not type(Component) or not all(_own(cls, name) for name in _LIFECYCLE):
        return False
    # No property or other descriptor behind the attributes the handler and renderer use.
    for name in (*_READABLE, "template_name", "renderer"):
        value = inspect.getattr_static(cls, name, None)
        if hasattr(type(value), "__get__"):
            return False
    return True


def _template_calls_nothing(spec: HandlerSpec, renderer: Any, name: Any) -> bool:
    # Only Jinja templates can be checked; the module is loaded if a JinjaRenderer exists.
    jinja = sys.modules.get(_JINJA_MODULE)
    if jinja is None or type(renderer) is not jinja.JinjaRenderer or not isinstance(name, str):
        return False
    environment: jinja2.Environment = renderer.environment
    try:
        template = environment.get_template(name)
    except Exception:
        return False  # the worker thread reports it as usual
    seen = spec._template_check
    if seen is not None and seen[0] is renderer and seen[1] == name and seen[2] is template:
        return seen[3]  # an auto-reloading renderer still has the same template
    verdict = _plain_environment(environment) and _plain_template(environment, name)
    spec._template_check = (renderer, name, template, verdict)
    return verdict


def _plain_environment(environment: jinja2.Environment) -> bool:
    import jinja2
    from jinja2.defaults import DEFAULT_POLICIES
    from jinja2.runtime import Context

    return (
        type(environment) is jinja2.Environment
        and not environment.is_async  # an async environment renders through asyncio.run()
        and environment.finalize is None
        and not environment.extensions
        and environment.undefined is jinja2.Undefined
        and environment.context_class is Context
        and environment.template_class is jinja2.Template
        and environment.policies == DEFAULT_POLICIES  # e.g. the function behind |tojson
        and _plain_loader(environment.loader)
    )


def _plain_loader(loader: jinja2.BaseLoader | None) -> bool:
    """Whether *loader* is made of Jinja's own file, package and dict loaders only.

    A reloading environment asks its loader on every render whether a template changed; a
    loader of the user's (a database, a network) might block there.
    """
    import jinja2

    if isinstance(loader, jinja2.ChoiceLoader):
        return all(_plain_loader(inner) for inner in loader.loaders)
    if isinstance(loader, jinja2.PrefixLoader):
        return all(_plain_loader(inner) for inner in loader.mapping.values())
    return type(loader) in (jinja2.FileSystemLoader, jinja2.PackageLoader, jinja2.DictLoader)


def _plain_template(environment: jinja2.Environment, name: str) -> bool:
    """Whether the template only prints and loops over its context with Jinja's own filters."""
    from jinja2 import meta, nodes
    from jinja2.filters import FILTERS
    from jinja2.tests import TESTS

    assert environment.loader is not None  # _plain_environment checked it
    try:
        source, _, _ = environment.loader.get_source(environment, name)
        tree = environment.parse(source)
    except Exception:
        return False
    unprovable = (nodes.Call, nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)
    if any(True for _ in tree.find_all(unprovable)):
        return False
    for used, own, builtin in (
        (nodes.Filter, environment.filters, FILTERS),
        (nodes.Test, environment.tests, TESTS),
    ):
        for node in tree.find_all(used):
            name = node.name
            if name not in builtin or own.get(name) is not builtin[name]:
                return False
    return meta.find_undeclared_variables(tree) <= _TEMPLATE_NAMES
