"""The exceptions of the core library.

Every error a client can cause is a ``ComponentError`` carrying a wire ``code`` and an HTTP
``status``, so each transport maps it the same way. The message is safe to show to a client;
details worth logging stay in the log and in ``__cause__``.

Exception tree:

    ComponentError                      500 component_error
    ├── EventNotFoundError              404 unknown_event
    │   └── InvalidEventError           404 unknown_event
    ├── ComponentNotFoundError          404 unknown_component
    ├── InvalidPayloadError             400 invalid_payload
    │   └── InvalidUrlError             400 invalid_url
    ├── EffectError                     500 bad_effect
    │   ├── UnsafeUrlError              400 unsafe_url
    │   └── InvalidEffectError          400 invalid_effect
    ├── MessageError                    400 bad_message
    │   ├── BatchError                  400 bad_batch
    │   └── SubscriptionLimitError      429 too_many_subscriptions
    ├── HandlerError                    500 handler_error
    ├── NotAuthenticatedError           401 not_authenticated
    ├── PermissionDeniedError           403 permission_denied
    ├── StateTooLargeError              413 too_large
    ├── StateIntegrityError             403 tampered_state
    │   └── StaleStateError             409 stale_state
    ├── StateConflictError              409 state_conflict
    ├── StoreFullError                  503 store_full
    ├── RateLimitedError                429 rate_limited
    ├── UploadError                     400-507 upload_* (each refusal of an upload: its own code)
    └── ConfigurationError              500 server_misconfigured

    RegistryConflictError (a ValueError: two classes registered under one name; never a client's)
"""

from __future__ import annotations

__all__ = [
    "BatchError",
    "ComponentError",
    "ComponentNotFoundError",
    "ConfigurationError",
    "EffectError",
    "EventNotFoundError",
    "HandlerError",
    "InvalidEffectError",
    "InvalidEventError",
    "InvalidPayloadError",
    "InvalidUrlError",
    "MessageError",
    "NotAuthenticatedError",
    "PermissionDeniedError",
    "RateLimitedError",
    "RegistryConflictError",
    "StaleStateError",
    "StateConflictError",
    "StateIntegrityError",
    "StateTooLargeError",
    "StoreFullError",
    "SubscriptionLimitError",
    "TaskLimitError",
    "UnsafeUrlError",
    "UploadError",
]


class ComponentError(Exception):
    """Base exception for component errors."""

    code: str = "component_error"
    status: int = 500


class EventNotFoundError(ComponentError):
    """Raised when an event handler is not found."""

    code = "unknown_event"
    status = 404


class InvalidEventError(EventNotFoundError):
    """The event name cannot name a handler (``_x``, ``__init__``, ``a.b``, ...).

    To the client it is an unknown event, like any name without a handler.
    """


class ComponentNotFoundError(ComponentError):
    """No component is registered under the requested name."""

    code = "unknown_component"
    status = 404


class InvalidPayloadError(ComponentError):
    """The event payload does not match the handler's signature."""

    code = "invalid_payload"
    status = 400


