"""State in the URL: the keys of a component's state that live in the page's query string.

A component declares them in ``url_state``, each with a type (validated with Pydantic, like
an event payload: a hand-edited URL gets the same clear errors as a bad payload), and
optionally the name it has in the query string, a default (left out of the URL) and whether a
change adds a browser history entry (``history="push"``) or replaces the current one:

    class ProductList(Component):
        url_state = {
            "search": UrlParam(str, default="", name="q"),
            "page": UrlParam(Annotated[int, Field(ge=1)], default=1, history="push"),
        }

The page's first render reads them from the request's URL after ``mount()``; an event that
changes them updates the address bar (a ``patch_url`` effect); back and forward bring them back.
Query parameters the component does not declare are left alone: they belong to the page.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, NoReturn, NotRequired, get_origin
from urllib.parse import parse_qsl, urlencode

from ._json import has_lone_surrogate, shown_value
from .exceptions import ConfigurationError, InvalidUrlError

if TYPE_CHECKING:
    import pydantic

__all__ = [
    "History",
    "UrlParam",
    "UrlSpec",
    "encode_query",
    "merge_query",
    "query_string",
    "read_url",
    "url_spec",
    "without",
]

History = Literal["replace", "push"]
_MISSING: Any = object()
_SEQUENCES = (list, tuple, set, frozenset)
_MAX_NAME = 64
_MAX_FIELDS = 100


class UrlParam:
    """One state key kept in the page's query string.

    Args:
        type: What the value must be (any type a handler's argument may have:
            ``int``, ``Literal[...]``, ``Annotated[int, Field(ge=1)]``, ``list[str]``...).
        default: The value when the URL leaves it out; a value equal to it is left out of the
            URL. Without one, a URL without the key keeps the value ``mount()`` gave.
        name: Its name in the query string (the state key by default).
        history: ``"replace"`` (the default) rewrites the current history entry when the
            value changes; ``"push"`` adds one, so the back button returns to the old value.
    """

    __slots__ = ("default", "history", "name", "type")

    def __init__(
        self,
        type: Any = str,
        *,
        default: Any = _MISSING,
        name: str | None = None,
        history: History = "replace",
    ) -> None:
        if history not in ("replace", "push"):
            raise ConfigurationError(
                f"UrlParam history must be 'replace' or 'push', got {history!r}."
            )
        if name is not None and not _is_query_name(name):
            raise ConfigurationError(
                f"UrlParam name {name!r} must be 1-{_MAX_NAME} characters without "
                "'&', '=', '#', '?', '%', '+' or spaces."
            )
        self.type = type
        self.default = default
        self.name = name
        self.history: History = history

    @property
    def has_default(self) -> bool:
        """Whether a default was given."""
        return self.default is not _MISSING

    def __repr__(self) -> str:
        parts = [getattr(self.type, "__name__", repr(self.type))]
        if self.has_default:
            parts.append(f"default={self.default!r}")
        if self.name is not None:
            parts.append(f"name={self.name!r}")
        if self.history != "replace":
            parts.append(f"history={self.history!r}")
        return f"UrlParam({', '.join(parts)})"


def _is_query_name(name: object) -> bool:
    return (
        isinstance(name, str)
        and 0 < len(name) <= _MAX_NAME
        and name.isprintable()
        and not any(c in name for c in "&=#?%+ ")
    )


def _is_structured(hint: Any) -> bool:
    # A mapping, a model or a dataclass is written as JSON text (see _text), read back as such.
    if getattr(hint, "__metadata__", None) is not None:
        return _is_structured(hint.__origin__)
    origin = get_origin(hint) or hint
    if origin in (dict, Mapping):
        return True
    return isinstance(origin, type) and (
        hasattr(origin, "model_fields") or hasattr(origin, "__dataclass_fields__")
    )


def _is_sequence(hint: Any) -> bool:
    origin = get_origin(hint)
    if origin is not None and getattr(hint, "__metadata__", None) is not None:
        return _is_sequence(hint.__origin__)  # Annotated[list[str], ...]
    return (origin or hint) in _SEQUENCES


@dataclass(slots=True)
class _Key:
    key: str
    """The state key."""
    name: str
    """Its name in the query string."""
    param: UrlParam
    many: bool
    """Whether it takes every value of a repeated name (a list, tuple or set type)."""
    structured: bool
    """Whether its value is written as JSON text (a mapping, a model, a dataclass)."""
    default_json: Any = _MISSING


@dataclass(slots=True)
class UrlSpec:
    """The URL keys one component class declares, ready to read a query string and write one."""

    component: str
    keys: list[_Key]
    _validator: pydantic.TypeAdapter[Any] | None = field(default=None, repr=False)

    @property
    def names(self) -> list[str]:
        """The query-string names, in declaration order."""
        return [k.name for k in self.keys]

    def _adapter(self) -> pydantic.TypeAdapter[Any]:
        if self._validator is None:
            import pydantic
            from typing_extensions import TypedDict

            fields = {k.key: NotRequired[k.param.type] for k in self.keys}
            make_typed_dict: Any = TypedDict
            shape: Any = make_typed_dict(f"{self.component}_url", fields)
            shape.__pydantic_config__ = pydantic.ConfigDict(
                extra="forbid", arbitrary_types_allowed=True
            )
            self._validator = pydantic.TypeAdapter(shape)
        return self._validator

    def read(
        self, query: str, max_query_bytes: int = 4096, max_integer: int | None = 2**53
    ) -> dict[str, Any]:
        """Return the state values the query string sets: each declared key's value (as
        JSON, the way state holds it), its default when the URL leaves it out.

        Raises:
            InvalidUrlError: The query string is too long, or values do not fit their types;
                ``problems`` names each bad parameter.
        """
        size = len(query.encode("utf-8", "surrogatepass"))
        if size > max_query_bytes:
            raise InvalidUrlError(
                f"Invalid URL for {self.component}: the query string is {size:,} bytes "
                f"(limit: {max_query_bytes:,}).",
                {"": "too long"},
            )
        given = _parse(query)
        raw: dict[str, Any] = {}
        problems: dict[str, str] = {}
        for k in self.keys:
            found = given.get(k.name)
            if found is None:
                continue
            # A scalar named twice takes the last value, as Django's QueryDict does.
            raw[k.key] = found if k.many else found[-1]
            if k.structured:
                try:
                    raw[k.key] = json.loads(raw[k.key])
                except ValueError:
                    problems[k.name] = f"Input should be JSON text (got {shown_value(raw[k.key])})"
        if problems:
            self._refuse(problems)
        values: dict[str, Any] = {}
        if raw:
            values = self._validate(raw)
        for k in self.keys:
            value = values.get(k.key)
            if max_integer is not None and isinstance(value, int) and abs(value) > max_integer:
                problems[k.name] = f"Input should be at most {max_integer:,} (got {value:,})"
        if problems:
            self._refuse(problems)
        for k in self.keys:
            if k.key not in values and k.param.has_default:
                values[k.key] = self._default(k)
        return values

    def _validate(self, raw: dict[str, Any]) -> dict[str, Any]:
        import pydantic
        from pydantic_core import to_jsonable_python

        try:
            validated = self._adapter().validate_python(raw)
        except pydantic.ValidationError as exc:
            errors = exc.errors(include_url=False, include_input=False)
        else:
            return {key: to_jsonable_python(value) for key, value in validated.items()}
        by_key = {k.key: k for k in self.keys}
        problems: dict[str, str] = {}
        for error in errors:
            key = str(error["loc"][0]) if error["loc"] else ""
            spec = by_key.get(key)
            name = spec.name if spec is not None else key
            problems.setdefault(name, f"{error['msg']} (got {shown_value(raw.get(key))})")
        self._refuse(problems)

    def _refuse(self, problems: dict[str, str]) -> NoReturn:
        detail = "; ".join(f"{name}: {message}" for name, message in problems.items())
        raise InvalidUrlError(f"Invalid URL for {self.component}: {detail}", problems)

    def _default(self, k: _Key) -> Any:
        if k.default_json is _MISSING:
            from pydantic_core import to_jsonable_python

            k.default_json = to_jsonable_python(k.param.default)
        return k.default_json

    def values_of(self, state: Mapping[str, Any]) -> dict[str, Any]:
        """The declared keys' values in *state* (those it holds)."""
        return {k.key: state[k.key] for k in self.keys if k.key in state}

    def changes(
        self, before: Mapping[str, Any], after: Mapping[str, Any]
    ) -> tuple[dict[str, str | list[str] | None], History] | None:
        """The query parameters to set after the state went from *before* to *after*, and
        how (``"push"`` if any changed key asks for it), or None when none changed.

        A value equal to its default, or ``None``, removes its parameter (``None`` in the map).
        """
        query: dict[str, str | list[str] | None] = {}
        history: History = "replace"
        for k in self.keys:
            if k.key not in after or before.get(k.key, _MISSING) == after[k.key]:
                continue
            query[k.name] = self._encoded(k, after[k.key])
            if k.param.history == "push":
                history = "push"
        return (query, history) if query else None

    def query_of(self, state: Mapping[str, Any]) -> dict[str, str | list[str]]:
        """The query parameters *state* gives (defaults and ``None`` left out)."""
        query: dict[str, str | list[str]] = {}
        for k in self.keys:
            if k.key in state:
                encoded = self._encoded(k, state[k.key])
                if encoded is not None:
                    query[k.name] = encoded
        return query

    def _encoded(self, k: _Key, value: Any) -> str | list[str] | None:
        if value is None or (k.param.has_default and value == self._default(k)):
            return None
        if k.many and isinstance(value, list | tuple):
            return [_text(item) for item in value]
        return _text(value)


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _parse(query: str) -> dict[str, list[str]]:
    given: dict[str, list[str]] = {}
    try:
        pairs = parse_qsl(query.lstrip("?"), keep_blank_values=True, max_num_fields=_MAX_FIELDS)
    except ValueError:
        raise InvalidUrlError(
            f"Invalid URL: the query string has more than {_MAX_FIELDS} parameters.",
            {"": "too many parameters"},
        ) from None
    for name, value in pairs:
        given.setdefault(name, []).append(value)
    return given


