"""cf.js and its optional scripts: which exist, what is served, its version, which a page loads.

cf.js is the browser runtime's core. Features only some pages use live in optional scripts,
each an extension of the core (``cf.extend`` in cf.js), loaded after it by the same
``cf_scripts`` tag helper:

| name | script | what it adds |
| --- | --- | --- |
| ``navigate`` | ``cf-navigate.js`` | live navigation, prefetch, progress bar, state in the URL |
| ``hooks`` | ``cf-hooks.js`` | ``cf-hook`` elements run the page's own JavaScript |
| ``transitions`` | ``cf-transitions.js`` | ``cf-transition`` and ``cf-view-transition`` |
| ``uploads`` | ``cf-uploads.js`` | ``cf-upload`` file inputs and drop zones (``core.uploads``) |
| ``streams`` | ``cf-streams.js`` | ``cf-stream`` lists changed by ``stream`` effects |
| ``lazy`` | ``cf-lazy.js`` | lazy components, mounted after the page loaded or when visible |
| ``poll`` | ``cf-poll.js`` | polled components |

A page loads the ones it names (``cf_scripts("navigate")``) and the ones its app's components
need: a component with ``url_state`` needs ``navigate``, one with ``uploads`` ``uploads``, one
with ``streams`` ``streams``, a ``lazy`` one ``lazy``, one with ``poll`` ``poll``. A page that
uses a feature without its script gets an error in the browser's console naming the script.

The files keep their comments; they are served without their full-line comments (a third of
their gzipped size; what is left of a line is never touched), and ``script_version`` is the
hash of what is served, for cache busting and for pages that run another release.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

from .exceptions import ConfigurationError
from .url_state import url_spec

if TYPE_CHECKING:
    from .registry import ComponentRegistry

__all__ = [
    "CORE_SCRIPT",
    "OPTIONAL_SCRIPTS",
    "SCRIPT_FILES",
    "page_scripts",
    "script_bytes",
    "script_file",
    "script_version",
]

CORE_SCRIPT = "cf.js"
# name -> file, in the order a page loads them (after cf.js).
OPTIONAL_SCRIPTS = {
    "navigate": "cf-navigate.js",
    "hooks": "cf-hooks.js",
    "transitions": "cf-transitions.js",
    "uploads": "cf-uploads.js",
    "streams": "cf-streams.js",
    "lazy": "cf-lazy.js",
    "poll": "cf-poll.js",
}
SCRIPT_FILES = (CORE_SCRIPT, *OPTIONAL_SCRIPTS.values())


def _served(source: str) -> str:
    """*source* without its full-line ``//`` comments; of its leading ``/*! ... */`` comment,
    only the first line stays."""
    lines = source.splitlines()
    kept: list[str] = []
    if lines and lines[0].startswith("/*!") and "*/" not in lines[0]:
        kept.append(lines[0] + " */")
        end = next(i for i, line in enumerate(lines) if "*/" in line)
        lines = lines[end + 1 :]
    kept.extend(line for line in lines if not line.lstrip().startswith("//"))
    return "\n".join(kept) + "\n"


@cache
def script_bytes(name: str = CORE_SCRIPT) -> bytes:
    """What is served of *name* (``cf.js``, ``cf-navigate.js``, ...), package data of
    ``component_framework/web/static``.

    Raises:
        KeyError: *name* is not one of the runtime's scripts.
    """
    if name not in SCRIPT_FILES:
        raise KeyError(name)
    path = resources.files("component_framework") / "web" / "static" / name
    return _served(path.read_text(encoding="utf-8")).encode()


@cache
def script_version() -> str:
    """Content hash of the runtime as served (cf.js and its optional scripts)."""
    digest = hashlib.sha256()
    for name in SCRIPT_FILES:
        digest.update(script_bytes(name))
    return digest.hexdigest()[:16]


def script_file(feature: str) -> str:
    """The file of optional script *feature* (``"navigate"`` -> ``cf-navigate.js``).

    Raises:
        ConfigurationError: *feature* is not one of the optional scripts.
    """
    try:
        return OPTIONAL_SCRIPTS[feature]
    except (KeyError, TypeError):
        known = ", ".join(repr(name) for name in OPTIONAL_SCRIPTS)
        raise ConfigurationError(
            f"cf_scripts: there is no optional script {feature!r}; the optional scripts are "
            f"{known} (docs/web.md, 'The browser runtime')."
        ) from None


def page_scripts(
    features: Iterable[str], registry: ComponentRegistry | None = None
) -> tuple[str, ...]:
    """The optional scripts a page loads, in load order: *features* (what its templates use)
    and what the components of *registry* need (URL state: ``navigate``; uploads:
    ``uploads``; streams, lazy and polled components: ``streams``, ``lazy``, ``poll``).

    Raises:
        ConfigurationError: An unknown feature name.
    """
    wanted = {feature for feature in features if script_file(feature)}
    for _, cls in registry.items() if registry is not None else ():
        needs = {
            "navigate": url_spec(cls) is not None,
            "uploads": bool(cls.uploads),
            "streams": bool(cls.streams),
            "lazy": bool(cls.lazy),
            "poll": cls.poll is not None,
        }
        wanted.update(name for name, needed in needs.items() if needed)
    return tuple(name for name in OPTIONAL_SCRIPTS if name in wanted)
