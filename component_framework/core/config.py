"""``AppConfig``: what one app is configured with, in one object every transport receives.

The message path, the WebSocket manager, the HTTP layer and every adapter take an ``AppConfig``
instead of a registry, a signer and limits passed one by one. What an app leaves out follows
the process-wide defaults of the documented API: the global ``registry``, the signer of
``signing.configure`` (or ``CF_SECRET_KEY``), the store of ``state.configure`` (or
``CF_STATE_STORE``) and the broker of ``CF_BROKER_URL``. New per-app settings belong here.

Example:

    config = AppConfig(registry=shop, limits=Limits(max_depth=8), store="sqlite:///state.db")
    app = ComponentApp(config=config)
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._dev_key import development_key
from .exceptions import ConfigurationError
from .registry import ComponentRegistry
from .registry import registry as default_registry
from .signing import Signer, configure, get_signer
from .state import StateStore, get_default_store, open_store

if TYPE_CHECKING:
    from .broker import Broker
    from .rate_limit import RateLimit, RateLimiter
    from .upload_store import UploadStore
    from .websocket import ComponentWebSocketManager

__all__ = ["DEFAULT_CONFIG", "DEFAULT_LIMITS", "AppConfig", "Limits", "config_of"]


@dataclass(frozen=True, slots=True)
class Limits:
    """Limits on untrusted input.

    Attributes:
        max_message_bytes: Largest raw message accepted (413 beyond).
        max_depth: Deepest nesting of objects and arrays in a payload.
        max_integer: Largest integer (in absolute value) a payload may hold; 2**53 by default,
            the most a browser's JSON holds exactly. None allows any size.
        max_query_bytes: Longest query string a component reads its URL state from.
        max_batch_messages: Most messages one ``component_batch`` may hold (400 beyond).
    """

    max_message_bytes: int = 1024 * 1024
    max_depth: int = 32
    max_integer: int | None = 2**53
    max_query_bytes: int = 4096
    max_batch_messages: int = 20


DEFAULT_LIMITS = Limits()

_FIELDS = (
    "registry",
    "signer",
    "limits",
    "store",
    "broker",
    "max_body_bytes",
    "body_timeout",
    "stream_send_timeout",
    "allowed_origins",
    "push_backlog_bytes",
    "resync_spread",
    "rate_limit",
    "rate_limiter",
    "upload_store",
    "ws_manager",
)

_PUSH_BACKLOG_BYTES = 16 * 1024 * 1024


class AppConfig:
    """The settings of one app: where names resolve, how state is signed and kept, the limits.

    Args:
        registry: Where component names are looked up (the global ``registry`` by default).
        signer: Signs and verifies state (by default the process-wide signer, looked up at
            each use, so ``signing.configure`` after start-up still applies).
        limits: Size, depth and integer limits on messages.
        store: The ``StateStore`` (or a URL for ``open_store``) of
            components that leave ``state_store`` at ``None``; by default the process default.
        broker: Where pushes go between processes (a ``Broker`` or URL); by default
            ``CF_BROKER_URL``, else in-memory.
        max_body_bytes: Largest HTTP body (413 beyond); ``limits.max_message_bytes`` by default.
        body_timeout: Seconds an HTTP body may take to arrive (408 beyond); ``None``: no limit.
        stream_send_timeout: Seconds a streamed reply's frame may wait for the client to take
            it (a tab that stopped reading); the stream is then closed. ``None``: no limit.
        allowed_origins: Sites (``scheme://host[:port]``, or ``"*"``) besides the page's own
            host whose pages may open the WebSocket.
        push_backlog_bytes: Bytes of pushes kept while the broker is unreachable (16 MiB);
            beyond it the oldest are dropped, and every page re-syncs once it is back.
        resync_spread: Longest time, in seconds, over which the pages of one process spread
            their re-sync after a broker outage (a page waits a random part of it).
        rate_limit: A limit on every component's messages, per user (visitors by address):
            ``"600/min"`` or a ``core.rate_limit.RateLimit``; components add their own
            (``rate_limits``).
        rate_limiter: Where the counts live: a ``RateLimiter``, a ``StateStore`` or its URL
            (``"redis://..."``: every worker process counts together), ``"store"`` (the app's
            state store); by default in this process.
        upload_store: Where uploads of components that name no store go
            (``core.upload_store``); by default temporary files of this machine.
        ws_manager: The WebSocket manager whose pages get the results of background tasks
            (``core.tasks``); by default the process-wide ``ws_manager``. An app made with
            its own manager sets it.
    """

    __slots__ = (
        "_limiter",
        "_max_body_bytes",
        "_rate_limiter",
        "_signer",
        "_store",
        "allowed_origins",
        "body_timeout",
        "broker",
        "limits",
        "max_body_bytes",
        "push_backlog_bytes",
        "rate_limit",
        "registry",
        "resync_spread",
        "stream_send_timeout",
        "upload_store",
        "ws_manager",
    )

    def __init__(
        self,
        *,
        registry: ComponentRegistry | None = None,
        signer: Signer | None = None,
        limits: Limits = DEFAULT_LIMITS,
        store: StateStore | str | None = None,
        broker: Broker | str | None = None,
        max_body_bytes: int | None = None,
        body_timeout: float | None = 30.0,
        stream_send_timeout: float | None = 30.0,
        allowed_origins: Iterable[str] = (),
        push_backlog_bytes: int = _PUSH_BACKLOG_BYTES,
        resync_spread: float = 5.0,
        rate_limit: RateLimit | str | None = None,
        rate_limiter: RateLimiter | StateStore | str | None = None,
        upload_store: UploadStore | None = None,
        ws_manager: ComponentWebSocketManager | None = None,
    ) -> None:
        if not isinstance(limits, Limits):
            raise ConfigurationError(
                f"limits must be a component_framework.core.protocol.Limits, got {limits!r}."
            )
        if push_backlog_bytes < 1 or resync_spread < 0:
            raise ConfigurationError(
                f"push_backlog_bytes must be positive and resync_spread at least 0, got "
                f"{push_backlog_bytes!r} and {resync_spread!r}."
            )
        self.registry = default_registry if registry is None else registry
        self._signer = signer
        self.limits = limits
        self._store = open_store(store) if isinstance(store, str) else store
        self.broker = broker
        self._max_body_bytes = max_body_bytes
        self.max_body_bytes: int = max_body_bytes or limits.max_message_bytes
        """Largest HTTP body: the one given, else ``limits.max_message_bytes``."""
        self.body_timeout = body_timeout
        self.stream_send_timeout = stream_send_timeout
        self.allowed_origins = tuple(allowed_origins)
        self.push_backlog_bytes = push_backlog_bytes
        self.resync_spread = resync_spread
        self.rate_limit: RateLimit | None = None
        """The limit on every component's messages, or None."""
        if rate_limit is not None:
            from .rate_limit import RateLimit

            self.rate_limit = RateLimit.of(rate_limit)
        self._rate_limiter = rate_limiter
        self._limiter: RateLimiter | None = None
        self.upload_store = upload_store
        self.ws_manager = ws_manager

    @classmethod
    def for_app(
        cls,
        owner: str,
        *,
        config: AppConfig | None = None,
        secret_key: str | None = None,
        debug: bool = False,
        **given: Any,
    ) -> AppConfig:
        """The config of an app made by *owner* (``"ComponentApp"``) from its options.

        With *config*, the *given* settings replace its own. Without it, and without a
        ``signer`` among them, the process-wide signer is configured: with *secret_key* (else
        ``CF_SECRET_KEY``), or in *debug* mode with the project's development key
        (``.cf/secret-key``, made on first use), so open pages survive a restart (--reload).

        Raises:
            ConfigurationError: No secret key outside debug mode, or both *config* and
                *secret_key* (which would configure a signer the config may not use).
        """
        if config is not None:
            if secret_key is not None:
                raise ConfigurationError(
                    f"{owner} got both config= and secret_key=: give the config a signer "
                    "(AppConfig(signer=...)) or configure the process-wide one."
                )
            return config.replace(**given) if given else config
        if given.get("signer") is None:
            if secret_key or os.environ.get("CF_SECRET_KEY"):
                given["signer"] = configure(secret_key)
            elif debug:
                given["signer"] = configure(development_key(), ephemeral=True)
            else:
                raise ConfigurationError(
                    "No secret key: set CF_SECRET_KEY (a long random string, kept secret) "
                    f"before starting, pass {owner}(secret_key=...), or use {owner}(debug=True) "
                    "in development."
                )
        return cls(**given)

    def __repr__(self) -> str:
        return (
            f"<AppConfig components={len(self.registry)} limits={self.limits!r} "
            f"store={self._store!r}>"
        )

    @property
    def signer(self) -> Signer:
        """The signer: the one given, else the process-wide one."""
        return self._signer or get_signer()

    @property
    def store(self) -> StateStore | None:
        """The store of components that name none: the one given, else the process default."""
        return self._store if self._store is not None else get_default_store()

    @property
    def rate_limiter(self) -> RateLimiter:
        """Where rate-limit counts live (made on first use from the ``rate_limiter`` option)."""
        if self._limiter is None:
            from .rate_limit import RateLimiter

            given = self._rate_limiter
            if isinstance(given, RateLimiter):
                self._limiter = given
            elif given == "store":
                if self.store is None:
                    raise ConfigurationError(
                        "rate_limiter='store' needs a state store: give the app one (store=...) "
                        "or set CF_STATE_STORE."
                    )
                self._limiter = RateLimiter(self.store)
            else:
                self._limiter = RateLimiter(given)
        return self._limiter

    def with_manager(self, manager: ComponentWebSocketManager) -> AppConfig:
        """This config naming *manager* as its WebSocket manager (an app made with its own
        manager), unless it names one already; itself for the process-wide one."""
        from .websocket import ws_manager

        if self.ws_manager is not None or manager is ws_manager:
            return self
        return self.replace(ws_manager=manager)

    def replace(self, **changes: Any) -> AppConfig:
        """A copy with *changes* (the constructor's arguments) applied.

        Raises:
            TypeError: A change names no option.
        """
        unknown = set(changes) - set(_FIELDS)
        if unknown:
            raise TypeError(f"AppConfig has no option(s) {', '.join(sorted(unknown))}.")
        current: dict[str, Any] = {
            "registry": self.registry,
            "signer": self._signer,
            "limits": self.limits,
            "store": self._store,
            "broker": self.broker,
            "max_body_bytes": self._max_body_bytes,
            "body_timeout": self.body_timeout,
            "stream_send_timeout": self.stream_send_timeout,
            "allowed_origins": self.allowed_origins,
            "push_backlog_bytes": self.push_backlog_bytes,
            "resync_spread": self.resync_spread,
            "rate_limit": self.rate_limit,
            # Counts already kept go on being shared by the copy.
            "rate_limiter": self._limiter if self._limiter is not None else self._rate_limiter,
            "upload_store": self.upload_store,
            "ws_manager": self.ws_manager,
        }
        return AppConfig(**{**current, **changes})


DEFAULT_CONFIG = AppConfig()
"""The config of callers that pass none: every setting follows the process-wide default."""


def config_of(
    config: AppConfig | None,
    registry: ComponentRegistry | None = None,
    signer: Signer | None = None,
    limits: Limits | None = None,
) -> AppConfig:
    """*config* (or the default one) with the options a caller of the documented API passed."""
    config = DEFAULT_CONFIG if config is None else config
    if registry is None and signer is None and limits is None:
        return config
    return _derived(config, registry, signer, limits)


@functools.lru_cache(maxsize=64)
def _derived(
    config: AppConfig,
    registry: ComponentRegistry | None,
    signer: Signer | None,
    limits: Limits | None,
) -> AppConfig:
    # Cached: a caller passing the same options on every message builds its config once.
    changes: dict[str, Any] = {}
    if registry is not None:
        changes["registry"] = registry
    if signer is not None:
        changes["signer"] = signer
    if limits is not None:
        changes["limits"] = limits
    return config.replace(**changes)
