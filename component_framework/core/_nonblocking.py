"""Which sync handlers provably cannot block, so they may skip the worker-thread hop.

A sync handler runs in a worker thread because it may block (a query, a file, a sleep) and the
event loop must not. Some cannot: a handler whose body calls nothing (but ``self.state.get``)
and loops nowhere -- it reads and writes ``self.state`` and ``self.errors`` with arguments that
are JSON values, with arithmetic and comparisons -- has no way to wait on anything, or even to
tell which thread runs it. When, besides, the component class adds no code the message path
would run (lifecycle overrides, dunder methods) and its Jinja template calls nothing either,
the whole message (hydrate, handler, render, dehydrate) runs on the event loop: there the hop
would cost more than the work (bench/README.md). Anything else, and anything this module
cannot prove, takes the hop.

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

# Instructions that run no code but the interpreter's own handling of JSON values (Python
# 3.11 to 3.14 names). Calls, imports, globals, closures, raising, ``with``, ``yield``, loops
# (a client-sized loop would hold the loop thread; a worker gives the GIL back every 5 ms)
# and anything not listed here make a handler unprovable.
_SAFE_INSTRUCTIONS = frozenset(
    name
    for group in (
        "NOP RESUME CACHE EXTENDED_ARG POP_TOP COPY SWAP NOT_TAKEN",
        "LOAD_CONST LOAD_SMALL_INT RETURN_VALUE RETURN_CONST",
        "LOAD_FAST LOAD_FAST_CHECK LOAD_FAST_LOAD_FAST LOAD_FAST_BORROW STORE_FAST",
        "LOAD_FAST_BORROW_LOAD_FAST_BORROW STORE_FAST_LOAD_FAST STORE_FAST_STORE_FAST",
        "BINARY_OP BINARY_SUBSCR STORE_SUBSCR DELETE_SUBSCR BINARY_SLICE STORE_SLICE BUILD_SLICE",
        "UNARY_NEGATIVE UNARY_NOT UNARY_INVERT TO_BOOL COMPARE_OP IS_OP CONTAINS_OP",
        "BUILD_LIST BUILD_TUPLE BUILD_MAP BUILD_CONST_KEY_MAP BUILD_SET BUILD_STRING",
        "LIST_APPEND LIST_EXTEND SET_ADD MAP_ADD",
        "FORMAT_VALUE FORMAT_SIMPLE FORMAT_WITH_SPEC CONVERT_VALUE JUMP_FORWARD",
        "POP_JUMP_IF_FALSE POP_JUMP_IF_TRUE POP_JUMP_IF_NONE POP_JUMP_IF_NOT_NONE",
        "POP_JUMP_FORWARD_IF_FALSE POP_JUMP_FORWARD_IF_TRUE POP_JUMP_FORWARD_IF_NONE",
        "POP_JUMP_FORWARD_IF_NOT_NONE JUMP_IF_FALSE_OR_POP JUMP_IF_TRUE_OR_POP",
    )
    for name in group.split()
)
# Attributes of the component a handler may read, and those it may assign.
_READABLE = frozenset({"state", "errors", "params", "id"})
_WRITABLE = frozenset({"state", "errors"})
# What a component class may define without adding code to the message path of an event.
_HARMLESS_DUNDERS = frozenset(
    {
        "__module__",
        "__qualname__",
        "__doc__",
        "__annotations__",
        "__dict__",
        "__weakref__",
        "__slots__",
        "__firstlineno__",
        "__static_attributes__",
        "__orig_bases__",
        "__parameters__",
    }
)
_OVERRIDABLE = frozenset(
    {"template_name", "renderer", "permission_classes", "slots", "mount", "get_optimistic_patch"}
)
_INSTANCE_ATTRIBUTES = frozenset(
    {"params", "state", "errors", "id", "_mounted", "_slot_components", "_slot_html"}
)
_JSON_SCALARS = (int, float, str, bool, type(None))
_TEMPLATE_NAMES = frozenset({"state", "errors", "component_id", "slots"})
# Filters and tests that look up another filter or test by the name given as an argument.
_NAMED_FILTER_ARGUMENT = {"map": 0}
_NAMED_TEST_ARGUMENT = {"select": 0, "reject": 0, "selectattr": 1, "rejectattr": 1}
_JINJA_MODULE = f"{__package__}.jinja"


def runs_on_loop(parsed: ParsedEvent) -> bool:
    """Whether the sync handler of *parsed* provably cannot block (see the module docstring)."""
    spec = parsed.spec
    cls = parsed.component_cls
    if spec is None or not (parsed.state or _own(cls, "mount")):
        return False  # a first render runs the user's mount(), which may load data
    if spec._nonblocking is None:  # checked once per class and event
        spec._nonblocking = _handler_calls_nothing(cls, spec) and _adds_no_code(cls)
    return spec._nonblocking and _template_calls_nothing(spec, cls)


def _own(cls: type, name: str) -> bool:
    return inspect.getattr_static(cls, name, None) is inspect.getattr_static(Component, name, None)


# ---------- The handler ----------


def _handler_calls_nothing(cls: type, spec: HandlerSpec) -> bool:
    handler = inspect.getattr_static(cls, spec.name, None)
    if not isinstance(handler, types.FunctionType) or not _calls_nothing(handler.__code__):
        return False
    defaults = [*(handler.__defaults__ or ()), *(handler.__kwdefaults__ or {}).values()]
    return all(_is_json_value(value) for value in defaults) and all(
        _is_json_type(hint) for hint in spec.fields.values()
    )


def _calls_nothing(code: types.CodeType) -> bool:
    """Whether *code* calls nothing but ``self.state.get(...)``/``self.errors.get(...)``.

    ``dict.get`` on the component's own state only hashes a JSON key and returns a JSON value,
    so it is the one call allowed: each must name ``self.state`` or ``self.errors`` directly,
    take one or two positional arguments and contain no branch.
    """
    if code.co_freevars or code.co_cellvars or code.co_argcount < 1:
        return False
    instructions = list(dis.get_instructions(code))
    this = code.co_varnames[0]
    depth = 0
    pending: list[int] = []  # the stack depth just after each method load awaiting its call
    precalled = False
    for index, instruction in enumerate(instructions):
        name, arg = instruction.opname, instruction.arg
        if pending and (instruction.is_jump_target or "JUMP" in name):
            return False
        if name in ("STORE_FAST", "DELETE_FAST") and instruction.argval == this:
            return False  # ``self`` rebound: later loads of it would be something else
        if _is_method_load(instruction):
            if not _is_state_get(instructions, index, this):
                return False
            pending.append(depth + 1)
        elif name == "PRECALL":  # Python 3.11 only: followed by CALL
            if not pending or arg is None or arg > 2 or depth != pending[-1] + arg:
                return False
            precalled = True
        elif name == "CALL":
            if not pending or arg is None or arg > 2:
                return False
            if not precalled and depth != pending[-1] + arg:
                return False
            pending.pop()
            precalled = False
        elif name == "LOAD_ATTR":
            if instruction.argval not in _READABLE:
                return False
        elif name == "STORE_ATTR":
            if instruction.argval not in _WRITABLE:
                return False
        elif name not in _SAFE_INSTRUCTIONS:
            return False
        if instruction.opcode >= dis.HAVE_ARGUMENT:
            depth += dis.stack_effect(instruction.opcode, arg, jump=False)
        else:
            depth += dis.stack_effect(instruction.opcode)
    return not pending


def _is_method_load(instruction: dis.Instruction) -> bool:
    if instruction.opname == "LOAD_METHOD":  # Python 3.11
        return True
    # Python 3.12+: LOAD_ATTR with the low bit of its argument set loads a method.
    return (
        instruction.opname == "LOAD_ATTR"
        and sys.version_info >= (3, 12)
        and bool((instruction.arg or 0) & 1)
    )


def _is_state_get(instructions: list[dis.Instruction], index: int, this: str) -> bool:
    """Whether the method loaded at *index* is ``get`` of ``self.state`` or ``self.errors``."""
    if index < 2 or instructions[index].argval != "get":
        return False
    owner, receiver = instructions[index - 2], instructions[index - 1]
    return (
        owner.opname in ("LOAD_FAST", "LOAD_FAST_CHECK", "LOAD_FAST_BORROW")
        and owner.argval == this
        and receiver.opname == "LOAD_ATTR"
        and not _is_method_load(receiver)
        and receiver.argval in _WRITABLE  # state or errors: plain dicts of JSON values
        and not receiver.is_jump_target
        and not instructions[index].is_jump_target
    )


def _is_json_value(value: Any) -> bool:
    if type(value) in (list, tuple):
        return all(_is_json_value(item) for item in value)
    if type(value) is dict:
        return all(type(k) is str and _is_json_value(v) for k, v in value.items())
    return type(value) in _JSON_SCALARS


def _is_json_type(hint: Any) -> bool:
    """Whether Pydantic validates *hint* to plain JSON values, running no user code."""
    if hint is Any or hint is None or hint in _JSON_SCALARS or hint in (list, dict):
        return True
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Literal:
        return all(type(arg) in _JSON_SCALARS for arg in args)
    if origin is typing.Annotated:
        return _is_json_type(args[0]) and all(_is_plain_constraint(meta) for meta in args[1:])
    if origin in (typing.Union, types.UnionType, list, dict, typing.Required, typing.NotRequired):
        return all(_is_json_type(arg) for arg in args)
    return False


def _is_plain_constraint(meta: Any) -> bool:
    """Whether ``Annotated`` metadata only constrains (``Field(ge=0)``), running no user code."""
    import annotated_types
    from pydantic.fields import FieldInfo

    if isinstance(meta, FieldInfo):
        return (
            meta.default_factory is None
            and (meta.is_required() or _is_json_value(meta.default))
            and all(_is_plain_constraint(inner) for inner in meta.metadata)
        )
    return isinstance(meta, annotated_types.BaseMetadata) and not isinstance(
        meta, annotated_types.Predicate
    )


# ---------- The component class ----------


def _adds_no_code(cls: type) -> bool:
    """Whether *cls* adds nothing the message path of an event would run.

    It may define handlers, helpers and the usual settings; not lifecycle overrides, dunder
    methods (``__getitem__``, ``__bool__``, ``__del__``...), nor anything behind the attributes
    the framework sets on every instance.
    """
    if type(cls) is not type(Component) or not issubclass(cls, Component):
        return False
    for klass in cls.__mro__:
        if klass in Component.__mro__:
            continue
        if not all(_harmless(name, value) for name, value in vars(klass).items()):
            return False
    return True


def _harmless(name: str, value: Any) -> bool:
    if name.startswith("__") and name.endswith("__"):
        return name in _HARMLESS_DUNDERS
    if name in _INSTANCE_ATTRIBUTES or (hasattr(Component, name) and name not in _OVERRIDABLE):
        return False
    return name not in ("template_name", "renderer") or not hasattr(type(value), "__get__")


# ---------- The template ----------


def _template_calls_nothing(spec: HandlerSpec, cls: type[Component]) -> bool:
    renderer = cls.renderer or get_default_renderer()
    name = cls.template_name
    # Only Jinja templates can be checked; the module is loaded if a JinjaRenderer exists.
    jinja = sys.modules.get(_JINJA_MODULE)
    if jinja is None or type(renderer) is not jinja.JinjaRenderer or not isinstance(name, str):
        return False
    checked: Any = renderer  # a JinjaRenderer, as the line above checks
    environment: jinja2.Environment = checked.environment
    if environment.bytecode_cache is not None or not _plain_loader(environment.loader):
        return False  # loading the template could run the user's code
    try:
        template = environment.get_template(name)
    except Exception:
        return False  # the worker thread reports it as usual
    seen = spec._template_check
    if seen is None or seen[0] is not template:
        verdict, used = _check_template(environment, renderer, name)
        seen = spec._template_check = (template, verdict, used)
    # Filters and tests can be replaced at any time: those the template uses must still be
    # Jinja's own.
    filters, tests = environment.filters, environment.tests
    return seen[1] and all(
        (tests if is_test else filters).get(used) is builtin for is_test, used, builtin in seen[2]
    )


def _plain_loader(loader: jinja2.BaseLoader | None) -> bool:
    """Whether *loader* is made of Jinja's own file, package and dict loaders only."""
    import jinja2

    if isinstance(loader, jinja2.ChoiceLoader):
        return all(_plain_loader(inner) for inner in loader.loaders)
    if isinstance(loader, jinja2.PrefixLoader):
        return all(_plain_loader(inner) for inner in loader.mapping.values())
    return type(loader) in (jinja2.FileSystemLoader, jinja2.PackageLoader, jinja2.DictLoader)


