"""Normalise what a user types as a name into a module name and a class name, or refuse it."""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass

from ._errors import InvalidNameError

__all__ = ["InvalidNameError", "Names", "normalize_name"]

_WORD_SPLIT = re.compile(r"[\s_\-.]+")
_CAMEL = (re.compile(r"([a-z0-9])([A-Z])"), re.compile(r"([A-Z]+)([A-Z][a-z])"))
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Names:
    """The spellings of one name.

    Attributes:
        module: snake_case: module, registry and template name (``todo_list``).
        class_name: PascalCase class name (``TodoList``).
        kebab: kebab-case, for CSS classes and distribution names (``todo-list``).
        title: Words for prose (``Todo list``).
    """

    module: str
    class_name: str
    kebab: str
    title: str


def normalize_name(raw: str) -> Names:
    """Turn ``todo-list``, ``TodoList``, ``todo list`` or ``todo_list`` into ``Names``.

    Raises:
        InvalidNameError: Empty, a path, a character other than letters, digits, ``-``,
            ``_``, ``.`` or spaces, a leading digit, a Python keyword, or a dunder
            (``__init__``).
    """
    text = raw.strip()
    if not text:
        raise InvalidNameError("the name is empty; give one such as todo_list")
    if "/" in text or "\\" in text or text in {".", ".."}:
        raise InvalidNameError(
            f"{raw!r} contains a path separator; give a plain name such as todo_list "
            "(cf places the files itself)"
        )
    if len(text) > 4 and text.startswith("__") and text.endswith("__"):
        raise InvalidNameError(
            f"{raw!r} is a special Python name (like a package's __init__.py), not a name for "
            "your code; give a plain name such as todo_list"
        )
    for pattern in _CAMEL:
        text = pattern.sub(r"\1_\2", text)
    words = [w.lower() for w in _WORD_SPLIT.split(text) if w]
    for word in words:
        if not _WORD.fullmatch(word):
            bad = next(c for c in word if not re.fullmatch(r"[a-z0-9]", c))
            raise InvalidNameError(
                f"{raw!r} contains {bad!r}; use ASCII letters, digits, '-', '_' or spaces"
            )
    if not words:
        raise InvalidNameError(f"{raw!r} has no letters; give a name such as todo_list")
    module = "_".join(words)
    if module[0].isdigit():
        raise InvalidNameError(
            f"{raw!r} starts with a digit, which a Python module or class name cannot; "
            f"try {'n' + module!r} or spell the number out"
        )
    class_name = "".join(w.capitalize() for w in words)
    for candidate in (module, class_name):
        if keyword.iskeyword(candidate):
            raise InvalidNameError(
                f"{raw!r} is a Python keyword ({candidate!r}) and cannot name a module or "
                f"class; try {'my_' + module!r}"
            )
    return Names(module, class_name, module.replace("_", "-"), " ".join(words).capitalize())
