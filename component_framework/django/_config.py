"""The app's settings, read once from Django's ``settings`` into core's ``AppConfig``.

Settings (all optional):

    CF_SECRET_KEY = "..."           # else the CF_SECRET_KEY variable, else derived from SECRET_KEY
    CF_SECRET_KEY_FALLBACKS = []    # else derived from SECRET_KEY_FALLBACKS
    CF_RELEASE = "1"                # bound into every checksum; change it when state changes shape
    CF_COMPONENTS = ["shop.ui"]     # modules imported besides every app's ``components`` module
    CF_TEMPLATE_DIRS = []           # searched before every app's ``jinja2`` folder
    CF_LIMITS = Limits()            # size and nesting limits on messages
    CF_REGISTRY = "shop.ui.registry"  # a ComponentRegistry to serve instead of the global one
    CF_ALLOWED_ORIGINS = []         # other sites ("https://app.example") whose pages may open
                                    # the WebSocket (the page's own host always may)
    CF_RATE_LIMIT = "600/min"       # a limit on every component's messages, per user or address
    CF_RATE_LIMITER = "redis://..." # where the counts live (a store URL, "store"); else in-process
"""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.utils.module_loading import import_string, module_has_submodule

from component_framework.core import ws_manager
from component_framework.core._backends import open_backends
from component_framework.core.config import DEFAULT_LIMITS, AppConfig, Limits
from component_framework.core.exceptions import ConfigurationError
from component_framework.core.navigation import set_url_resolver
from component_framework.core.registry import ComponentRegistry, registry
from component_framework.core.renderer import get_default_renderer, set_default_renderer
from component_framework.core.signing import Signer, configure

__all__ = ["config", "derive_key", "project_sources", "setup"]

_SALT = b"component_framework.django.signing"

_config: AppConfig | None = None


def derive_key(secret_key: str) -> str:
    """Derive the component signing key from Django's ``SECRET_KEY`` (never the key itself)."""
    return hmac.new(secret_key.encode(), _SALT, hashlib.sha256).hexdigest()


def _signer() -> Signer:
    key: str = getattr(settings, "CF_SECRET_KEY", "") or os.environ.get("CF_SECRET_KEY", "")
    fallbacks: list[str] = list(getattr(settings, "CF_SECRET_KEY_FALLBACKS", ()))
    if not key:
        if not settings.SECRET_KEY:
            raise ConfigurationError(
                "No secret key: set SECRET_KEY (or CF_SECRET_KEY) in your Django settings."
            )
        key = derive_key(settings.SECRET_KEY)
        fallbacks = fallbacks or [
            derive_key(k) for k in getattr(settings, "SECRET_KEY_FALLBACKS", ())
        ]
    return configure(key, fallback_keys=fallbacks, release=getattr(settings, "CF_RELEASE", None))


def _limits() -> Limits:
    limits = getattr(settings, "CF_LIMITS", DEFAULT_LIMITS)
    if not isinstance(limits, Limits):
        raise ConfigurationError(
            f"CF_LIMITS must be a component_framework.core.protocol.Limits, got {limits!r}."
        )
    return limits


def _registry() -> ComponentRegistry:
    path = getattr(settings, "CF_REGISTRY", None)
    if path is None:
        return registry
    try:
        found = import_string(path)
    except ImportError as exc:
        raise ConfigurationError(f"CF_REGISTRY = {path!r} cannot be imported: {exc}") from None
    if not isinstance(found, ComponentRegistry):
        raise ConfigurationError(
            f"CF_REGISTRY = {path!r} names a {type(found).__name__}, not a ComponentRegistry."
        )
    return found


def _component_modules() -> list[str]:
    modules = list(getattr(settings, "CF_COMPONENTS", ()))
    for app in apps.get_app_configs():
        if app.module is not None and module_has_submodule(app.module, "components"):
            modules.append(f"{app.name}.components")
    return modules


def _template_dirs() -> list[Path]:
    folders = [Path(folder) for folder in getattr(settings, "CF_TEMPLATE_DIRS", ())]
    for app in apps.get_app_configs():
        # Django's convention for Jinja2 templates; Django templates stay in ``templates/``.
        folder = Path(app.path) / "jinja2"
        if folder.is_dir():
            folders.append(folder)
    return folders


def project_sources(root: Path) -> tuple[list[str], list[Path]]:
    """The component modules and template folders of the apps inside *root* (``cf dev`` watches).

    Apps installed from elsewhere (Django's own, third-party packages) are left out: only the
    project's own code changes while it is developed.
    """
    root = root.resolve()
    modules = [name for name in _component_modules() if _inside(name, root)]
    folders: list[Path] = []
    for app in apps.get_app_configs():
        for kind in ("jinja2", "templates"):
            folder = Path(app.path).resolve() / kind
            if folder.is_dir() and folder.is_relative_to(root):
                folders.append(folder)
    for folder in map(Path, getattr(settings, "CF_TEMPLATE_DIRS", ())):
        if folder.resolve().is_dir() and folder.resolve().is_relative_to(root):
            folders.append(folder.resolve())
    return modules, folders


def _inside(module: str, root: Path) -> bool:
    import importlib.util

    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return False
    origin = spec.origin if spec is not None else None
    return origin is not None and Path(origin).resolve().is_relative_to(root)


def _install_renderer() -> None:
    if get_default_renderer() is not None:
        return  # the project chose one (set_default_renderer before django.setup())
    from component_framework.core.jinja import JinjaRenderer

    from ._render import jinja_globals

    renderer = JinjaRenderer(_template_dirs(), auto_reload=bool(settings.DEBUG))
    renderer.environment.globals.update(jinja_globals())
    set_default_renderer(renderer)


def _import_components() -> None:
    from component_framework.project import Project

    root = Path(getattr(settings, "BASE_DIR", None) or os.getcwd())
    Project(root=root, components=_component_modules()).import_components()


def _reverse(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str | None:
    # Component.redirect("products") and the like: a Django URL name, as Django's redirect().
    from django.urls import NoReverseMatch, reverse

    try:
        return str(reverse(name, args=args or None, kwargs=kwargs or None))
    except NoReverseMatch:
        return None


def setup() -> AppConfig:
    """Configure signing and the renderer and import every component module; return the config.

    Called by the app's ``ready()``; idempotent.
    """
    global _config
    _install_renderer()
    set_url_resolver(_reverse)
    _import_components()
    _config = AppConfig(
        signer=_signer(),
        limits=_limits(),
        registry=_registry(),
        allowed_origins=getattr(settings, "CF_ALLOWED_ORIGINS", ()),
        rate_limit=getattr(settings, "CF_RATE_LIMIT", None),
        rate_limiter=getattr(settings, "CF_RATE_LIMITER", None),
    )
    open_backends(ws_manager)  # a broker or store that cannot work stops start-up here
    return _config


def config() -> AppConfig:
    """Return the app's configuration (what the views, tags and consumer use), set up on
    first use.

    Raises:
        ConfigurationError: A setting is wrong (the message names it).
    """
    return _config or setup()
