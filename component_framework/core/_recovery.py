"""What lets a page outlive the state the server gave it: mount tokens and old releases.

A page's state can become unusable while the page stays open: a deploy with a new release, a
server-held state that expired or vanished, a key the server no longer has. Two ways out, both
without trusting the client for anything it could not already do by loading the page:

- **Carry the state forward.** A state this server signed for an earlier release is authentic
  (the HMAC proves the release), so a component whose ``migrate_state(old_release, state)``
  returns a state hydrates from that; one returning ``None`` (the default) refuses it with
  ``stale_state``, as before.
- **Mount again.** Every page render signs the component's mount parameters with its id
  (``data-cf-mount`` and ``data-cf-mount-checksum`` on the root, ``Signer.mount_token``). When
  the server refuses the page's state, cf.js sends them back as a message with ``mount`` and
  ``mount_checksum`` instead of ``state``; the server checks the token (any release, any of its
  keys, not older than the signer's ``subscription_lifetime``) and mounts the component afresh
  under the same id, as the page's render did. Parameters that JSON cannot carry exactly (a
  model instance, a date) or a component with ``remountable = False`` get no token: the page
  then reloads to recover. A token issued before a release made its component unremountable
  is refused the same way (the page reloads).

A mount token the server cannot verify (its key changed, or forged) is refused as tampered, like
a state: the client never chooses mount parameters.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._json import canonical_dumps, find_lossy
from .exceptions import ComponentError, MessageError, StaleStateError
from .signing import Signer, stale_state

if TYPE_CHECKING:
    from ._message import ParsedEvent
    from .component import Component

__all__ = ["carry_forward", "mount_attributes", "mount_params"]

logger = logging.getLogger("component_framework")


def mount_attributes(
    component_cls: type[Component],
    name: str,
    component_id: str,
    params: Mapping[str, Any],
    signer: Signer,
) -> dict[str, str]:
    """The root's ``data-cf-mount`` and ``data-cf-mount-checksum`` for a page's first render;
    none when the component is not ``remountable`` or JSON cannot carry its parameters exactly."""
    if not component_cls.remountable:
        return {}
    params = dict(params)
    params.pop("component_id", None)  # the token binds the id itself
    if find_lossy(params, "params"):
        return {}
    params_json = canonical_dumps(params)
    return {
        "data-cf-mount": params_json,
        "data-cf-mount-checksum": signer.mount_token(name, component_id, params_json),
    }


def mount_params(parsed: ParsedEvent, signer: Signer) -> dict[str, Any]:
    """The mount parameters of a remount message, once their token proves them the server's.

    Raises:
        StateIntegrityError: The token is missing, forged, foreign, or for another component,
            id or parameters.
        StaleStateError: The token expired (older than ``subscription_lifetime``), or the
            component is no longer ``remountable`` (a release declared it so after the page's
            render): the page reloads.
        MessageError: The signed text is not a JSON object (a bug: the server signs objects).
    """
    mount, component_id = parsed.mount, parsed.component_id
    assert isinstance(mount, str) and component_id is not None  # read_message checked both
    signer.verify_mount(parsed.name, component_id, mount, parsed.mount_checksum)
    if not parsed.component_cls.remountable:
        # A token outlives releases: one issued before the component became unremountable
        # is authentic, and still refused (counted, like any refusal).
        signer._refused("remount of a component that is not remountable", parsed.name, component_id)
        raise StaleStateError(
            "This page was rendered by an earlier version of the application. "
            "Reload the page to continue."
        )
    params = json.loads(mount)
    if not isinstance(params, dict):
        raise MessageError("Field 'mount' must hold a JSON object.")
    return params


def carry_forward(parsed: ParsedEvent, release: str, state: dict[str, Any]) -> dict[str, Any]:
    """*state*, signed by this server for the earlier *release*, as the component's
    ``migrate_state`` carries it to this release.

    Raises:
        StaleStateError: ``migrate_state`` returned None (the page then mounts the component
            again, keeping what its user typed).
        ComponentError: ``migrate_state`` returned something else than a dict, or raised.
    """
    component_cls = parsed.component_cls
    try:
        migrated = component_cls.migrate_state(release, state)
    except ComponentError:
        raise
    except Exception as exc:
        logger.exception("%s.migrate_state failed", component_cls.__name__)
        raise ComponentError(
            f"{component_cls.__name__}.migrate_state failed on a state of release {release!r}."
        ) from exc
    if migrated is None:
        raise stale_state(parsed.name, parsed.component_id or "?", release)
    if not isinstance(migrated, dict):
        raise ComponentError(
            f"{component_cls.__name__}.migrate_state must return a dict or None, "
            f"got {type(migrated).__name__}."
        )
    return migrated
