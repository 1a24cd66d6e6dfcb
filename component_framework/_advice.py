"""Advice for ``cf check``: sync handlers that could be ``async def``.

The rule of where code runs is simple (``async def`` on the event loop, ``def`` in a worker
thread), so the advice is only a hint shown where a wrong guess costs nothing.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from typing import Any

__all__ = ["only_changes_state"]


def only_changes_state(func: Any) -> bool:
    """Guess whether a sync handler does nothing but read and write ``self.state``.

    Such a handler cannot block, so ``async def`` (on the event loop) saves the worker-thread
    hop. A guess: it calls nothing but ``self.state`` methods, has no loop, ``with`` or
    ``try``, and repeats nothing by a count (``"#" * n``, ``2 ** n``). A wrong guess only
    costs a thread hop or a word of advice.
    """
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    except (OSError, TypeError, SyntaxError):
        return False
    definition = tree.body[0] if tree.body else None
    if not isinstance(definition, ast.FunctionDef):
        return False
    not_state_only = (
        ast.For, ast.While, ast.With, ast.Try, ast.Raise, ast.Await, ast.Yield, ast.YieldFrom,
        ast.Import, ast.ImportFrom, ast.Global, ast.Nonlocal, ast.Lambda, ast.comprehension,
    )  # fmt: skip
    touches_state = False
    for node in ast.walk(ast.Module(body=definition.body, type_ignores=[])):
        if isinstance(node, ast.Attribute) and node.attr == "state" and _is_self(node.value):
            touches_state = True
        elif (
            isinstance(node, not_state_only)
            or (isinstance(node, ast.Call) and not _on_state(node.func))
            or (isinstance(node, ast.BinOp) and _repeats(node))
        ):
            return False
    return touches_state


def _is_self(node: Any) -> bool:
    return isinstance(node, ast.Name) and node.id == "self"


def _on_state(func: Any) -> bool:
    """Whether a call's target is a method of ``self.state`` or of a value inside it."""
    node = func.value if isinstance(func, ast.Attribute) else None
    while isinstance(node, ast.Subscript | ast.Attribute | ast.Call):
        if isinstance(node, ast.Attribute) and node.attr == "state" and _is_self(node.value):
            return True
        node = node.func if isinstance(node, ast.Call) else node.value
    return False


def _repeats(node: ast.BinOp) -> bool:
    """Whether *node* does work in proportion to a number: ``2 ** n``, ``1 << n``, ``"#" * n``."""
    if isinstance(node.op, ast.Pow | ast.LShift):
        return True
    return isinstance(node.op, ast.Mult) and _is_sequence(node.left, node.right)


def _is_sequence(*operands: Any) -> bool:
    return any(
        isinstance(operand, ast.List | ast.Tuple | ast.JoinedStr)
        or (isinstance(operand, ast.Constant) and isinstance(operand.value, str | bytes))
        for operand in operands
    )