def _plain_environment(environment: jinja2.Environment, renderer: Any) -> bool:
    import jinja2
    from jinja2.defaults import DEFAULT_POLICIES
    from jinja2.runtime import Context

    def overridden(instance: Any) -> bool:
        # A method replaced on the instance (``environment.getattr = ...``).
        return any(callable(getattr(type(instance), key, None)) for key in vars(instance))

    return (
        type(environment) is jinja2.Environment
        and not environment.is_async  # an async environment renders through asyncio.run()
        and environment.finalize is None
        and not environment.extensions
        and environment.undefined is jinja2.Undefined
        and environment.context_class is Context
        and environment.template_class is jinja2.Template
        and environment.policies == DEFAULT_POLICIES  # e.g. the function behind |tojson
        and not overridden(environment)
        and not overridden(renderer)
    )


def _check_template(
    environment: jinja2.Environment, renderer: Any, name: str
) -> tuple[bool, tuple[tuple[bool, str, Any], ...]]:
    """Whether the template only prints, tests and loops over its context, calling nothing.

    Returns the verdict and the filters and tests it uses, as ``(is_test, name, builtin)``.
    """
    from jinja2 import meta, nodes
    from jinja2.filters import FILTERS
    from jinja2.tests import TESTS

    refused: tuple[bool, tuple[tuple[bool, str, Any], ...]] = (False, ())
    if not _plain_environment(environment, renderer):
        return refused
    assert environment.loader is not None  # _plain_loader checked it
    try:
        source, _, _ = environment.loader.get_source(environment, name)
        tree = environment.parse(source)
    except Exception:
        return refused
    unprovable = (nodes.Call, nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)
    if any(True for _ in tree.find_all(unprovable)):
        return refused
    special = ("self", "caller", "varargs", "kwargs")  # Jinja's objects: they reach the environment
    if any(node.name in special for node in tree.find_all(nodes.Name)):
        return refused
    if any(node.attr.startswith("_") for node in tree.find_all(nodes.Getattr)):
        return refused
    used: list[tuple[bool, str, Any]] = []
    for node in tree.find_all(nodes.Filter):
        used.append((False, node.name, FILTERS.get(node.name)))
        # map("upper"), select("odd"), selectattr("x", "odd") look one up by name.
        for positions, is_test in ((_NAMED_FILTER_ARGUMENT, False), (_NAMED_TEST_ARGUMENT, True)):
            position = positions.get(node.name)
            if position is not None and len(node.args) > position:
                named = node.args[position]
                if not isinstance(named, nodes.Const) or not isinstance(named.value, str):
                    return refused
                builtins = TESTS if is_test else FILTERS
                used.append((is_test, named.value, builtins.get(named.value)))
    used.extend((True, node.name, TESTS.get(node.name)) for node in tree.find_all(nodes.Test))
    if any(builtin is None for _, _, builtin in used):
        return refused  # a filter or test of the user's
    return meta.find_undeclared_variables(tree) <= _TEMPLATE_NAMES, tuple(used)