class InvalidUrlError(InvalidPayloadError):
    """Values of a component's URL state (``url_state``) do not fit their types.

    Attributes:
        problems: The query-string name of each bad parameter and what is wrong with it
            (``""`` for the query string as a whole: too long, too many parameters).
    """

    code = "invalid_url"
    status = 400

    def __init__(self, message: str, problems: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.problems: dict[str, str] = dict(problems or {})


class EffectError(ComponentError):
    """An effect method (``redirect``, ``flash``, ``emit``, ...) was called the wrong way.

    Raised where the handler (or ``mount``, ``before_render``) calls the method, with what was
    wrong and what to do. The 500s are the code's own mistakes (an unknown flash level, an
    undeclared browser event, an emit to no registered component): the client gets a generic
    error, the server log, ``cf dev``'s overlay and ``cf dispatch`` the message. The 4xx
    subclasses are about values that may come from a client (a redirect target, a flash text
    built from a field): the client gets the message, which is safe to show.
    """

    code = "bad_effect"
    status = 500


class UnsafeUrlError(EffectError):
    """A redirect or navigation target leaves the site, is no web URL at all, or names no route.

    Handlers often take targets from the client (``?next=...``): an open redirect is refused
    unless the handler allows other sites explicitly.
    """

    code = "unsafe_url"
    status = 400


class InvalidEffectError(EffectError):
    """A value an effect carries does not fit, as one built from a client's input may not: a
    flash text empty or too long, an emit's ``component_id`` that no page could hold."""

    code = "invalid_effect"
    status = 400


class MessageError(ComponentError):
    """A protocol message is malformed: not JSON, missing fields, wrong types, too deep."""

    code = "bad_message"
    status = 400


class BatchError(MessageError):
    """A ``component_batch`` is malformed as a whole: no list of messages, too many of them,
    or a batch inside it. Nothing in it was run."""

    code = "bad_batch"
    status = 400


class HandlerError(ComponentError):
    """A handler raised; the original exception is the ``__cause__`` and is logged."""

    code = "handler_error"
    status = 500


class NotAuthenticatedError(ComponentError):
    """A permission class refused a request that carries no authenticated user.

    ``refused_by`` names the class; ``missing`` the permissions a ``DjangoModelPermission``
    found lacking (for logs and ``cf dev``; never sent to the client).
    """

    code = "not_authenticated"
    status = 401
    refused_by: str = ""
    missing: tuple[str, ...] = ()


class PermissionDeniedError(ComponentError):
    """A permission class refused the request (see ``NotAuthenticatedError`` for the
    attributes)."""

    code = "permission_denied"
    status = 403
    refused_by: str = ""
    missing: tuple[str, ...] = ()


class StateTooLargeError(ComponentError):
    """Serialized state or a message exceeds its byte limit."""

    code = "too_large"
    status = 413


class StateIntegrityError(ComponentError):
    """The state's checksum is missing, malformed, or does not match: refused unread."""

    code = "tampered_state"
    status = 403


class StaleStateError(StateIntegrityError):
    """The state was signed by an earlier release; the page must be reloaded."""

    code = "stale_state"
    status = 409


class StateConflictError(ComponentError):
    """A server-held state changed between this event's read and its write (a lost race).

    The message path retries the event on the newer state a few times before it lets this
    reach the page, which then shows the error and re-syncs on its next event.
    """

    code = "state_conflict"
    status = 409


class StoreFullError(ComponentError):
    """A state store cannot take a state: it alone is larger than the store's whole budget
    (``max_bytes``; smaller ones evict the oldest states instead), or the store's server is out
    of memory. Nothing was written."""

    code = "store_full"
    status = 503


class RateLimitedError(ComponentError):
    """Too many messages: a rate limit of the component or the app was reached.

    ``retry_after`` is the number of seconds after which the next message is accepted; replies
    carry it (``"retry_after"``, and HTTP's ``Retry-After`` header).
    """

    code = "rate_limited"
    status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ConfigurationError(ComponentError):
    """The server is misconfigured (for example, production without a secret key)."""

    code = "server_misconfigured"
    status = 500


class RegistryConflictError(ValueError):
    """Two different classes were registered under one component name.

    Attributes:
        name: The contested name.
        existing: The class registered first.
        new: The class refused.
    """

    def __init__(self, name: str, existing: type, new: type) -> None:
        self.name = name
        self.existing = existing
        self.new = new
        super().__init__(
            f"Component '{name}' already registered by a different class "
            f"({existing.__qualname__!r})"
        )


class SubscriptionLimitError(MessageError):
    """A connection asked for more subscriptions than the manager allows."""

    code = "too_many_subscriptions"
    status = 429


class TaskLimitError(ComponentError):
    """A handler started more background tasks than its component may run at once
    (``Component.max_tasks``, per page and process): the page is told to wait."""

    code = "too_many_tasks"
    status = 429


class UploadError(ComponentError):
    """An upload (or a chunk of one) refused: a bad token, a file too big or of a refused
    type, a chunk out of order, no space left. Each refusal has its own ``code`` and
    ``status`` (``core.uploads`` lists them); ``offset`` is where the upload stands, when the
    client should go on from there."""

    code = "upload_refused"
    status = 400

    def __init__(
        self,
        message: str,
        *,
        code: str = "upload_refused",
        status: int = 400,
        offset: int | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.status = status
        self.offset = offset
