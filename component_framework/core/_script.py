"""cf.js, read as package data, for adapters that must not import the web package."""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources

__all__ = ["script_bytes", "script_version"]


@cache
def script_bytes() -> bytes:
    """The browser runtime, ``component_framework/web/static/cf.js``."""
    return (resources.files("component_framework") / "web" / "static" / "cf.js").read_bytes()


@cache
def script_version() -> str:
    """Content hash of cf.js, for cache busting (the same as the web package's)."""
    return hashlib.sha256(script_bytes()).hexdigest()[:16]