def encode_query(query: Mapping[str, str | list[str]]) -> str:
    """``a=1&b=x`` for *query* (a list repeats its name); empty for an empty mapping."""
    return urlencode(
        [(name, v) for name, value in query.items() for v in _as_list(value)], doseq=False
    )


def merge_query(query: str, changes: Mapping[str, str | list[str] | None]) -> str:
    """*query* with *changes* applied: a value sets its parameter, ``None`` removes it."""
    pairs = [
        (n, v) for n, v in parse_qsl(query.lstrip("?"), keep_blank_values=True) if n not in changes
    ]
    for name, value in changes.items():
        if value is not None:
            pairs += [(name, v) for v in _as_list(value)]
    return urlencode(pairs)


def without(query: str, names: Iterable[str]) -> str:
    """*query* without the parameters called *names*."""
    return merge_query(query, dict.fromkeys(names))


def _as_list(value: str | list[str]) -> Iterable[str]:
    return value if isinstance(value, list) else [value]


_cache: dict[type, UrlSpec | None] = {}


def url_spec(component_cls: type) -> UrlSpec | None:
    """The URL keys *component_cls* declares (cached per class), or None if it declares none.

    Raises:
        ConfigurationError: ``url_state`` is not a mapping of state keys to ``UrlParam`` (or
            types), or two keys share a query name.
    """
    if component_cls in _cache:
        return _cache[component_cls]
    declared = getattr(component_cls, "url_state", None) or {}
    name = getattr(component_cls, "__name__", "component")
    if not isinstance(declared, Mapping):
        raise ConfigurationError(
            f"{name}.url_state must be a dict of state keys to UrlParam(...), "
            f"got {type(declared).__name__}."
        )
    keys: list[_Key] = []
    seen: dict[str, str] = {}
    for key, param in declared.items():
        if not isinstance(key, str) or not key:
            raise ConfigurationError(f"{name}.url_state keys must be state keys, got {key!r}.")
        if not isinstance(param, UrlParam):
            param = UrlParam(param)
        query_name = param.name or key
        if not _is_query_name(query_name):
            raise ConfigurationError(
                f"{name}.url_state[{key!r}]: {query_name!r} cannot be a query name; "
                "give it one with UrlParam(..., name='...')."
            )
        if query_name in seen:
            raise ConfigurationError(
                f"{name}.url_state: {seen[query_name]!r} and {key!r} both use the query name "
                f"{query_name!r}; give one another name."
            )
        seen[query_name] = key
        many, structured = _is_sequence(param.type), _is_structured(param.type)
        keys.append(_Key(key, query_name, param, many, structured))
    spec = UrlSpec(name, keys) if keys else None
    _cache[component_cls] = spec
    return spec


def read_url(component_cls: type, query: str, limits: Any) -> dict[str, Any] | None:
    """The URL state *component_cls* reads from *query* (None if it declares none).

    Raises:
        InvalidUrlError: As ``UrlSpec.read``, or the query holds text that is not Unicode.
    """
    spec = url_spec(component_cls)
    if spec is None:
        return None
    if has_lone_surrogate(query):
        raise InvalidUrlError(
            f"Invalid URL for {spec.component}: it holds text that is not valid Unicode.",
            {"": "not Unicode"},
        )
    return spec.read(query, limits.max_query_bytes, limits.max_integer)


def query_string(component: Any, **changes: Any) -> str:
    """The query string *component*'s URL state stands for (``q=lamp&page=2``; defaults left
    out), with *changes* to its state keys: what its links keep (``query_string(self,
    page=3)``), what the address bar shows after its events."""
    spec = url_spec(type(component))
    if spec is None:
        return ""
    return encode_query(spec.query_of({**component.state, **changes}))
